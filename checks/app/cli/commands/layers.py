"""``redline layers info``, ``validate`` and ``diff``: a layer set's statistics, problems, and changes."""

from __future__ import annotations

import argparse

from redline.checks import options
from redline.checks.app.cli import console
from redline.checks.app.cli.i18n import Words
from redline.checks.app.cli_args import add_lang, flag_namer, option_type
from redline.zones.errors import param_ref, render_refs

__all__ = ["add_parsers"]


def add_parsers(sub, w: Words) -> None:
    """Add ``layers`` and its ``info``, ``validate`` and ``diff`` to the ``redline`` subcommands."""
    layers = sub.add_parser("layers", help=w("查看、检查和比较图层集", "inspect, validate and compare layer sets"))
    lsub = layers.add_subparsers(dest="layers_command", metavar=w("子命令", "SUBCOMMAND"), required=True)
    _info_parser(lsub, w)
    _validate_parser(lsub, w)
    _diff_parser(lsub, w)


def _layers_arg(p: argparse.ArgumentParser, w: Words) -> None:
    p.add_argument(
        "layers",
        nargs="?",
        default="sample",
        metavar="LAYERS",
        help=w("图层集（默认 sample）", "layer set (default: sample)"),
    )


def _info_parser(lsub, w: Words) -> None:
    info = lsub.add_parser(
        "info",
        help=w(
            "图层、要素数、坐标系、指纹；各类型和分级的面积（km²）及占区域的比例，--by 时按行政区统计；准入清单的问题",
            "layers, feature counts, CRS, fingerprints; area per kind and class in km² and as a share of the "
            "region, and per district with --by; the access list's problems",
        ),
    )
    _layers_arg(info, w)
    info.add_argument(
        "--by",
        action="append",
        default=[],
        metavar="DISTRICTS",
        help=w(
            "行政区边界（矢量文件，可重复）：按行政区统计各类型和分级的面积",
            "district outlines (a vector file; repeatable): area of each kind and class per district",
        ),
    )
    info.add_argument(
        "--by-field",
        metavar="FIELD",
        help=w(
            "行政区名称所在的字段（默认：NAME、名称、XZQMC 等，若无则用文件名）",
            "field naming the districts (default: NAME, 名称, XZQMC … when present, else the file name)",
        ),
    )
    info.add_argument(
        "--region",
        metavar="OUTLINE",
        help=w(
            "计算占比的区域边界（默认：管控单元的合并范围）",
            "region outline for the shares (default: the union of the control units)",
        ),
    )
    info.add_argument(
        "--crs",
        metavar="CRS",
        help=w(
            "--by/--region 文件没有坐标系时（或要覆盖时）的坐标系，如 gcj02",
            "CRS of the --by/--region files when they have none, or to override (e.g. gcj02)",
        ),
    )
    info.add_argument(
        "--out", metavar="DIR", help=w("同时把 inventory.csv 写入此文件夹", "also write inventory.csv into DIR")
    )
    add_lang(info, w("表格和提示的语言：zh（默认）或 en", "language of the tables and messages (default zh)"))
    info.set_defaults(run=_info)


def _validate_parser(lsub, w: Words) -> None:
    lvalidate = lsub.add_parser(
        "validate",
        help=w(
            "检查图层本身：几何、编号、分级、重叠、管控单元覆盖、水源保护区级别，以及红线/基本农田/城镇开发边界（三区三线）的相互重叠",
            "check the layers themselves: geometry, ids, classes, overlaps, control-unit coverage, water-source "
            "levels, and red line / farmland / urban boundary (三区三线) overlaps",
        ),
    )
    _layers_arg(lvalidate, w)
    lvalidate.add_argument(
        "--region",
        metavar="OUTLINE",
        help=w(
            "区域边界（矢量文件）：管控单元须无缝覆盖它；不给出时只查找单元之间的空隙",
            "the region's outline (vector file): control units must cover it without gaps; without it only holes "
            "between units are found",
        ),
    )
    lvalidate.add_argument(
        "--crs",
        metavar="CRS",
        help=w(
            "--region 文件没有坐标系时（或要覆盖时）的坐标系，如 gcj02",
            "CRS of the --region file when it has none, or to override (e.g. gcj02)",
        ),
    )
    lvalidate.add_argument(
        "--out",
        metavar="DIR",
        help=w(
            "把 validation.csv 和 validation.gpkg 写入此文件夹", "write validation.csv and validation.gpkg into DIR"
        ),
    )
    lvalidate.add_argument(
        "--strict",
        action="store_true",
        help=w(
            "有任何错误（警告除外）时以退出码 1 结束，用于数据流水线",
            "exit 1 when anything is wrong (warnings aside), for data pipelines",
        ),
    )
    lvalidate.add_argument(
        "--tolerance",
        type=option_type(options.tolerance_m2, w.lang),
        default=0.0,
        metavar="M2",
        help=w(
            "小于此面积（m²）的重叠、空隙和出界只作为碎片警告，不算错误（默认 0）",
            "overlaps, gaps and overhangs smaller than this (m²) are sliver warnings, not errors (default 0)",
        ),
    )
    lvalidate.add_argument(
        "--limit",
        type=int,
        default=20,
        metavar="N",
        help=w("每项检查最多显示的问题数（默认 20）", "problems shown per check (default 20)"),
    )
    add_lang(lvalidate, w("提示的语言：zh（默认）或 en", "language of the messages (default zh)"))
    lvalidate.add_argument(
        "--quiet",
        action="store_true",
        help=w("不显示任何内容（由退出码和文件说明结果）", "print nothing (the exit status and files say it)"),
    )
    lvalidate.set_defaults(run=_validate)


