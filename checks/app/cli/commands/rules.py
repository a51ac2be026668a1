"""``redline rules``: list, show, document and validate the rules; explain an access list; list the project tags.

Without ``--layers`` the rules are those ``redline check`` applies by default: the national
catalogue and the sample layer set's regional catalogues (so ``redline rules show QZ03`` finds
the codes a default check cites).  Only the manifest is read, never the layers.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from redline.checks.app.cli.i18n import Words
from redline.checks.app.cli.table import format_table
from redline.checks.app.cli_args import add_lang
from redline.zones.errors import RedlineError, param_ref

__all__ = ["add_parsers"]


def add_parsers(sub, w: Words) -> None:
    """Add ``rules`` and its subcommands to the ``redline`` subcommands."""
    from redline.checks.app.cli.commands.rules_access import add_access_parser

    rules = sub.add_parser(
        "rules", help=w("规则目录、准入清单与项目标签", "the rule catalogue, access lists and project tags")
    )
    rsub = rules.add_subparsers(dest="rules_command", metavar=w("子命令", "SUBCOMMAND"), required=True)
    lang_help = w("提示的语言：zh（默认）或 en", "language of the messages (default zh)")
    layers_help = w(
        "图层集：其适用的规则（国家目录加其地方目录）；默认 sample（redline check 默认使用的规则）",
        "the rules in force for this layer set (with its regional catalogues); default: sample, as redline check",
    )
    rlist = rsub.add_parser("list", help=w("列出全部规则", "list every rule"))
    rlist.add_argument("--kind", help=w("只列出此类区域的规则", "only rules of this kind"))
    add_lang(rlist, lang_help)
    rlist.add_argument("--layers", metavar="PATH", default="sample", help=layers_help)
    rlist.set_defaults(run=_list)
    show = rsub.add_parser("show", help=w("显示一条规则的全部内容", "show one rule in full"))
    show.add_argument("code", help=w("规则代码，如 WS01、QZ03", "rule code, e.g. WS01, QZ03"))
    add_lang(show, lang_help)
    show.add_argument("--layers", metavar="PATH", default="sample", help=layers_help)
    show.set_defaults(run=_show)
    validate = rsub.add_parser(
        "validate",
        help=w(
            "检查规则目录（YAML）或准入清单（CSV/XLSX），报告全部问题",
            "check a rule catalogue (YAML) or an access-list table (CSV/XLSX); report every problem",
        ),
    )
    validate.add_argument("file", help=w("规则目录或准入清单文件", "a rule catalogue or an access list"))
    add_lang(validate, lang_help)
    validate.set_defaults(run=_validate)
    add_access_parser(rsub, w)
    tags = rsub.add_parser("tags", help=w("列出规则可判断的项目标签", "list the project tags rules can test"))
    add_lang(tags, lang_help)
    tags.set_defaults(run=_tags)
    docs = rsub.add_parser(
        "docs",
        help=w(
            "输出 docs/rules.md（全部规则代码的 Markdown 表）",
            "print docs/rules.md (a Markdown table of every rule code) from the catalogues",
        ),
    )
    add_lang(docs, lang_help)
    docs.set_defaults(run=_docs)


def _catalog(args: argparse.Namespace):
    """Return the rules in force for ``--layers`` (default sample): national and the manifest's regional catalogues."""
    from redline.layers import resolve_layerset_path
    from redline.layers.manifest import read_manifest
    from redline.zones.rules import catalog_with

    return catalog_with(read_manifest(resolve_layerset_path(args.layers)).catalogs)


_RELATIONS = {
    "intersects": ("相交（位于区内或部分重叠）", "intersects (inside or overlapping)"),
    "nearby": ("邻近", "nearby"),
    "any": ("相交或邻近", "intersects or nearby"),
}


