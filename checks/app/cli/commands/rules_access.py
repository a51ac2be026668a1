"""``redline rules access LIST``: every clause of an access list with its scope, how the screen reads it and why.

The list is read as bureaus publish it (:func:`redline.layers.access_tables.read_access_list`)
and explained by :func:`redline.zones.access_explain.explain_access_list`.  With ``--layers``
the layer set's control units say which units each scope reaches and which problems the list
has against them (:meth:`~redline.zones.access_list.AccessList.problems`); without ``LIST`` the
layer set's own list is explained.  A project (``--industry`` ...) adds how each clause judges it.
``--out`` writes the table (``.xlsx`` or ``.csv``).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from redline.checks.app.cli.i18n import Words
from redline.zones.errors import RedlineError, param_ref

__all__ = ["add_access_parser", "unit_reach"]

_SCOPE_KINDS = {
    "all": ("全部单元", "every unit"),
    "unit": ("单元", "unit"),
    "class": ("单元类别", "unit class"),
    "area": ("行政区", "area"),
}
_CLAUSE_VERDICTS = {
    "informational": ("说明性", "informational"),
    "reference": ("引用", "reference"),
    "condition": ("附条件", "condition"),
}
#: How many unit codes a scope's line names before "and N more".
_SHOWN_UNITS = 6


def add_access_parser(rsub, w: Words) -> None:
    """Add ``rules access`` to the ``rules`` subcommands."""
    from redline.checks.app.cli.commands.project_args import add_project_options
    from redline.checks.app.cli_args import add_lang

    p = rsub.add_parser(
        "access",
        help=w(
            "逐条解释准入清单：每条条款的适用范围、工具如何解读及理由；--layers 时按图层集的管控单元检查范围和问题",
            "explain an access list clause by clause: scope, how the screen reads it and why; with --layers, "
            "against the layer set's control units",
        ),
    )
    p.add_argument(
        "list",
        nargs="?",
        metavar="LIST",
        help=w(
            "准入清单（XLSX/XLS/CSV/DOCX，按发布格式读取）；不给出时用 --layers 图层集自带的清单",
            "the access list (XLSX/XLS/CSV/DOCX, as published); default: the --layers layer set's own",
        ),
    )
    p.add_argument(
        "--layers",
        metavar="PATH",
        help=w(
            "图层集：用其管控单元判断每条范围覆盖哪些单元，并报告清单的问题",
            "a layer set whose control units the scopes and problems are judged against",
        ),
    )
    p.add_argument(
        "--out",
        metavar="FILE.xlsx|csv",
        help=w("把解释表写入此文件（.xlsx 或 .csv）", "write the table to this file (.xlsx or .csv)"),
    )
    add_project_options(p, w, info=False)
    add_lang(p, w("提示的语言：zh（默认）或 en", "language of the messages (default zh)"))
    p.set_defaults(run=_access)


def unit_reach(access, units: list[tuple[str, str | None, dict[str, Any]]]) -> dict[str, list[str]]:
    """Return, for each clause id, the codes of the units its scope reaches.

    Examples
    --------
    >>> from redline.layers import load_layerset
    >>> layer = next(x for x in load_layerset("sample").layers if x.kind == "control_unit")
    >>> reach = unit_reach(layer.access, layer.unit_records())
    >>> len(reach["*/空间布局约束/1"]) == len(layer.gdf)
    True
    """
    out: dict[str, list[str]] = {}
    for clause in access.clauses:
        if clause.scope is None:
            continue
        out[clause.clause_id] = [
            code for code, cls, fields in units if access.index.rank(clause.scope, code, cls, fields) is not None
        ]
    return out


def _sources(args: argparse.Namespace):
    """Return (access list, units of the layer set or None, what the list is)."""
    from redline.layers.access_tables import read_access_list

    units = layer = None
    if args.layers or not args.list:
        from redline.layers import load_layerset

        ls = load_layerset(args.layers or "sample")
        layer = next((x for x in ls.layers if x.kind == "control_unit"), None)
        units = layer.unit_records() if layer is not None else []
    if args.list:
        path = Path(args.list)
        if not path.is_file():
            raise RedlineError(
                f"{param_ref('list')}: '{path}' does not exist; give an access list (.xlsx/.xls/.csv/.docx)",
                param="list",
                value=str(path),
                zh=f"{param_ref('list')}：'{path}' 不存在；请给出准入清单（.xlsx/.xls/.csv/.docx）",
            )
        return read_access_list(path), units, path.name
    if layer is None or layer.access is None:
        raise RedlineError(
            f"the layer set has no access list; give one as {param_ref('list')}",
            param="list",
            value=None,
            zh=f"图层集没有准入清单；请给出 {param_ref('list')}",
        )
    return layer.access, units, layer.access_list.name if layer.access_list else layer.access.source


def _label(table: dict[str, tuple[str, str]], key: str, w: Words) -> str:
    pair = table.get(key)
    return (pair[0] if w.zh else pair[1]) if pair else key


def _clause_lines(row: dict[str, Any], reached: list[str] | None, w: Words) -> list[str]:
    """Return the lines of one clause: id, scope (with the units it reaches), text, reading, why, judgement."""
    from redline.zones.verdicts import VERDICT_LABELS, verdict_label

    colon = w("：", ": ")
    verdict = row["verdict"]
    reading = verdict_label(verdict, w.lang) if verdict in VERDICT_LABELS else _label(_CLAUSE_VERDICTS, verdict, w)
    scope = (
        f"{row['scope']}（{_label(_SCOPE_KINDS, row['scope_kind'], w)}）"
        if w.zh
        else f"{row['scope']} ({row['scope_kind']})"
    )
    if reached is not None:
        shown = "、".join(reached[:_SHOWN_UNITS]) if w.zh else ", ".join(reached[:_SHOWN_UNITS])
        more = len(reached) - _SHOWN_UNITS
        shown += (w(f" 等 {len(reached)} 个", f" and {more} more") if more > 0 else "")
        scope += w(f" → {shown}", f" → {shown}") if reached else w(" → 未覆盖任何单元", " → reaches no unit")
    lines = [
        f"  {row['clause_id']}  [{reading}]",
        f"    {w('范围', 'scope')}{colon}{scope}",
        f"    {w('条文', 'text')}{colon}{row['text']}",
        f"    {w('解读', 'reading')}{colon}{row['why_zh'] if w.zh else row['why_en']}",
    ]
    for key, zh, en in (
        ("industries", "行业", "industries"),
        ("exceptions", "例外", "exceptions"),
        ("conditions", "条件", "conditions"),
        ("cannot_test", "无法判断", "cannot test"),
    ):
        if row.get(key):
            lines.append(f"    {w(zh, en)}{colon}{row[key]}")
    if "judgement" in row:
        reason = row["reason_zh"] if w.zh else row["reason_en"]
        lines.append(
            f"    {w('本项目', 'this project')}{colon}{row['conformity']}（{reason}）"
            if w.zh
            else f"    this project: {row['conformity']} ({reason})"
        )
    return lines


def _write(table, path: Path) -> Path:
    """Write the explanation table as .xlsx or .csv (UTF-8 with BOM)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".xlsx":
        table.to_excel(path, index=False, sheet_name="access_rules")
    else:
        table.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def _access(args: argparse.Namespace) -> None:
    """``redline rules access``: print every clause, then the list's problems; write the table with ``--out``."""
    from redline.checks.app.cli.commands.project_args import site_options
    from redline.zones.access_explain import explain_access_list
    from redline.zones.project import make_project

    w = Words(args.lang)
    if args.out and Path(args.out).suffix.lower() not in (".xlsx", ".csv"):
        raise RedlineError(
            f"{param_ref('out')}: '{args.out}' must end in .xlsx or .csv",
            param="out",
            value=args.out,
            zh=f"{param_ref('out')}：'{args.out}' 须以 .xlsx 或 .csv 结尾",
        )
    access, units, name = _sources(args)
    project = None
    if args.industry or args.tag or args.action or args.fact:
        opts = site_options(args)
        project = make_project(opts.industry, opts.tags, opts.action, opts.facts)
    table = explain_access_list(access, project)
    reach = unit_reach(access, units) if units is not None else {}
    if units is not None:
        table["units"] = [";".join(reach.get(c, [])) for c in table["clause_id"]]
    print(w(f"准入清单 {name}：{len(table)} 条条款", f"access list {name}: {len(table)} clauses"))
    order = {d: i for i, d in enumerate(dict.fromkeys(table["dimension"]))}
    table = table.iloc[table["dimension"].map(order).argsort(kind="stable")].reset_index(drop=True)
    dimension = None
    for row in table.to_dict("records"):
        if row["dimension"] != dimension:
            dimension = row["dimension"]
            print(f"\n【{row['dimension_label'] if not w.zh else dimension}】")
        print("\n".join(_clause_lines(row, reach.get(row["clause_id"]) if units is not None else None, w)))
    problems = access.problems(units) if units is not None else access.problems()
    print()
    if problems:
        print(w(f"清单有 {len(problems)} 条提示：", f"{len(problems)} note(s) on the list:"))
        for p in problems:
            print(f"  - {p.check}: {p.message}")
    else:
        print(w("清单未发现问题", "no problem found in the list"))
    if args.out:
        print(f"→ {_write(table, Path(args.out)).resolve()}")
