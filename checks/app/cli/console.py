"""What the command line prints: results, summaries, files written, warnings — in the run's language.

Sites and findings are printed as tables (:mod:`redline.checks.app.cli.table`): relations as
位于区内 / 部分重叠 / 邻近 62.3 米, areas in m² with 公顷 and 亩, geometry types as 点/线/面, verdicts
by their labels (:data:`redline.zones.verdicts.VERDICT_LABELS`), ``no_coverage`` among them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from redline.checks.app.cli.i18n import Words
from redline.checks.app.cli.table import area_text, format_table, geometry_label, length_text

__all__ = [
    "findings_table",
    "print_files",
    "print_result",
    "print_sites_table",
    "print_summary",
    "relation_text",
    "say",
    "show_progress",
    "summary_line",
    "warn",
    "warning_printer",
]


def show_progress(args: argparse.Namespace) -> bool:
    """Progress bars only for a person watching: not with --quiet, not when stderr is a file or pipe."""
    return not getattr(args, "quiet", False) and sys.stderr.isatty()


def say(args: argparse.Namespace, text: str = "") -> None:
    """Print a line unless ``--quiet``."""
    if not getattr(args, "quiet", False):
        print(text)


def warn(args: argparse.Namespace, text: str) -> None:
    """Print one warning line of the command line's own on stderr (even with ``--quiet``)."""
    print(_words(args)("redline：警告：", "redline: warning: ") + text, file=sys.stderr)


def _words(args: argparse.Namespace) -> Words:
    return Words(getattr(args, "lang", "zh"))


def warning_printer(lang: str, names: Callable[[str], str]) -> Callable[..., None]:
    """Return a ``warnings.showwarning`` printing each warning as one plain line, parameters as flags.

    Warnings report repairs and skipped rows, not bugs: no file and line.  A warning with a Chinese
    text (``zh``) is printed in it when the language is Chinese.
    """
    from redline.zones.errors import render_refs

    prefix = Words(lang)("redline：警告：", "redline: warning: ")

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        zh = getattr(message, "zh", None) if lang == "zh" else None
        if zh:
            text = render_refs(str(zh), names)
        else:
            text = message.render(names) if hasattr(message, "render") else str(message)
        print(prefix + text, file=sys.stderr)

    return show


def summary_line(n_sites: int, verdicts: dict[str, int], lang: str = "zh") -> str:
    """Return the count of sites per verdict, every verdict named (``no_coverage`` and ``error`` too).

    Examples
    --------
    >>> counts = {"prohibited": 1, "restricted": 0, "review": 2, "no_coverage": 1, "clear": 3, "error": 0}
    >>> summary_line(7, counts)
    '共检查 7 个选址：禁止 1，限制/需论证 0，需关注 2，超出图层覆盖范围 1，未发现冲突 3，无法检查 0'
    >>> summary_line(7, counts, "en")
    "7 sites checked: prohibited 1, restricted 0, review 2, outside the layers' coverage 1, clear 3, error 0"
    """
    from redline.zones.verdicts import VERDICTS, verdict_label

    parts = [f"{verdict_label(v, lang)} {int(verdicts.get(v, 0))}" for v in (*VERDICTS, "error")]
    if lang == "zh":
        return f"共检查 {n_sites} 个选址：" + "，".join(parts)
    return f"{n_sites} site{'s' if n_sites != 1 else ''} checked: " + ", ".join(parts)


def _notice(args: argparse.Namespace, illustrative: bool) -> None:
    from redline.zones.labels import t

    if illustrative:
        say(args, "⚠ " + t("illustrative_notice", args.lang))


def print_summary(args: argparse.Namespace, n_sites: int, verdicts: dict[str, int], illustrative: bool) -> None:
    """Print the illustrative-data notice (when so) and the count of sites per verdict."""
    _notice(args, illustrative)
    say(args, summary_line(n_sites, verdicts, args.lang))


def print_result(args: argparse.Namespace, result, *, detail: bool, table: bool = False) -> None:
    """Print a screening result, then the summary.

    With ``detail`` each site's verdict, project and findings, with ``table`` one line a site
    (:func:`print_sites_table`).
    """
    _notice(args, result.illustrative)
    if detail:
        for _, site in result.sites.iterrows():
            _print_site(args, result, site)
    if table:
        print_sites_table(args, result)
    say(args, summary_line(len(result.sites), result.verdict_counts(), args.lang))


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def _verdict_of(site) -> str:
    return "error" if site.get("status") == "error" else (_text(site.get("verdict")) or "error")