def _diff_parser(lsub, w: Words) -> None:
    diff = lsub.add_parser(
        "diff",
        help=w(
            "比较图层集的两个版本：新增、删除、边界调整（含面积变化）、级别调整的区域",
            "compare two versions of a layer set: zones added, removed, reshaped (with the area change) or reclassed",
        ),
    )
    diff.add_argument("old", metavar="OLD", help=w("旧版图层集", "the old layer set"))
    diff.add_argument("new", metavar="NEW", help=w("新版图层集", "the new layer set"))
    diff.add_argument(
        "--out",
        metavar="FILE.csv",
        help=w("同时把变化写入此 CSV 文件（不含几何）", "also write the changes to this CSV (no geometry)"),
    )
    add_lang(diff, w("表格和提示的语言：zh（默认）或 en", "language of the table and messages (default zh)"))
    diff.set_defaults(run=_diff)


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
    from redline.checks.app.cli.commands.layers_info import run_info

    run_info(args)


def _diff(args: argparse.Namespace) -> None:
    """``redline layers diff OLD NEW``: one line per changed zone; ``--out`` writes them."""
    from pathlib import Path

    from redline.checks.app.cli.table import format_table
    from redline.layers import load_layerset
    from redline.layers.diff import DIFF_COLUMNS, diff_layersets
    from redline.zones.labels import class_label, kind_label

    w = Words(args.lang)
    diff = diff_layersets(load_layerset(args.old), load_layerset(args.new))
    changes = {
        "added": w("新增", "added"),
        "removed": w("删除", "removed"),
        "reshaped": w("边界调整", "reshaped"),
        "reclassed": w("级别调整", "reclassed"),
    }
    rows = []
    for r in diff.itertuples(index=False):
        classes = [class_label(r.kind, c, args.lang) or "—" for c in (r.old_class, r.new_class)]
        cls = classes[0] if classes[0] == classes[1] else f"{classes[0]} → {classes[1]}"
        ha = "" if r.area_change_ha != r.area_change_ha else f"{r.area_change_ha:+,.2f}"
        mu = "" if r.area_change_m2 != r.area_change_m2 else f"{r.area_change_m2 / (10_000 / 15):+,.2f}"
        rows.append(
            [kind_label(r.kind, args.lang), r.zone_id, r.zone_name or "", changes.get(r.change, r.change), cls, ha, mu]
        )
    if rows:
        headers = [
            w("类型", "kind"),
            w("区域编号", "zone"),
            w("名称", "name"),
            w("变化", "change"),
            w("分级", "class"),
            w("面积变化（公顷）", "area change (ha)"),
            w("亩", "mu"),
        ]
        print(format_table(headers, rows, "<<<<<>>"))
    counts = diff["change"].value_counts()
    parts = [f"{changes[c]} {int(counts.get(c, 0))}" for c in changes]
    print(w(f"共 {len(diff)} 个区域有变化：", f"{len(diff)} zone(s) changed: ") + w("，", ", ").join(parts))
    if args.out:
        path = Path(args.out)
        path.parent.mkdir(parents=True, exist_ok=True)
        diff[DIFF_COLUMNS].to_csv(path, index=False, encoding="utf-8-sig")
        print(f"→ {path.resolve()}")
