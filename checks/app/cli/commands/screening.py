"""``redline demo``, ``redline check`` and ``redline batch``: screen sites and write the outputs.

Each builds the options of a run from its arguments and hands it to
:func:`redline.checks.app.run.run_screening`; the result is printed before the files are written,
and with ``--register`` the run is recorded once they are.
"""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Callable

from redline.checks import options
from redline.checks.app.cli import console
from redline.checks.app.cli.commands.project_args import add_field_options, add_project_options, site_options
from redline.checks.app.cli.i18n import Words
from redline.checks.app.cli_args import add_lang, add_layers, option_type

__all__ = ["add_parsers", "add_register_option", "open_register_of"]


def _common(p: argparse.ArgumentParser, w: Words, *, project: bool = True, info: bool = False) -> None:
    add_layers(p, w)
    if project:
        add_project_options(p, w, info=info)
    p.add_argument(
        "--buffer",
        type=option_type(options.buffer_m, w.lang),
        default=1000.0,
        metavar="METRES",
        help=w(
            "报告此距离（米）以内的相邻区域（默认 1000）", "report zones within this distance as nearby (default 1000)"
        ),
    )
    p.add_argument(
        "--nearby",
        choices=options.NEARBY,
        default="nearest",
        help=w(
            "只相邻（不相交）的区域：每类每级只报最近的一个（nearest，默认）或全部报告（all）；结论相同",
            "of the zones only near a site, report the nearest of each kind and class (default) or all",
        ),
    )
    p.add_argument(
        "--crs",
        metavar="CRS",
        help=w(
            "选址坐标的坐标系：EPSG 代码、CGCS2000-GK3-36、CGCS2000-GK3-CM108、XIAN80-…/BEIJING54-…、gcj02、bd09"
            "（DXF 必须给出）",
            "CRS of the site coordinates: EPSG code, CGCS2000-GK3-36, CGCS2000-GK3-CM108, XIAN80-…/BEIJING54-…, "
            "gcj02, bd09 (required for DXF)",
        ),
    )
    add_lang(
        p, w("报告、地图和提示的语言：zh（中文，默认）或 en", "language of reports, maps and messages (default zh)")
    )
    p.add_argument(
        "--formats",
        metavar="LIST",
        default="all",
        help=w(
            "要写出的结果：csv,gpkg,html,map,docx,xlsx 中的若干个（逗号分隔），或 all（默认）",
            "outputs to write: comma list of csv,gpkg,html,map,docx,xlsx or all (default)",
        ),
    )
    p.add_argument("--quiet", action="store_true", help=w("只显示错误", "print only errors"))


def _site_policy(p: argparse.ArgumentParser, w: Words) -> None:
    p.add_argument(
        "--on-invalid",
        choices=options.ON_INVALID,
        default="raise",
        help=w(
            "无效的选址多边形：记为错误行（raise，默认）、同样处理并给出警告（warn），"
            "或用 make_valid 修复并注明（fix）",
            "invalid site polygons: report the row as an error (raise, default), the same with a warning (warn), "
            "or repair with make_valid and note it (fix)",
        ),
    )


def _layer_option(p: argparse.ArgumentParser, w: Words) -> None:
    p.add_argument(
        "--layer",
        help=w(
            "多图层文件中的图层、KML 文件夹或 DXF 图层",
            "layer of a multi-layer file; a KML folder; a DXF drawing layer",
        ),
    )


def add_register_option(p: argparse.ArgumentParser, w: Words, *, required: bool = False) -> None:
    """Add ``--register PATH.gpkg|postgresql://...`` (the register of runs, 台账)."""
    p.add_argument(
        "--register",
        metavar="PATH.gpkg|postgresql://…",
        required=required,
        help=w(
            "台账：GeoPackage 文件或 PostGIS 数据库（postgresql://用户@主机/库，密码见 PGPASSWORD 或 ~/.pgpass）；"
            "写出结果后记录本次运行（运行失败不记录）",
            "the register (台账): a GeoPackage file or a PostGIS database (postgresql://user@host/db, password from "
            "PGPASSWORD or ~/.pgpass); the run is recorded once its outputs are written (a failed run records nothing)",
        ),
    )


def open_register_of(args: argparse.Namespace):
    """Return the register ``--register`` names (opened now, so a bad one fails before the screening), or None."""
    target = getattr(args, "register", None)
    if not target:
        return None
    from redline.checks.register import open_register

    return open_register(target)


def _batch_parser(sub, w: Words) -> None:
    batch = sub.add_parser(
        "batch",
        help=w(
            "批量筛查文件中的每个选址：SHP/GPKG/GeoJSON/FGB/KML/KMZ/DXF，"
            "含经纬度或 WKT 的 CSV/XLSX，或界址点表（点号, X, Y）",
            "screen every site of a file: SHP/GPKG/GeoJSON/FGB/KML/KMZ/DXF, CSV/XLSX with lon,lat or WKT, "
            "or a 界址点 table (点号, X, Y)",
        ),
    )
    batch.add_argument("sites_file", metavar="SITES_FILE", help=w("选址文件", "the file of sites"))
    batch.add_argument("--out", required=True, metavar="DIR", help=w("输出文件夹", "output folder"))
    add_field_options(batch, w)
    _layer_option(batch, w)
    batch.add_argument(
        "--encoding",
        type=option_type(options.encoding, w.lang),
        help=w(
            "Shapefile 的 DBF 或 CSV 的文字编码（默认自动识别）",
            "text encoding of a shapefile's DBF or a CSV (default: detected)",
        ),
    )
    batch.add_argument(
        "--engine",
        choices=options.ENGINES,
        default="local",
        help=w(
            "在哪里筛查：本机（local，默认）或 Dask 分布式集群（dask，需安装 dask 扩展）",
            "where to screen: this machine (default) or a Dask distributed cluster (needs the dask extra)",
        ),
    )
    batch.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help=w(
            "配合 --engine dask：调度器地址，如 tcp://10.0.0.5:8786（默认本机临时集群）",
            "with --engine dask: the scheduler, e.g. tcp://10.0.0.5:8786 (default: a local cluster)",
        ),
    )
    batch.add_argument(
        "--chunk-size",
        type=option_type(options.chunk_size, w.lang),
        default=20_000,
        metavar="N",
        help=w(
            "每次读取并筛查的选址数（限制内存；只写 CSV 时全程流式处理，内存不随选址数增长；默认 20000）",
            "read and screen this many sites at a time (bounds the memory; with --formats csv the whole run "
            "streams, so memory does not grow with the number of sites; default 20000)",
        ),
    )
    add_register_option(batch, w)
    _site_policy(batch, w)
    _common(batch, w)
    batch.set_defaults(run=_batch)


