"""The ``redline`` command line.

Exit status: 0 when the run finished (whatever the verdicts), 2 with one message
on stderr when the input cannot be used, 130 when interrupted; ``redline layers
validate --strict`` exits 1 when the layers have a problem (an error, not a warning).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

from redline._version import __version__
from redline.checks.app.cli_args import number_option
from redline.zones.errors import RedlineError

__all__ = ["main"]

_LANGS = ("zh", "en")

_buffer = number_option(
    float,
    lambda m: 0 <= m <= 100_000,
    "--buffer: {value!r} is not a number of metres (e.g. 1000)",
    "--buffer: {value} is outside 0..100000 metres",
)
_positive_int = number_option(int, lambda n: n >= 1, "{value!r} is not a whole number", "{value} must be at least 1")
_tolerance = number_option(
    float,
    lambda m2: 0 <= m2 < float("inf"),
    "--tolerance: {value!r} is not a number of m² (e.g. 1)",
    "--tolerance: {value} is not a non-negative number of m²",
)


def _common(p: argparse.ArgumentParser, *, project: bool = True) -> None:
    p.add_argument(
        "--layers", default="sample", metavar="PATH", help="layerset.yaml, a folder holding one, or 'sample' (default)"
    )
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
        type=_buffer,
        default=1000.0,
        metavar="METRES",
        help="report zones within this distance as nearby (default 1000)",
    )
    p.add_argument(
        "--nearby",
        choices=("nearest", "all"),
        default="nearest",
        help="of the zones only near a site, report the nearest of each kind and class (default) or all",
    )
    p.add_argument(
        "--crs",
        metavar="CRS",
        help="CRS of the site coordinates: EPSG code, CGCS2000-GK3-36, CGCS2000-GK3-CM108, XIAN80-…/BEIJING54-…, "
        "gcj02, bd09 (required for DXF)",
    )
    p.add_argument("--lang", choices=_LANGS, default="zh", help="language of reports and maps (default zh)")
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
        choices=("raise", "warn", "fix"),
        default="raise",
        help="invalid site polygons: report the row as an error (raise, default), the same with a warning (warn), "
        "or repair with make_valid and note it (fix)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="redline",
        description="Screen project sites against ecological red lines, drinking-water source zones, "
        "'三线一单' control units and permanent basic farmland.",
    )
    parser.add_argument("--version", action="version", version=f"redline-checker {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = sub.add_parser("demo", help="screen the bundled illustrative sample sites and write every output")
    demo.add_argument("--out", default="redline-demo", metavar="DIR", help="output folder (default ./redline-demo)")
    _common(demo, project=False)

    check = sub.add_parser("check", help='screen one site: "lon,lat", WKT, or a vector file')
    check.add_argument("site", metavar="SITE")
    check.add_argument("--out", metavar="DIR", help="also write the outputs into DIR")
    check.add_argument("--site-id", default="site", help="id of the site in the outputs")
    check.add_argument("--layer", help="layer of a multi-layer file; a KML folder; a DXF drawing layer")
    _site_policy(check)
    _common(check)

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
    batch.add_argument("--encoding", help="text encoding of a shapefile's DBF or a CSV (default: detected)")
    batch.add_argument(
        "--engine",
        choices=("local", "dask"),
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
        type=_positive_int,
        default=20_000,
        metavar="N",
        help="read and screen this many sites at a time (bounds the memory; with --formats csv the whole run "
        "streams, so memory does not grow with the number of sites; default 20000)",
    )
    _site_policy(batch)
    _common(batch)

    layers = sub.add_parser("layers", help="inspect and validate a layer set")
    lsub = layers.add_subparsers(dest="layers_command", metavar="SUBCOMMAND", required=True)
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
    info.add_argument("--lang", choices=_LANGS, default="zh", help="language of the tables (default zh)")
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
        type=_tolerance,
        default=0.0,
        metavar="M2",
        help="overlaps, gaps and overhangs smaller than this (m²) are sliver warnings, not errors (default 0)",
    )
    lvalidate.add_argument("--limit", type=int, default=20, metavar="N", help="problems shown per check (default 20)")
    lvalidate.add_argument("--lang", choices=_LANGS, default="zh", help="language of the messages (default zh)")
    lvalidate.add_argument("--quiet", action="store_true", help="print nothing (the exit status and files say it)")

    rules = sub.add_parser("rules", help="the rule catalogue")
    rsub = rules.add_subparsers(dest="rules_command", metavar="SUBCOMMAND", required=True)
    rlist = rsub.add_parser("list", help="list every rule")
    rlist.add_argument("--kind", help="only rules of this kind")
    rlist.add_argument("--lang", choices=_LANGS, default="zh")
    rlist.add_argument(
        "--layers", metavar="PATH", help="the rules in force for this layer set (with its regional catalogues)"
    )
    show = rsub.add_parser("show", help="show one rule in full")
    show.add_argument("code")
    show.add_argument("--lang", choices=_LANGS, default="zh")
    show.add_argument("--layers", metavar="PATH", help="look the code up in this layer set's catalogues too")
    validate = rsub.add_parser(
        "validate", help="check a rule catalogue (YAML) or an access-list table (CSV/XLSX); report every problem"
    )
    validate.add_argument("file")
    rsub.add_parser("tags", help="list the project tags rules can test")
    rsub.add_parser("docs", help="print docs/rules.md (a Markdown table of every rule code) from the catalogues")

    sub.add_parser("versions", help="print versions of redline-checker and its libraries (for bug reports)")

    from redline.checks.app.service.cli import add_serve_parser

    add_serve_parser(sub)

    zoning = sub.add_parser(
        "map", help="draw a zoning map of a layer set for planners: zoning.html, zoning.png or zoning.pdf"
    )
    zoning.add_argument("layers", nargs="?", default="sample", metavar="LAYERS", help="layer set (default: sample)")
    zoning.add_argument(
        "--out",
        required=True,
        metavar="FILE",
        help="zoning.html (interactive), .png or .pdf (print); the suffix decides",
    )
    zoning.add_argument(
        "--kind", action="append", default=[], metavar="KIND", help="only this kind (repeatable; default: all)"
    )
    zoning.add_argument("--title", help="map title (default: 生态环境分区管控图, or <kind>分布图 for one kind)")
    zoning.add_argument("--paper", choices=("A4", "A3"), default="A4", help="paper for PNG/PDF, landscape (default A4)")
    zoning.add_argument("--dpi", type=int, default=300, help="resolution of a PNG (default 300)")
    zoning.add_argument("--lang", choices=_LANGS, default="zh", help="language of title and legend (default zh)")
    zoning.add_argument("--quiet", action="store_true", help="print only errors")
    return parser


def _dask_screen(args: argparse.Namespace):
    """Return ``screen_sites`` bound to the Dask cluster named by ``--scheduler``."""
    try:
        from redline.checks.dask_screen import screen_sites_dask
    except ImportError as exc:
        raise RedlineError(
            f"--engine dask needs Dask ({exc.name} is not installed); install it with: "
            "pip install 'redline-checker[dask]'"
        ) from None

    def screen(sites, layerset, **kwargs):
        return screen_sites_dask(sites, layerset, scheduler=args.scheduler, **kwargs)

    return screen


def _show_progress(args: argparse.Namespace) -> bool:
    """Progress bars only for a person watching: not with --quiet, not when stderr is a file or pipe."""
    return not getattr(args, "quiet", False) and sys.stderr.isatty()


def _say(args: argparse.Namespace, text: str = "") -> None:
    if not getattr(args, "quiet", False):
        print(text)


def _tags(values: list[str]) -> list[str]:
    return [t.strip() for v in values for t in v.replace("；", ";").split(";") if t.strip()]


def _print_result(args: argparse.Namespace, result, *, detail: bool) -> None:
    from redline.zones.kinds import KINDS
    from redline.zones.labels import t
    from redline.zones.verdicts import verdict_label

    lang = args.lang
    if result.illustrative:
        _say(args, "⚠ " + t("illustrative_notice", lang))
    if detail:
        for _, site in result.sites.iterrows():
            _say(
                args,
                f"{site['site_id']}: {verdict_label(site['verdict'] or 'error', lang)} ({site['verdict'] or 'error'})",
            )
            for _, f in result.findings[result.findings["site_id"] == site["site_id"]].iterrows():
                kind = KINDS[f["kind"]]
                measure = ""
                if f["overlap_area_m2"] == f["overlap_area_m2"]:
                    measure = f" {f['overlap_area_m2']:,.1f} m² ({f['overlap_ratio']:.1%})"
                elif f["overlap_length_m"] == f["overlap_length_m"]:
                    measure = f" {f['overlap_length_m']:,.1f} m"
                if f["relation"] == "nearby":
                    measure = f" {f['distance_m']:,.1f} m"
                _say(
                    args,
                    f"  - {kind.label(lang)} {f['zone_id']} {f['zone_name']} {kind.class_label(f['zone_class'], lang)}"
                    f" | {f['relation']}{measure} | {verdict_label(f['verdict'], lang)} {f['rule_id']}",
                )
                clauses = result.access_lists.get(f["zone_id"]) if f["kind"] == "control_unit" else None
                if clauses:
                    _print_access_list(args, clauses, set(str(f["matched_rules"]).split(";")))
    counts = result.verdict_counts()
    _say(args, t("summary_line", lang, n=len(result.sites), **counts))


def _print_access_list(args: argparse.Namespace, clauses, matched: set[str]) -> None:
    """Print a touched unit's access list: matched clauses marked, every clause shown."""
    from redline.zones.verdicts import verdict_label

    dimension = None
    for clause in clauses:
        if clause.dimension != dimension:
            dimension = clause.dimension
            _say(args, f"      【{dimension}】")
        mark = "✔" if clause.clause_id in matched else " "
        verdict = f" [{verdict_label(clause.verdict, args.lang)}]" if clause.verdict else ""
        _say(args, f"      {mark} {clause.clause_id}{verdict} {clause.text}")