def _site_size(site, lang: str) -> str:
    """``面，12,000.0 m²（1.20 公顷，18.00 亩）``, ``线，长 1,234.5 米`` or ``点``."""
    kind = geometry_label(site.get("geom_type"), lang)
    area, length = area_text(site.get("site_area_m2"), lang), length_text(site.get("site_length_m"), lang)
    w = Words(lang)
    if area:
        return f"{kind}{w('，', ', ')}{area}"
    if length:
        return f"{kind}{w('，长 ', ', ')}{length}"
    return kind


def _industry_text(codes: str) -> str:
    """``C3360 金属表面处理及热处理加工`` for each code of a ``;``-joined list (an unknown code as it is)."""
    from redline.zones.industry import lookup

    named = []
    for code in filter(None, (c.strip() for c in codes.split(";"))):
        entry = lookup(code)
        named.append(f"{code} {entry.name}" if entry else code)
    return "；".join(named)


def _project_lines(site, w: Words) -> list[str]:
    """Return the project's name, number and builder (when given), industry, tags, action and EIA category."""
    from redline.zones.labels import action_label, tag_label

    lines = []
    tags = [tag_label(t, w.lang) for t in _text(site.get("tags")).split(";") if t]
    given = [
        (w("项目名称", "project"), _text(site.get("project_name"))),
        (w("项目编号", "number"), _text(site.get("project_no"))),
        (w("建设单位", "builder"), _text(site.get("builder"))),
        (w("行业", "industry"), _industry_text(_text(site.get("industry")))),
        (w("标签", "tags"), w("、", ", ").join(tags)),
    ]
    for label, value in given:
        if value:
            lines.append(f"  {label}{w('：', ': ')}{value}")
    if _text(site.get("industry")) or _text(site.get("action")) not in ("", "new"):
        lines.append(f"  {w('建设性质', 'action')}{w('：', ': ')}{action_label(site.get('action'), w.lang)}")
    category = _text(site.get("eia_category"))
    if category:
        from redline.zones.eia import category_label

        label = category_label(category, w.lang)
        item = _text(site.get("eia_item"))
        lines.append(f"  {w('环评类别', 'EIA category')}{w('：', ': ')}{label}" + (f" — {item}" if item else ""))
        basis = _text(site.get("eia_basis"))
        if basis:
            lines.append(f"    {basis}")
    return lines


def _print_site(args: argparse.Namespace, result, site) -> None:
    """Print one site: its verdict, project and size, its findings as a table, the touched units' lists."""
    from redline.zones.verdicts import verdict_label

    w = _words(args)
    verdict = _verdict_of(site)
    name = _text(site.get("name")) or _text(site.get("project_name"))
    if name == str(site["site_id"]):
        name = ""
    title = f"{site['site_id']}" + (f"（{name}）" if name and w.zh else f" ({name})" if name else "")
    say(args, f"{w('选址', 'site')} {title}{w('：', ': ')}{verdict_label(verdict, args.lang)}")
    if site.get("status") == "error":
        say(args, f"  {_text(site.get('error'))}")
        return
    size = _site_size(site, args.lang)
    if size:
        say(args, f"  {w('几何', 'geometry')}{w('：', ': ')}{size}")
    for line in _project_lines(site, w):
        say(args, line)
    if _text(site.get("note")):
        say(args, f"  {w('说明', 'note')}{w('：', ': ')}{_text(site.get('note'))}")
    found = result.findings[result.findings["site_id"] == site["site_id"]]
    if len(found):
        say(args, findings_table(found, args.lang))
    else:
        say(args, "  " + w("未发现相关区域", "no zone found"))
    for _, f in found.iterrows():
        clauses = result.access_lists.get(f["zone_id"]) if f["kind"] == "control_unit" else None
        if clauses:
            say(args, "")
            say(
                args,
                "  "
                + w(
                    f"{f['zone_id']} 的准入清单（✔ 为本项目适用的条款）：",
                    f"access list of {f['zone_id']} (✔ the clauses that apply):",
                ),
            )
            _print_access_list(args, clauses, set(str(f["matched_rules"]).split(";")))
    say(args, "")