def add_parsers(sub, w: Words) -> None:
    """Add ``demo``, ``check`` and ``batch`` to the ``redline`` subcommands."""
    demo = sub.add_parser(
        "demo",
        help=w(
            "筛查内置的示意选址并写出全部结果", "screen the bundled illustrative sample sites and write every output"
        ),
    )
    demo.add_argument(
        "--out",
        default="redline-demo",
        metavar="DIR",
        help=w("输出文件夹（默认 ./redline-demo）", "output folder (default ./redline-demo)"),
    )
    _common(demo, w, project=False)
    demo.set_defaults(run=_demo)

    check = sub.add_parser(
        "check",
        help=w('筛查一个选址："经度,纬度"、WKT 或矢量文件', 'screen one site: "lon,lat", WKT, or a vector file'),
    )
    check.add_argument(
        "site", metavar="SITE", help=w('"经度,纬度"、WKT，或矢量文件', '"lon,lat", WKT, or a vector file')
    )
    check.add_argument("--out", metavar="DIR", help=w("同时把结果写入此文件夹", "also write the outputs into DIR"))
    check.add_argument(
        "--site-id",
        help=w(
            "选址编号（默认：项目编号，否则项目名称，否则“选址1”）",
            "id of the site in the outputs (default: the project number, else its name, else site-1)",
        ),
    )
    _layer_option(check, w)
    add_register_option(check, w)
    _site_policy(check, w)
    _common(check, w, info=True)
    check.set_defaults(run=_check)
    _batch_parser(sub, w)


def _screen_options(args: argparse.Namespace):
    from redline.checks.app.run import ScreenOptions

    given = {name: getattr(args, name) for name in ("chunk_size", "engine", "scheduler") if hasattr(args, name)}
    return ScreenOptions(buffer_m=args.buffer, nearby=args.nearby, lang=args.lang, **given)


def _run(
    args: argparse.Namespace, source, *, show: Callable, out=None, stream: bool | None = False, progress: bool = False
) -> None:
    """Run the screening, print the result (before the files are written) and the files; record it when asked.

    ``stream=None`` lets a batch stream when it writes only the CSV tables (then only its summary is
    printed); a run to record keeps its whole result.
    """
    from redline.checks.app.run import run_screening

    formats = options.formats(args.formats)  # checked first, as every option is before a file is read
    sites = site_options(args)
    register = open_register_of(args)
    run = run_screening(
        source,
        args.layers,
        sites=sites,
        screen=_screen_options(args),
        out=out,
        formats=formats,
        stream=False if register is not None else stream,
        progress=progress,
        on_screened=show,
        register=register,
        command=shlex.join(["redline", *getattr(args, "argv", [])]),
    )
    if run.streamed:
        console.print_summary(args, run.n_sites, run.verdicts, run.illustrative)
    console.print_files(args, out, run.files)
    if run.run_id is not None:
        w = Words(args.lang)
        console.say(
            args,
            w(
                f"已记入台账 {register.target}：第 {run.run_id} 次运行",
                f"recorded in {register.target}: run {run.run_id}",
            ),
        )


def _demo(args: argparse.Namespace) -> None:
    """``redline demo``: the bundled sample sites, every site listed."""
    from redline.checks.app.run import SitesFile
    from redline.layers import sample_dir

    def show(result) -> None:
        console.print_result(args, result, detail=False, table=True)

    source = SitesFile(sample_dir() / "sites.geojson", label="sample: sites.geojson")
    _run(args, source, show=show, out=args.out)


def _check(args: argparse.Namespace) -> None:
    """``redline check``: one site (or the sites of a file), each with its findings."""
    from redline.checks.app.run import default_site_id, site_input

    site_id = args.site_id or default_site_id(args.project_no, args.project_name, args.lang)
    if args.register and not (args.site_id or args.project_no or args.project_name):
        w = Words(args.lang)
        console.warn(
            args,
            w(
                f"未给出 --site-id、--project-no 或 --project-name：台账中以“{site_id}”记录，不同项目的记录会混在一起",
                f"no --site-id, --project-no or --project-name: recorded as {site_id!r}, where other projects' "
                "runs are recorded too",
            ),
        )
    _run(
        args,
        site_input(args.site, site_id),
        show=lambda result: console.print_result(args, result, detail=True),
        out=args.out,
    )


def _batch(args: argparse.Namespace) -> None:
    """``redline batch``: CSV tables stream chunk by chunk; other outputs, Dask and a register need the whole result."""
    from redline.checks.app.run import SitesFile

    show = lambda result: console.print_result(args, result, detail=False)  # noqa: E731
    source = SitesFile(args.sites_file)
    _run(args, source, show=show, out=args.out, stream=None, progress=console.show_progress(args))