def _write(args: argparse.Namespace, result, out: str | None) -> None:
    if not out:
        return
    from redline.checks.outputs.writers import write_outputs

    files = write_outputs(result, out, formats=args.formats_list, lang=args.lang)
    _say(args, f"→ {Path(out).resolve()}: " + ", ".join(p.name for p in files))


def _cmd_demo(args: argparse.Namespace) -> None:
    from redline.checks.screen import screen_sites
    from redline.checks.sites.reader import read_sites
    from redline.layers import load_layerset, sample_dir

    layerset = load_layerset(args.layers)
    sites_path = sample_dir() / "sites.geojson"
    sites, crs_label = read_sites(sites_path, crs=args.crs)
    result = screen_sites(
        sites,
        layerset,
        buffer_m=args.buffer,
        nearby=args.nearby,
        lang=args.lang,
        meta={"input_crs": crs_label, "source": "sample: sites.geojson"},
    )
    _print_result(args, result, detail=False)
    _print_sites_table(args, result)
    _write(args, result, args.out)


def _print_sites_table(args: argparse.Namespace, result) -> None:
    from redline.zones.verdicts import verdict_label

    for _, s in result.sites.iterrows():
        verdict = "error" if s["status"] == "error" else s["verdict"]
        _say(args, f"  {s['site_id']:<8} {verdict_label(verdict, args.lang):<8} {s['n_findings']:>3}  {s['name']}")