def _relation(rule, w: Words) -> str:
    zh, en = _RELATIONS.get(rule.relation, (rule.relation, rule.relation))
    text = w(zh.split("（")[0], en.split(" (")[0]) if rule.relation == "intersects" else w(zh, en)
    if rule.max_distance_m:
        text += w(f" ≤ {rule.max_distance_m:g} 米", f" ≤ {rule.max_distance_m:g} m")
    return text


def _rule_verdict(verdict: str, w: Words) -> str:
    from redline.zones.verdicts import RULE_VERDICTS, verdict_label

    if verdict == "info":
        return w("提示", "info")
    return verdict_label(RULE_VERDICTS.get(verdict, verdict), w.lang) if verdict in RULE_VERDICTS else verdict


def _list(args: argparse.Namespace) -> None:
    from redline.zones.labels import kind_label

    w = Words(args.lang)
    catalog = _catalog(args)
    if args.kind:
        from redline.zones.kinds import KINDS, get_kind

        try:
            get_kind(args.kind)
        except KeyError as exc:
            raise RedlineError(
                f"{param_ref('kind')}: {exc.args[0]}",
                param="kind",
                value=args.kind,
                zh=f"{param_ref('kind')}：未知的区域类型 {args.kind!r}；已知的类型为 {'、'.join(KINDS)}",
            ) from None
    for catalog_name, version in catalog.versions.items():
        title = catalog.titles.get(catalog_name, catalog_name)
        print(
            f"# {title}（{catalog_name}，版本 {version}）" if w.zh else f"# {title} ({catalog_name}, version {version})"
        )
    rows = []
    for rule in catalog:
        if args.kind and rule.kind != args.kind:
            continue
        title = rule.title_en if args.lang == "en" and rule.title_en else rule.title_zh
        cls = ",".join(rule.zone_class) or "*"
        relation = _relation(rule, w)
        rows.append(
            [
                rule.code,
                kind_label(rule.kind, args.lang),
                cls,
                relation,
                _rule_verdict(rule.verdict, w),
                rule.catalog,
                title,
            ]
        )
    headers = [
        w("代码", "code"),
        w("类型", "kind"),
        w("分级", "class"),
        w("关系", "relation"),
        w("结论", "verdict"),
        w("目录", "catalogue"),
        w("标题", "title"),
    ]
    print(format_table(headers, rows, indent=""))


def _show(args: argparse.Namespace) -> None:
    from redline.zones.labels import kind_label

    w = Words(args.lang)
    rule = _catalog(args).get(args.code)
    fields = [
        (w("代码", "code"), rule.code),
        (w("目录", "catalog"), rule.catalog),
        (w("类型", "kind"), f"{kind_label(rule.kind, args.lang)}（{rule.kind}）" if w.zh else rule.kind),
        (w("分级", "zone_class"), ", ".join(rule.zone_class) or w("（全部分级）", "(every class)")),
        (w("关系", "relation"), _RELATIONS.get(rule.relation, (rule.relation,) * 2)[0 if w.zh else 1]),
        (w("最大距离（米）", "max_distance_m"), rule.max_distance_m),
        (w("行业", "industries"), ", ".join(rule.industries)),
        (w("除外行业", "unless_industries"), ", ".join(rule.unless_industries)),
        (w("标签", "tags"), ", ".join(sorted(rule.tags))),
        (w("除外标签", "unless_tags"), ", ".join(sorted(rule.unless_tags))),
        (w("建设性质", "actions"), ", ".join(rule.actions)),
        (w("结论", "verdict"), f"{_rule_verdict(rule.verdict, w)}（{rule.verdict}）" if w.zh else rule.verdict),
        (w("标题", "title"), rule.title_en if args.lang == "en" else rule.title_zh),
        (w("条文（原文）", "text (the source's words)"), rule.text(args.lang)),
        (w("依据", "basis"), rule.basis),
        (w("说明（本工具的解释，非法条）", "explanation (ours, not the law)"), rule.explanation(args.lang)),
        (w("待核实", "question"), rule.question(args.lang)),
        (w("维护备注", "maintainer's note"), rule.note),
    ]
    from redline.checks.app.cli.table import pad, text_width, wrap

    shown = [(key, str(value)) for key, value in fields if value not in (None, "")]
    width = max(text_width(key) for key, _ in shown) + 2
    for key, value in shown:
        lines = wrap(value, max(40, 100 - width)) or [""]
        print(pad(key, width) + lines[0])
        for line in lines[1:]:
            print(" " * width + line)