def relation_text(finding, lang: str = "zh") -> str:
    """Return a finding's relation with its measure.

    For example ``位于区内``, ``部分重叠 5,000.0 m²（…；占 12.6%）``, ``邻近 62.3 米``.

    Examples
    --------
    >>> relation_text({"relation": "nearby", "distance_m": 62.34})
    '邻近 62.3 米'
    >>> relation_text({"relation": "overlaps", "overlap_area_m2": 5000.0, "overlap_ratio": 0.126}, "en")
    'overlaps 5,000.0 m² (0.50 ha, 7.50 mu) — 12.6% of the site'
    """
    from redline.zones.labels import relation_label

    relation = finding.get("relation")
    label = relation_label(relation, lang)
    if relation == "nearby":
        return f"{label} {length_text(finding.get('distance_m'), lang)}".rstrip()
    area = area_text(finding.get("overlap_area_m2"), lang)
    if area:
        ratio = finding.get("overlap_ratio")
        share = ""
        if ratio is not None and ratio == ratio:
            share = f"；占选址 {float(ratio):.1%}" if lang == "zh" else f" — {float(ratio):.1%} of the site"
        if share and lang == "zh":
            return f"{label} {area[:-1]}{share}）"
        return f"{label} {area}{share}"
    length = length_text(finding.get("overlap_length_m"), lang)
    return f"{label} {length}".rstrip()


def findings_table(found, lang: str) -> str:
    """Return findings (rows of ``findings.csv``) as a table.

    The columns: kind, zone, class, relation with its measure, verdict, rule.
    """
    from redline.zones.labels import class_label, kind_label
    from redline.zones.verdicts import verdict_label

    w = Words(lang)
    headers = [
        w("类型", "kind"),
        w("区域", "zone"),
        w("分级", "class"),
        w("关系", "relation"),
        w("结论", "verdict"),
        w("依据", "rule"),
    ]
    rows = []
    for _, f in found.iterrows():
        rows.append(
            [
                kind_label(f["kind"], lang),
                f"{f['zone_id']} {_text(f['zone_name'])}".strip(),
                class_label(f["kind"], f["zone_class"], lang),
                relation_text(f, lang),
                verdict_label(f["verdict"], lang),
                _text(f["rule_id"]),
            ]
        )
    return format_table(headers, rows)


def _print_access_list(args: argparse.Namespace, clauses, matched: set[str]) -> None:
    """Print a touched unit's access list: matched clauses marked, every clause shown."""
    from redline.zones.verdicts import verdict_label

    dimension = None
    for clause in clauses:
        if clause.dimension != dimension:
            dimension = clause.dimension
            say(args, f"      【{dimension}】")
        mark = "✔" if clause.clause_id in matched else " "
        verdict = f" [{verdict_label(clause.verdict, args.lang)}]" if clause.verdict else ""
        say(args, f"      {mark} {clause.clause_id}{verdict} {clause.text}")


def print_sites_table(args: argparse.Namespace, result) -> None:
    """Print one line a site: id, verdict, findings, geometry and size, name (or why it could not be checked)."""
    from redline.zones.verdicts import verdict_label

    w = _words(args)
    headers = [
        w("选址编号", "site"),
        w("结论", "verdict"),
        w("发现", "findings"),
        w("几何", "geometry"),
        w("名称", "name"),
    ]
    rows = []
    for _, s in result.sites.iterrows():
        verdict = _verdict_of(s)
        name = _text(s.get("name")) or _text(s.get("project_name"))
        if verdict == "error":
            name = f"{name} — {_text(s.get('error'))}" if name else _text(s.get("error"))
        rows.append(
            [s["site_id"], verdict_label(verdict, args.lang), int(s["n_findings"] or 0), _site_size(s, args.lang), name]
        )
    say(args, format_table(headers, rows, "<<><<"))


def print_files(args: argparse.Namespace, out: str | Path | None, files: Iterable[Path]) -> None:
    """Print the output folder and the names of the files written into it (nothing without a folder)."""
    if out:
        w = _words(args)
        say(args, f"→ {Path(out).resolve()}{w('：', ': ')}" + ", ".join(p.name for p in files))
