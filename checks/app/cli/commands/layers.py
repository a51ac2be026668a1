"""``redline layers info`` and ``redline layers validate``: a layer set's statistics and problems."""

from __future__ import annotations

import argparse
from pathlib import Path

from redline.checks import options
from redline.checks.app.cli import console
from redline.checks.app.cli_args import add_lang, flag_namer, option_type
from redline.zones.errors import param_ref, render_refs

__all__ = ["add_parsers"]


def add_parsers(sub) -> None:
    """Add ``layers`` and its ``info`` and ``validate`` to the ``redline`` subcommands."""
    layers = sub.add_parser("layers", help="inspect and validate a layer set")
    lsub = layers.add_subparsers(dest="layers_command", metavar="SUBCOMMAND", required=True)
    _info_parser(lsub)
    _validate_parser(lsub)


def _info_parser(lsub) -> None:
    info = lsub.add_parser(
        "info",
        help="layers, feature counts, CRS, fingerprints; area per kind and class in km² and as a share of the "
        "region, and per district with --by",
    )
    info.add_argument("layers", nargs="?", default="sample", metavar="LAYERS", help="layer set (default: sample)")
    info.add_argument(
        "--by",
        action="append",
        default=[],
        metavar="DISTRICTS",
        help="district outlines (a vector file; repeatable): area of each kind and class per district",
    )
    info.add_argument(
        "--by-field",
        metavar="FIELD",
        help="field naming the districts (default: NAME, 名称, XZQMC … when present, else the file name)",
    )
    info.add_argument(
        "--region", metavar="OUTLINE", help="region outline for the shares (default: the union of the control units)"
    )
    info.add_argument(
        "--crs", metavar="CRS", help="CRS of the --by/--region files when they have none, or to override (e.g. gcj02)"
    )
    info.add_argument("--out", metavar="DIR", help="also write inventory.csv into DIR")
    add_lang(info, "language of the tables (default zh)")
    info.set_defaults(run=_info)


def _validate_parser(lsub) -> None:
    lvalidate = lsub.add_parser(
        "validate",
        help="check the layers themselves: geometry, ids, classes, overlaps, control-unit coverage, water-source "
        "levels, and red line / farmland / urban boundary (三区三线) overlaps",
    )
    lvalidate.add_argument("layers", nargs="?", default="sample", metavar="LAYERS", help="layer set (default: sample)")
    lvalidate.add_argument(
        "--region",
        metavar="OUTLINE",
        help="the region's outline (vector file): control units must cover it without gaps; without it only holes "
        "between units are found",
    )
    lvalidate.add_argument(
        "--crs", metavar="CRS", help="CRS of the --region file when it has none, or to override (e.g. gcj02)"
    )
    lvalidate.add_argument("--out", metavar="DIR", help="write validation.csv and validation.gpkg into DIR")
    lvalidate.add_argument(
        "--strict", action="store_true", help="exit 1 when anything is wrong (warnings aside), for data pipelines"
    )
    lvalidate.add_argument(
        "--tolerance",
        type=option_type(options.tolerance_m2),
        default=0.0,
        metavar="M2",
        help="overlaps, gaps and overhangs smaller than this (m²) are sliver warnings, not errors (default 0)",
    )
    lvalidate.add_argument("--limit", type=int, default=20, metavar="N", help="problems shown per check (default 20)")
    add_lang(lvalidate, "language of the messages (default zh)")
    lvalidate.add_argument("--quiet", action="store_true", help="print nothing (the exit status and files say it)")
    lvalidate.set_defaults(run=_validate)


def _validate(args: argparse.Namespace) -> int:
    """``redline layers validate``: exit 1 under --strict when an error was found."""
    from redline.layers.validate import validate_layerset

    report = validate_layerset(
        args.layers, region=args.region, crs=args.crs, tolerance_m2=args.tolerance, lang=args.lang
    )
    names = flag_namer()
    console.say(args, report.summary(limit=args.limit, names=names))
    if args.out:
        console.print_files(args, args.out, report.write(args.out))
    if args.strict and not report.ok:
        n = len(report.errors)
        strict = param_ref("strict")
        text = f"{strict}: {n} 个错误，退出码 1" if args.lang == "zh" else f"{strict}: {n} error(s), exit 1"
        console.say(args, render_refs(text, names))
        return 1
    return 0


def _info(args: argparse.Namespace) -> None:
    """``redline layers info``: each layer's features, CRS, fingerprint and area per class; the inventory."""
    from redline.layers import load_layerset
    from redline.layers.inventory import inventory
    from redline.layers.outline import read_districts, read_outline

    ls = load_layerset(args.layers)
    region = None
    if args.region:
        import shapely

        region = shapely.union_all(read_outline(args.region, crs=args.crs).geometry.values)
    districts = read_districts(args.by, crs=args.crs, name_field=args.by_field)
    print(f"{ls.name}")
    print(f"manifest: {ls.path}")
    if ls.illustrative:
        print("illustrative: yes (示意数据，非官方)")
    for layer in ls.layers:
        _print_layer(layer)
    inv = inventory(ls, region=region, region_label=Path(args.region).name if args.region else "", districts=districts)
    print()
    print(inv.text(args.lang, names=flag_namer()))
    if args.out:
        print(f"→ {inv.write(args.out).resolve()}")


def _print_layer(layer) -> None:
    """Print one layer: label, features, CRS, fingerprint, notes, and zones and km² per class."""
    from redline.layers.geodesy import geodesic_area
    from redline.zones.kinds import KINDS

    kind = KINDS[layer.kind]
    print(f"\n{layer.kind} ({kind.zh}) — {layer.label}")
    print(f"  features: {len(layer.gdf)}   CRS: {layer.source_crs}")
    print(f"  fingerprint: {layer.fingerprint}")
    if getattr(layer, "confidential", False):
        # 涉密: counts and areas only; no extent, bounds or coordinate of it is ever printed
        print("  confidential: yes (涉密：不显示范围、边界或坐标 / no extent, boundary or coordinates shown)")
    if getattr(layer, "encoding_note", ""):
        print(f"  encoding: {layer.encoding_note}")
    if getattr(layer, "repaired", None):
        print(f"  repaired: {', '.join(map(str, layer.repaired))}")
    areas = layer.gdf.geometry.map(geodesic_area)
    for cls, total in areas.groupby(layer.gdf["zone_class"]).sum().items():
        label = kind.class_label(cls) or "—"
        count = int((layer.gdf["zone_class"] == cls).sum())
        print(f"  {cls or '(no class)':<10} {label:<12} {count:>6} zones  {total / 1e6:>10.3f} km²")