def _docs(args: argparse.Namespace) -> None:
    from redline.zones.rules import rules_markdown

    print(rules_markdown(), end="")


def _tags(args: argparse.Namespace) -> None:
    from redline.zones.tags import TAGS

    w = Words(args.lang)
    if w.zh:
        rows = [[tag, zh] for tag, (zh, _) in TAGS.items()]
        print(format_table(["标签", "中文名称（--tag 也接受）"], rows, indent=""))
        return
    rows = [[tag, zh, en] for tag, (zh, en) in TAGS.items()]
    print(format_table(["tag", "Chinese (--tag takes it too)", "meaning"], rows, indent=""))


def _validate(args: argparse.Namespace) -> None:
    """``redline rules validate FILE``: a catalogue (YAML) or an access list (CSV/XLSX/XLS/DOCX)."""
    from redline.layers.tables import TABLE_SUFFIXES

    w = Words(args.lang)
    path = Path(args.file)
    if not path.is_file():
        raise RedlineError(
            f"'{path}' does not exist; give a rule catalogue (.yaml) or an access list (.csv/.xlsx)",
            param="file",
            value=str(path),
            zh=f"'{path}' 不存在；请给出规则目录（.yaml）或准入清单（.csv/.xlsx）",
        )
    if path.suffix.lower() in (*TABLE_SUFFIXES, ".docx"):
        _validate_access_list(path, w)
        return
    import yaml

    from redline.zones.rules import validate_catalog_data

    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise RedlineError(
            f"rule catalogue '{path}' is not valid UTF-8 YAML: {exc}",
            param="file",
            value=str(path),
            zh=f"规则目录 '{path}' 不是有效的 UTF-8 YAML：{exc}",
        ) from None
    problems = validate_catalog_data(data, str(path))
    if problems:
        lines = "\n".join(f"  - {p}" for p in problems)
        raise RedlineError(
            f"rule catalogue '{path}' has {len(problems)} problem(s):\n{lines}",
            param="file",
            value=str(path),
            zh=f"规则目录 '{path}' 有 {len(problems)} 个问题：\n{lines}",
        )
    n = len(data["rules"])
    print(w(f"{path}：通过，共 {n} 条规则", f"{path}: OK, {n} rules"))


def _validate_access_list(path: Path, w: Words) -> None:
    """Validate an access list: the tool's long table checked row by row, then read as published; problems listed."""
    from redline.layers.access_tables import read_access_list
    from redline.layers.tables import TABLE_SUFFIXES, read_table
    from redline.zones.access_list import REQUIRED_COLUMNS, validate_access_frame

    if path.suffix.lower() in TABLE_SUFFIXES:
        df = read_table(path).rename(columns=lambda c: str(c).strip())
        if set(REQUIRED_COLUMNS) <= set(df.columns):  # the tool's own long table: every row checked
            problems = validate_access_frame(df, str(path))
            if problems:
                lines = "\n".join(f"  - {p}" for p in problems)
                raise RedlineError(
                    f"access list '{path}' has {len(problems)} problem(s):\n{lines}",
                    param="file",
                    value=str(path),
                    zh=f"准入清单 '{path}' 有 {len(problems)} 个问题：\n{lines}",
                )
    access = read_access_list(path)
    notes = access.problems()
    print(w(f"{path}：通过，共 {len(access)} 条条款", f"{path}: OK, {len(access)} clauses"))
    if notes:
        print(w(f"另有 {len(notes)} 条提示（不影响使用）：", f"{len(notes)} note(s) (the list is usable):"))
        for p in notes:
            print(f"  - {p.check}: {p.message}")
