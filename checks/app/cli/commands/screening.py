"""``redline demo``, ``redline check`` and ``redline batch``: screen sites and write the outputs.

Each builds the options of a run from its arguments and hands it to
:func:`redline.checks.app.run.run_screening`; the result is printed before the files are written.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from redline.checks import options
from redline.checks.app.cli import console
from redline.checks.app.cli_args import add_lang, add_layers, option_type

__all__ = ["add_parsers"]


def _common(p: argparse.ArgumentParser, *, project: bool = True) -> None:
    add_layers(p)
    if project:
        p.add_argument(
            "--industry",
            metavar="CODE_OR_NAME",
            help="GB/T 4754-2017 code (e.g. C3360) or exact Chinese name; several with ';'",
        )
        p.add_argument(
            "--tag",
            action="append",
            default=[],
            metavar="TAG",
            help="project tag (repeatable, or ';'-separated); see `redline rules tags`",
        )
        p.add_argument("--action", choices=("new", "expand", "rebuild"), help="default: new")
    p.add_argument(
        "--buffer",
        type=option_type(options.buffer_m),
        default=1000.0,
        metavar="METRES",
        help="report zones within this distance as nearby (default 1000)",
    )
    p.add_argument(
        "--nearby",
        choices=options.NEARBY,
        default="nearest",
        help="of the zones only near a site, report the nearest of each kind and class (default) or all",
    )
    p.add_argument(
        "--crs",
        metavar="CRS",
        help="CRS of the site coordinates: EPSG code, CGCS2000-GK3-36, CGCS2000-GK3-CM108, XIAN80-…/BEIJING54-…, "
        "gcj02, bd09 (required for DXF)",
    )
    add_lang(p)
    p.add_argument(
        "--formats",
        metavar="LIST",
        default="all",
        help="outputs to write: comma list of csv,gpkg,html,map,docx,xlsx or all (default)",
    )
    p.add_argument("--quiet", action="store_true", help="print only errors")


def _site_policy(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--on-invalid",
        choices=options.ON_INVALID,
        default="raise",
        help="invalid site polygons: report the row as an error (raise, default), the same with a warning (warn), "
        "or repair with make_valid and note it (fix)",
    )


def _batch_parser(sub) -> None:
    batch = sub.add_parser(
        "batch",
        help="screen every site of a file: SHP/GPKG/GeoJSON/FGB/KML/KMZ/DXF, CSV/XLSX with lon,lat or WKT, "
        "or a 界址点 table (点号, X, Y)",
    )
    batch.add_argument("sites_file", metavar="SITES_FILE")
    batch.add_argument("--out", required=True, metavar="DIR", help="output folder")
    for role in ("id", "name", "industry", "tags", "action"):
        batch.add_argument(f"--{role}-field", metavar="FIELD", help=f"column holding the site {role}")
    batch.add_argument("--layer", help="layer of a multi-layer file; a KML folder; a DXF drawing layer")
    batch.add_argument(
        "--encoding",
        type=option_type(options.encoding),
        help="text encoding of a shapefile's DBF or a CSV (default: detected)",
    )
    batch.add_argument(
        "--engine",
        choices=options.ENGINES,
        default="local",
        help="where to screen: this machine (default) or a Dask distributed cluster (needs the dask extra)",
    )
    batch.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="with --engine dask: the scheduler, e.g. tcp://10.0.0.5:8786 (default: a local cluster)",
    )
    batch.add_argument(
        "--chunk-size",
        type=option_type(options.chunk_size),
        default=20_000,
        metavar="N",
        help="read and screen this many sites at a time (bounds the memory; with --formats csv the whole run "
        "streams, so memory does not grow with the number of sites; default 20000)",
    )
    _site_policy(batch)
    _common(batch)
    batch.set_defaults(run=_batch)


def add_parsers(sub) -> None:
    """Add ``demo``, ``check`` and ``batch`` to the ``redline`` subcommands."""
    demo = sub.add_parser("demo", help="screen the bundled illustrative sample sites and write every output")
    demo.add_argument("--out", default="redline-demo", metavar="DIR", help="output folder (default ./redline-demo)")
    _common(demo, project=False)
    demo.set_defaults(run=_demo)

    check = sub.add_parser("check", help='screen one site: "lon,lat", WKT, or a vector file')
    check.add_argument("site", metavar="SITE")
    check.add_argument("--out", metavar="DIR", help="also write the outputs into DIR")
    check.add_argument("--site-id", default="site", help="id of the site in the outputs")
    check.add_argument("--layer", help="layer of a multi-layer file; a KML folder; a DXF drawing layer")
    _site_policy(check)
    _common(check)
    check.set_defaults(run=_check)
    _batch_parser(sub)


def _site_options(args: argparse.Namespace):
    """Return the project and reading options the command was given (those it has)."""
    from redline.checks.app.run import SiteOptions

    given = {name: getattr(args, name) for name in _SITE_ARGS if getattr(args, name, None) is not None}
    return SiteOptions(tags=options.split_tags(getattr(args, "tag", [])), **given)


_SITE_ARGS = (
    "crs",
    "layer",
    "industry",
    "action",
    "on_invalid",
    "encoding",
    "id_field",
    "name_field",
    "industry_field",
    "tags_field",
    "action_field",
)


def _screen_options(args: argparse.Namespace):
    from redline.checks.app.run import ScreenOptions

    given = {name: getattr(args, name) for name in ("chunk_size", "engine", "scheduler") if hasattr(args, name)}
    return ScreenOptions(buffer_m=args.buffer, nearby=args.nearby, lang=args.lang, **given)


def _run(
    args: argparse.Namespace, source, *, show: Callable, out=None, stream: bool | None = False, progress: bool = False
) -> None:
    """Run the screening, print the result (before the files are written) and the files.

    ``stream=None`` lets a batch stream when it writes only the CSV tables (then only its summary is printed).
    """
    from redline.checks.app.run import run_screening

    formats = options.formats(args.formats)  # checked first, as every option is before a file is read
    run = run_screening(
        source,
        args.layers,
        sites=_site_options(args),
        screen=_screen_options(args),
        out=out,
        formats=formats,
        stream=stream,
        progress=progress,
        on_screened=show,
    )
    if run.streamed:
        console.print_summary(args, run.n_sites, run.verdicts, run.illustrative)
    console.print_files(args, out, run.files)


def _demo(args: argparse.Namespace) -> None:
    """``redline demo``: the bundled sample sites, every site listed."""
    from redline.checks.app.run import SitesFile
    from redline.layers import sample_dir

    def show(result) -> None:
        console.print_result(args, result, detail=False)
        console.print_sites_table(args, result)

    source = SitesFile(sample_dir() / "sites.geojson", label="sample: sites.geojson")
    _run(args, source, show=show, out=args.out)


def _check(args: argparse.Namespace) -> None:
    """``redline check``: one site (or the sites of a file), each with its findings."""
    from redline.checks.app.run import site_input

    _run(
        args,
        site_input(args.site, args.site_id),
        show=lambda result: console.print_result(args, result, detail=True),
        out=args.out,
    )


def _batch(args: argparse.Namespace) -> None:
    """``redline batch``: CSV tables stream chunk by chunk; other outputs and Dask need the whole result."""
    from redline.checks.app.run import SitesFile

    show = lambda result: console.print_result(args, result, detail=False)  # noqa: E731
    source = SitesFile(args.sites_file)
    _run(args, source, show=show, out=args.out, stream=None, progress=console.show_progress(args))
