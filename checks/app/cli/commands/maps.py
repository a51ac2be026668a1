"""``redline map``: a zoning map of a layer set for planners (HTML, PNG or PDF)."""

from __future__ import annotations

import argparse

from redline.checks.app.cli import console
from redline.checks.app.cli.i18n import Words
from redline.checks.app.cli_args import add_lang

__all__ = ["add_parsers"]

#: ``write_zoning_map`` takes the map file as ``path`` (``--out`` here).
MAP_FLAGS = {"path": "--out"}


def add_parsers(sub, w: Words) -> None:
    """Add ``map`` to the ``redline`` subcommands."""
    zoning = sub.add_parser(
        "map",
        help=w(
            "为规划人员绘制图层集的分区管控图：zoning.html、zoning.png 或 zoning.pdf",
            "draw a zoning map of a layer set for planners: zoning.html, zoning.png or zoning.pdf",
        ),
    )
    zoning.add_argument(
        "layers",
        nargs="?",
        default="sample",
        metavar="LAYERS",
        help=w("图层集（默认 sample）", "layer set (default: sample)"),
    )
    zoning.add_argument(
        "--out",
        required=True,
        metavar="FILE",
        help=w(
            "输出文件：.html（可交互）、.png 或 .pdf（打印），由后缀决定",
            "zoning.html (interactive), .png or .pdf (print); the suffix decides",
        ),
    )
    zoning.add_argument(
        "--kind",
        action="append",
        default=[],
        metavar="KIND",
        help=w("只画此类区域（可重复；默认全部）", "only this kind (repeatable; default: all)"),
    )
    zoning.add_argument(
        "--title",
        help=w(
            "图名（默认：生态环境分区管控图，只画一类时为 <类型>分布图）",
            "map title (default: 生态环境分区管控图, or <kind>分布图 for one kind)",
        ),
    )
    zoning.add_argument(
        "--paper",
        choices=("A4", "A3"),
        default="A4",
        help=w("PNG/PDF 的纸张，横向（默认 A4）", "paper for PNG/PDF, landscape (default A4)"),
    )
    zoning.add_argument(
        "--dpi", type=int, default=300, help=w("PNG 的分辨率（默认 300）", "resolution of a PNG (default 300)")
    )
    add_lang(
        zoning, w("图名、图例和提示的语言：zh（默认）或 en", "language of title, legend and messages (default zh)")
    )
    zoning.add_argument("--quiet", action="store_true", help=w("只显示错误", "print only errors"))
    zoning.set_defaults(run=_map, flags=MAP_FLAGS)


def _map(args: argparse.Namespace) -> None:
    from redline.layers import load_layerset
    from redline.maps.zoning_map import write_zoning_map

    layerset = load_layerset(args.layers)
    kinds = [k.strip() for v in args.kind for k in v.split(",") if k.strip()]
    path = write_zoning_map(
        layerset, args.out, kinds=kinds or None, lang=args.lang, title=args.title, dpi=args.dpi, paper=args.paper
    )
    console.say(args, f"→ {path.resolve()}")
