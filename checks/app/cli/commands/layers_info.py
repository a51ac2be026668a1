"""``redline layers info``: each layer's features, CRS, fingerprint, areas and access-list problems; the inventory.

A layer's areas are the sums of its features' areas; the inventory under them measures the
*dissolved* zones, where overlapping features count once.  When the two differ for a kind or
class, the layer's line says so (``要素面积之和 7.177 km²；重叠部分合并后 5.960 km²``), so the two
numbers do not read as a contradiction.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from redline.checks.app.cli.i18n import Words
from redline.checks.app.cli.table import format_table
from redline.checks.app.cli_args import flag_namer

__all__ = ["run_info"]

#: Sums and dissolved areas closer than this (km²) are taken as equal: nothing overlaps.
_SAME_KM2 = 5e-4


def _dissolved(inv) -> dict[tuple[str, str], float]:
    """Return the inventory's area (km²) of each kind and class over the whole layer set."""
    return {(r["kind"], r["zone_class"]): float(r["area_km2"]) for r in inv.rows if r["district"] == ""}


def _class_rows(layer, dissolved: dict[tuple[str, str], float], w: Words) -> tuple[list[list[str]], bool]:
    """Return the layer's rows per class: zones, the sum of their areas, and the dissolved area where it differs."""
    from redline.layers.geodesy import geodesic_area
    from redline.zones.kinds import KINDS

    kind = KINDS[layer.kind]
    areas = layer.gdf.geometry.map(geodesic_area)
    rows, overlapped = [], False
    classes = layer.gdf["zone_class"].fillna("")
    for cls, total in areas.groupby(classes).sum().items():
        km2 = total / 1e6
        merged = dissolved.get((layer.kind, cls if cls else "*"))
        note = ""
        if merged is not None and km2 - merged > _SAME_KM2:
            overlapped = True
            note = w(f"重叠部分合并后 {merged:,.3f} km²", f"{merged:,.3f} km² with overlaps dissolved")
        count = int((classes == cls).sum())
        label = kind.class_label(cls, w.lang) if cls else ""
        rows.append(
            [
                cls or w("（无分级）", "(no class)"),
                label or "—",
                f"{count:,}",
                f"{km2:,.3f} km²",
                f"{km2 * 100:,.1f}",
                note,
            ]
        )
    return rows, overlapped


def _print_layer(layer, dissolved: dict[tuple[str, str], float], w: Words) -> bool:
    """Print one layer; return True when some of its features overlap (their areas were summed)."""
    from redline.zones.kinds import KINDS

    kind = KINDS[layer.kind]
    print(f"\n{layer.kind} ({kind.zh}) — {layer.label}")
    colon = w("：", ": ")
    print(f"  {w('要素', 'features')}{colon}{len(layer.gdf)}   {w('坐标系', 'CRS')}{colon}{layer.source_crs}")
    print(f"  {w('指纹', 'fingerprint')}{colon}{layer.fingerprint}")
    if getattr(layer, "confidential", False):
        # 涉密: counts and areas only; no extent, bounds or coordinate of it is ever printed
        print(
            "  "
            + w("涉密：是（不显示范围、边界或坐标）", "confidential: yes (no extent, boundary or coordinates shown)")
        )
    if getattr(layer, "encoding_note", ""):
        print(f"  {w('编码', 'encoding')}{colon}{layer.encoding_note}")
    if getattr(layer, "repaired", None):
        print(f"  {w('已修复', 'repaired')}{colon}{', '.join(map(str, layer.repaired))}")
    rows, overlapped = _class_rows(layer, dissolved, w)
    headers = [
        w("分级", "class"),
        w("名称", "label"),
        w("区域数", "zones"),
        w("要素面积之和", "sum of areas"),
        w("公顷", "ha"),
    ]
    if overlapped:
        headers.append(w("说明", "note"))
    else:
        rows = [row[:-1] for row in rows]
    print(format_table(headers, rows, "<<>>><"))
    _print_access(layer, w)
    return overlapped


def _print_access(layer, w: Words) -> None:
    """Print a control-unit layer's access list: clauses, and every problem (scopes, units, references)."""
    access = getattr(layer, "access", None)
    if access is None:
        return
    colon = w("：", ": ")
    name = layer.access_list.name if getattr(layer, "access_list", None) else access.source
    print(
        f"  {w('准入清单', 'access list')}{colon}{name}，{len(access)} {w('条条款', 'clauses')}"
        if w.zh
        else f"  access list: {name}, {len(access)} clauses"
    )
    problems = layer.access_problems()
    if not problems:
        print("  " + w("准入清单未发现问题", "no problem found in the access list"))
        return
    print("  " + w(f"准入清单有 {len(problems)} 条提示：", f"{len(problems)} note(s) on the access list:"))
    for p in problems:
        where = f" [{p.sheet} {w('第', 'row ')}{p.row}{w('行', '')}]" if p.row else ""
        print(f"    - {p.check}{where}: {p.message}")


def run_info(args: argparse.Namespace) -> None:
    """``redline layers info``: each layer, then the inventory of the dissolved zones."""
    from redline.layers import load_layerset
    from redline.layers.inventory import inventory
    from redline.layers.outline import read_districts, read_outline

    w = Words(args.lang)
    ls = load_layerset(args.layers)
    region = None
    if args.region:
        import shapely

        region = shapely.union_all(read_outline(args.region, crs=args.crs).geometry.values)
    districts = read_districts(args.by, crs=args.crs, name_field=args.by_field)
    inv = inventory(ls, region=region, region_label=Path(args.region).name if args.region else "", districts=districts)
    colon = w("：", ": ")
    print(f"{ls.name}")
    print(f"{w('清单文件', 'manifest')}{colon}{ls.path}")
    if ls.illustrative:
        print(w("示意数据：是（非官方）", "illustrative: yes (示意数据，not official)"))
    dissolved = _dissolved(inv)
    from redline.zones.labels import kind_label

    overlapped = [
        w(f"{kind_label(layer.kind)}（{layer.label}）", f"{layer.kind} ({layer.label})")
        for layer in ls.layers
        if _print_layer(layer, dissolved, w)
    ]
    print()
    if overlapped:
        print(
            w(
                f"注：{'、'.join(overlapped)} 的要素相互重叠，上面各图层的面积为要素面积之和（重叠部分计算多次）；"
                "下表的面积为合并重叠后的面积，重叠部分只计一次。",
                f"note: features of {', '.join(overlapped)} overlap; the areas above are sums over features "
                "(overlaps counted more than once), those below are of the dissolved zones (counted once).",
            )
        )
    else:
        print(w("下表的面积为合并重叠后的面积。", "The areas below are of the dissolved zones."))
    print(inv.text(args.lang, names=flag_namer()))
    if args.out:
        print(f"→ {inv.write(args.out).resolve()}")