def _cmd_check(args: argparse.Namespace) -> None:
    from redline.checks.screen import check_site, screen_sites
    from redline.checks.sites.reader import read_sites_and_layers
    from redline.layers import load_layerset

    tags = _tags(args.tag)
    if Path(args.site).exists():
        sites, crs_label, layerset = read_sites_and_layers(
            args.site,
            args.layers,
            crs=args.crs,
            layer=args.layer,
            industry=args.industry,
            tags=tags,
            action=args.action,
            on_invalid=args.on_invalid,
        )
        result = screen_sites(
            sites,
            layerset,
            buffer_m=args.buffer,
            nearby=args.nearby,
            lang=args.lang,
            meta={"input_crs": crs_label, "source": args.site, "input_encoding": sites.attrs.get("encoding", "")},
        )
    else:
        layerset = load_layerset(args.layers)
        result = check_site(
            args.site,
            layerset,
            industry=args.industry,
            tags=tags,
            action=args.action,
            buffer_m=args.buffer,
            nearby=args.nearby,
            crs=args.crs,
            site_id=args.site_id,
            lang=args.lang,
            on_invalid=args.on_invalid,
        )
    _print_result(args, result, detail=True)
    _write(args, result, args.out)


def _batch_read_kwargs(args: argparse.Namespace) -> dict:
    return {
        "id_field": args.id_field,
        "name_field": args.name_field,
        "industry_field": args.industry_field,
        "tags_field": args.tags_field,
        "action_field": args.action_field,
        "crs": args.crs,
        "layer": args.layer,
        "industry": args.industry,
        "tags": _tags(args.tag),
        "action": args.action,
        "on_invalid": args.on_invalid,
        "encoding": args.encoding,
    }


