"""``redline rules``: list, show, document and validate the rule catalogue; list the project tags."""

from __future__ import annotations

import argparse
from pathlib import Path

from redline.checks.app.cli_args import add_lang
from redline.zones.errors import RedlineError, param_ref

__all__ = ["add_parsers"]


def add_parsers(sub) -> None:
    """Add ``rules`` and its subcommands to the ``redline`` subcommands."""
    rules = sub.add_parser("rules", help="the rule catalogue")
    rsub = rules.add_subparsers(dest="rules_command", metavar="SUBCOMMAND", required=True)
    rlist = rsub.add_parser("list", help="list every rule")
    rlist.add_argument("--kind", help="only rules of this kind")
    add_lang(rlist, None)
    rlist.add_argument(
        "--layers", metavar="PATH", help="the rules in force for this layer set (with its regional catalogues)"
    )
    rlist.set_defaults(run=_list)
    show = rsub.add_parser("show", help="show one rule in full")
    show.add_argument("code")
    add_lang(show, None)
    show.add_argument("--layers", metavar="PATH", help="look the code up in this layer set's catalogues too")
    show.set_defaults(run=_show)
    validate = rsub.add_parser(
        "validate", help="check a rule catalogue (YAML) or an access-list table (CSV/XLSX); report every problem"
    )
    validate.add_argument("file")
    validate.set_defaults(run=_validate)
    rsub.add_parser("tags", help="list the project tags rules can test").set_defaults(run=_tags)
    rsub.add_parser(
        "docs", help="print docs/rules.md (a Markdown table of every rule code) from the catalogues"
    ).set_defaults(run=_docs)


def _catalog(args: argparse.Namespace):
    """Return the national catalogue, or with ``--layers`` the rules in force for that layer set."""
    if getattr(args, "layers", None):
        from redline.layers import load_layerset

        return load_layerset(args.layers).catalog()
    from redline.zones.rules import national_catalog

    return national_catalog()


def _list(args: argparse.Namespace) -> None:
    catalog = _catalog(args)
    if args.kind:
        from redline.zones.kinds import get_kind

        try:
            get_kind(args.kind)
        except KeyError as exc:
            raise RedlineError(f"{param_ref('kind')}: {exc.args[0]}", param="kind", value=args.kind) from None
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


def _show(args: argparse.Namespace) -> None:
    rule = _catalog(args).get(args.code)
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


def _docs(args: argparse.Namespace) -> None:
    from redline.zones.rules import rules_markdown

    print(rules_markdown(), end="")


def _tags(args: argparse.Namespace) -> None:
    from redline.zones.tags import TAGS

    for tag, (zh, en) in TAGS.items():
        print(f"{tag:<32} {zh}  — {en}")


def _validate(args: argparse.Namespace) -> None:
    """``redline rules validate FILE``: a catalogue (YAML) or an access-list table (CSV/XLSX)."""
    import yaml

    from redline.layers.tables import TABLE_SUFFIXES, read_table
    from redline.zones.access_list import validate_access_frame
    from redline.zones.rules import validate_catalog_data

    path = Path(args.file)
    if not path.is_file():
        raise RedlineError(
            f"'{path}' does not exist; give a rule catalogue (.yaml) or an access list (.csv/.xlsx)",
            param="file",
            value=str(path),
        )
    if path.suffix.lower() in TABLE_SUFFIXES:
        df = read_table(path)
        problems = validate_access_frame(df.rename(columns=lambda c: str(c).strip()), str(path))
        what, count = "access list", f"{len(df)} clauses"
    else:
        try:
            data = yaml.safe_load(path.read_text("utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise RedlineError(
                f"rule catalogue '{path}' is not valid UTF-8 YAML: {exc}", param="file", value=str(path)
            ) from None
        problems = validate_catalog_data(data, str(path))
        what, count = "rule catalogue", f"{len(data['rules'])} rules" if not problems else ""
    if problems:
        lines = "\n".join(f"  - {p}" for p in problems)
        raise RedlineError(f"{what} '{path}' has {len(problems)} problem(s):\n{lines}", param="file", value=str(path))
    print(f"{path}: OK, {count}")
