"""``redline industry search TEXT`` and ``redline industry show CODE``: GB/T 4754-2017 for the user.

``search`` finds entries by code or Chinese words (:func:`redline.zones.industry_search.search`);
``show`` prints one entry with the entries above and below it, its notes, the policy groups it
falls under and the rows of the 名录 that name it.  A Chinese name (or an alias, ``电镀``) is
accepted wherever a code is.
"""

from __future__ import annotations

import argparse

from redline.checks.app.cli.i18n import Words
from redline.checks.app.cli.table import format_table
from redline.checks.app.cli_args import add_lang

__all__ = ["add_parsers"]


def add_parsers(sub, w: Words) -> None:
    """Add ``industry search`` and ``industry show`` to the ``redline`` subcommands."""
    industry = sub.add_parser(
        "industry",
        help=w("查找国民经济行业分类（GB/T 4754-2017）", "look up the industry classification GB/T 4754-2017"),
    )
    isub = industry.add_subparsers(dest="industry_command", metavar=w("子命令", "SUBCOMMAND"), required=True)
    lang_help = w("提示的语言：zh（默认）或 en", "language of the messages (default zh)")
    search = isub.add_parser(
        "search",
        help=w(
            "按代码或中文词语查找行业，如 C336、3360、电镀、养猪",
            "find industries by code or Chinese words, e.g. C336, 电镀",
        ),
    )
    search.add_argument(
        "text",
        metavar="TEXT",
        help=w("代码（可省略门类字母）或中文词语", "a code (the section letter optional) or words"),
    )
    search.add_argument(
        "--limit",
        type=int,
        default=30,
        metavar="N",
        help=w("最多显示的条数（默认 30）", "entries shown at most (default 30)"),
    )
    add_lang(search, lang_help)
    search.set_defaults(run=_search)
    show = isub.add_parser(
        "show",
        help=w(
            "显示一个行业：上下级、说明、所属政策行业组和《建设项目环境影响评价分类管理名录》中的条目",
            "show one industry: the entries above and below, notes, policy groups and 名录 rows",
        ),
    )
    show.add_argument(
        "code", metavar="CODE_OR_NAME", help=w("行业代码或名称，如 C3360、电镀", "a code or name, e.g. C3360")
    )
    add_lang(show, lang_help)
    show.set_defaults(run=_show)


_LEVELS = {1: ("门类", "section"), 2: ("大类", "division"), 3: ("中类", "group"), 4: ("小类", "class")}


def _level(level: int, w: Words) -> str:
    zh, en = _LEVELS.get(level, ("", ""))
    return w(zh, en)


def _search(args: argparse.Namespace) -> None:
    from redline.zones.industry import groups, is_group
    from redline.zones.industry_search import search

    w = Words(args.lang)
    found = search(args.text, args.limit + 1)
    if is_group(args.text):
        group = next(
            g for g in groups().values() if args.text.strip().casefold() in {x.casefold() for x in (g.name, *g.aliases)}
        )
        print(
            w(
                f"“{group.name}”是政策行业组（{len(group.codes)} 个代码，仅用于规则）：",
                f"{group.name} is a policy group ({len(group.codes)} codes, for rules only):",
            )
        )
        print("  " + ", ".join(group.codes))
        if not found:
            return
    if not found:
        print(
            w(
                f"未找到与“{args.text}”相关的行业；换个词，或用 redline industry search C 列出门类",
                f"no industry matches {args.text!r}",
            )
        )
        return
    rows = [[ind.code, _level(ind.level, w), ind.name] for ind in found[: args.limit]]
    print(format_table([w("代码", "code"), w("层级", "level"), w("名称", "name")], rows, indent=""))
    if len(found) > args.limit:
        print(w(f"（只显示前 {args.limit} 条；用 --limit 显示更多）", f"(first {args.limit} shown; use --limit)"))


def _show(args: argparse.Namespace) -> None:
    from redline.zones.industry import resolve
    from redline.zones.industry_search import groups_of, lineage, sub_entries

    w = Words(args.lang)
    colon = w("：", ": ")
    code = resolve(args.code)  # a RuleError listing the candidates when the name is ambiguous
    chain = lineage(code)
    entry = chain[-1]
    print(
        f"{entry.code} {entry.name}（{_level(entry.level, w)}）"
        if w.zh
        else f"{entry.code} {entry.name} ({_level(entry.level, w)})"
    )
    for above in chain[:-1]:
        print(f"  {_level(above.level, w)}{colon}{above.code} {above.name}")
    if entry.note:
        print(f"  {w('说明', 'note')}{colon}{entry.note}")
    below = sub_entries(code)
    if below:
        print(f"  {w('下级', 'below')}{colon}" + w("；", "; ").join(f"{i.code} {i.name}" for i in below))
    found = groups_of(code)
    if found:
        print(f"  {w('所属政策行业组', 'policy groups')}{colon}")
        for g in found:
            question = g.qualifiers.get(entry.code)
            ask = (w(f"（须核实：{question.question_zh}）", f" (to check: {question.question_en})") if question else "")
            print(f"    - {g.name}{ask}")
    _print_minglu(entry.code, w)


def _print_minglu(code: str, w: Words) -> None:
    """Print the 名录 rows that name ``code`` (and those it is broader than), with the edition."""
    from redline.zones.eia import load_edition

    edition = load_edition(None)
    rows = edition.rows_for_code(code)
    colon = w("：", ": ")
    if not rows:
        print(
            f"  {w('环评名录', '名录')}{colon}"
            + w("无对应条目（见 redline eia " + code + "）", f"no row (see redline eia {code})")
        )
        return
    print(f"  {w('环评名录', '名录')}{colon}")
    how = {
        "full": "",
        "partial": w("（部分）", " (part)"),
        "broader": w("（本代码更宽，含此条目）", " (the code is broader)"),
    }
    for row, _, match in rows:
        print(f"    - {row.label(w.lang)}{how.get(match, '')}")
    print(
        w(
            f"    （{edition.name} 版；各类别的条件见 redline eia {code}）",
            f"    ({edition.name} edition; conditions: redline eia {code})",
        )
    )