def _batch_streamed(args: argparse.Namespace) -> None:
    """``redline batch --formats csv`` on this machine: read, screen and write a chunk at a time."""
    from redline.checks.app.batch_stream import stream_batch
    from redline.checks.sites.chunks import iter_sites
    from redline.checks.sites.reader import load_layers_placed_by_sites, sites_center
    from redline.zones.labels import t

    read_kwargs = _batch_read_kwargs(args)

    def center_of_sites():  # only when a layer has no CRS: the first chunk's middle places the proposal
        return sites_center(next(iter(iter_sites(args.sites_file, chunk_size=args.chunk_size, **read_kwargs))))

    layerset = load_layers_placed_by_sites(args.layers, center_of_sites)
    chunks = iter_sites(args.sites_file, chunk_size=args.chunk_size, near=layerset.center(), **read_kwargs)
    run = stream_batch(
        chunks,
        layerset,
        args.out,
        buffer_m=args.buffer,
        nearby=args.nearby,
        lang=args.lang,
        chunk_size=args.chunk_size,
        progress=_show_progress(args),
        meta={"input_crs": chunks.crs_label, "source": str(args.sites_file), "input_encoding": chunks.encoding_note},
    )
    if run.illustrative:
        _say(args, "⚠ " + t("illustrative_notice", args.lang))
    _say(args, t("summary_line", args.lang, n=run.summary["n_sites"], **run.summary["verdicts"]))
    _say(args, f"→ {Path(args.out).resolve()}: " + ", ".join(p.name for p in run.files))


def _cmd_batch(args: argparse.Namespace) -> None:
    """``redline batch``: CSV tables stream chunk by chunk; other outputs and Dask need the whole result."""
    from redline.checks.screen import screen_sites
    from redline.checks.sites.reader import read_sites_and_layers

    if args.engine == "local" and set(args.formats_list) <= {"csv"}:
        _batch_streamed(args)
        return
    from redline.checks.outputs.writers import GEOMETRY_FORMATS

    sites, crs_label, layerset = read_sites_and_layers(args.sites_file, args.layers, **_batch_read_kwargs(args))
    screen = screen_sites
    if args.engine == "dask":
        screen = _dask_screen(args)
    result = screen(
        sites,
        layerset,
        buffer_m=args.buffer,
        nearby=args.nearby,
        lang=args.lang,
        chunk_size=args.chunk_size,
        progress=_show_progress(args),
        overlap_geometry=bool(GEOMETRY_FORMATS & set(args.formats_list)),
        meta={
            "input_crs": crs_label,
            "source": str(args.sites_file),
            "input_encoding": sites.attrs.get("encoding", ""),
        },
    )
    _print_result(args, result, detail=False)
    _write(args, result, args.out)


def _cmd_layers(args: argparse.Namespace) -> int:
    if args.layers_command == "validate":
        return _layers_validate(args)
    _layers_info(args)
    return 0


def _layers_validate(args: argparse.Namespace) -> int:
    """``redline layers validate``: exit 1 under --strict when an error was found."""
    from redline.layers.validate import validate_layerset

    report = validate_layerset(
        args.layers, region=args.region, crs=args.crs, tolerance_m2=args.tolerance, lang=args.lang
    )
    _say(args, report.summary(limit=args.limit))
    if args.out:
        files = report.write(args.out)
        _say(args, f"→ {Path(args.out).resolve()}: " + ", ".join(p.name for p in files))
    if args.strict and not report.ok:
        n = len(report.errors)
        _say(args, f"--strict: {n} 个错误，退出码 1" if args.lang == "zh" else f"--strict: {n} error(s), exit 1")
        return 1
    return 0


def _layers_info(args: argparse.Namespace) -> None:
    from redline.layers import load_layerset
    from redline.layers.geodesy import geodesic_area
    from redline.layers.inventory import inventory
    from redline.layers.outline import read_districts, read_outline
    from redline.zones.kinds import KINDS

    ls = load_layerset(args.layers)
    region = None
    if args.region:
        import shapely

        region = shapely.union_all(read_outline(args.region, crs=args.crs, what="--region").geometry.values)
    districts = read_districts(args.by, crs=args.crs, name_field=args.by_field)
    print(f"{ls.name}")
    print(f"manifest: {ls.path}")
    if ls.illustrative:
        print("illustrative: yes (示意数据，非官方)")
    for layer in ls.layers:
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
    inv = inventory(ls, region=region, region_label=Path(args.region).name if args.region else "", districts=districts)
    print()
    print(inv.text(args.lang))
    if args.out:
        print(f"→ {inv.write(args.out).resolve()}")


def _cmd_rules(args: argparse.Namespace) -> None:
    from redline.zones.rules import national_catalog
    from redline.zones.tags import TAGS

    catalog = national_catalog()
    if getattr(args, "layers", None):
        from redline.layers import load_layerset

        catalog = load_layerset(args.layers).catalog()
    if args.rules_command == "list":
        if args.kind:
            from redline.zones.kinds import get_kind

            try:
                get_kind(args.kind)
            except KeyError as exc:
                raise RedlineError(f"--kind: {exc.args[0]}") from None
        for catalog_name, version in catalog.versions.items():
            print(f"# {catalog.titles.get(catalog_name, catalog_name)} ({catalog_name}, version {version})")
        for rule in catalog:
            if args.kind and rule.kind != args.kind:
                continue
            title = rule.title_en if args.lang == "en" and rule.title_en else rule.title_zh
            cls = ",".join(rule.zone_class) or "*"
            print(
                f"{rule.code:<6} {rule.kind:<19} {cls:<18} {rule.relation:<10} {rule.verdict:<10} "
                f"{rule.catalog:<14} {title}"
            )
    elif args.rules_command == "show":
        rule = catalog.get(args.code)
        fields = [
            ("code", rule.code),
            ("catalog", rule.catalog),
            ("kind", rule.kind),
            ("zone_class", ", ".join(rule.zone_class) or "(every class)"),
            ("relation", rule.relation),
            ("max_distance_m", rule.max_distance_m),
            ("industries", ", ".join(rule.industries)),
            ("unless_industries", ", ".join(rule.unless_industries)),
            ("tags", ", ".join(sorted(rule.tags))),
            ("unless_tags", ", ".join(sorted(rule.unless_tags))),
            ("actions", ", ".join(rule.actions)),
            ("verdict", rule.verdict),
            ("title", rule.title_en if args.lang == "en" else rule.title_zh),
            ("text", rule.text(args.lang)),
            ("basis", rule.basis),
            ("note", rule.note),
        ]
        for key, value in fields:
            if value not in (None, ""):
                print(f"{key:<18} {value}")
    elif args.rules_command == "docs":
        from redline.zones.rules import rules_markdown

        print(rules_markdown(), end="")
    elif args.rules_command == "tags":
        for tag, (zh, en) in TAGS.items():
            print(f"{tag:<32} {zh}  — {en}")
    else:
        _validate_rules_file(Path(args.file))


def _validate_rules_file(path: Path) -> None:
    """``redline rules validate FILE``: a catalogue (YAML) or an access-list table (CSV/XLSX)."""
    import yaml

    from redline.layers.tables import TABLE_SUFFIXES, read_table
    from redline.zones.access_list import validate_access_frame
    from redline.zones.rules import validate_catalog_data

    if not path.is_file():
        raise RedlineError(f"'{path}' does not exist; give a rule catalogue (.yaml) or an access list (.csv/.xlsx)")
    if path.suffix.lower() in TABLE_SUFFIXES:
        df = read_table(path)
        problems = validate_access_frame(df.rename(columns=lambda c: str(c).strip()), str(path))
        what, count = "access list", f"{len(df)} clauses"
    else:
        try:
            data = yaml.safe_load(path.read_text("utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise RedlineError(f"rule catalogue '{path}' is not valid UTF-8 YAML: {exc}") from None
        problems = validate_catalog_data(data, str(path))
        what, count = "rule catalogue", f"{len(data['rules'])} rules" if not problems else ""
    if problems:
        lines = "\n".join(f"  - {p}" for p in problems)
        raise RedlineError(f"{what} '{path}' has {len(problems)} problem(s):\n{lines}")
    print(f"{path}: OK, {count}")


def _cmd_versions(args: argparse.Namespace) -> None:
    from redline.checks.app.versions import show_versions

    show_versions()


def _cmd_map(args: argparse.Namespace) -> None:
    from redline.layers import load_layerset
    from redline.maps.zoning_map import write_zoning_map

    layerset = load_layerset(args.layers)
    kinds = [k.strip() for v in args.kind for k in v.split(",") if k.strip()]
    path = write_zoning_map(
        layerset, args.out, kinds=kinds or None, lang=args.lang, title=args.title, dpi=args.dpi, paper=args.paper
    )
    _say(args, f"→ {path.resolve()}")


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Print warnings as one plain line (they report repairs and skipped rows, not bugs)."""
    print(f"redline: warning: {message}", file=sys.stderr)


def _cmd_serve(args: argparse.Namespace) -> int:
    from redline.checks.app.service.cli import run_serve

    return run_serve(args)


_COMMANDS = {
    "demo": _cmd_demo,
    "check": _cmd_check,
    "batch": _cmd_batch,
    "layers": _cmd_layers,
    "rules": _cmd_rules,
    "versions": _cmd_versions,
    "map": _cmd_map,
    "serve": _cmd_serve,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``redline`` command line; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    warnings.showwarning = _show_warning
    try:
        if hasattr(args, "formats"):
            from redline.checks.outputs.writers import parse_formats

            args.formats_list = parse_formats(args.formats)
        status = _COMMANDS[args.command](args)
    except RedlineError as exc:
        print(f"redline: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("redline: interrupted", file=sys.stderr)
        return 130
    return int(status or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
