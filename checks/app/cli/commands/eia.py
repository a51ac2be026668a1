"""``redline eia CODE_OR_NAME``: how an industry's EIA category depends on the site, from the 名录 alone.

For each row of 《建设项目环境影响评价分类管理名录》 the industry may be, the cells verbatim with
their conditions, the row's 环境敏感区, the facts it asks for, and the answer when the site
touches none of those areas and when it touches one (:func:`redline.zones.eia.explain`), then
the edition and its source.  ``--list-facts`` lists the facts a user may give (``--fact KEY=VALUE``).
"""

from __future__ import annotations

import argparse

from redline.checks.app.cli.commands.project_args import add_action_option, add_fact_option
from redline.checks.app.cli.i18n import Words
from redline.checks.app.cli_args import add_lang
from redline.zones.errors import RedlineError, param_ref

__all__ = ["add_parsers"]


def add_parsers(sub, w: Words) -> None:
    """Add ``eia`` to the ``redline`` subcommands."""
    from redline.zones.eia import editions

    p = sub.add_parser(
        "eia",
        help=w(
            "按《建设项目环境影响评价分类管理名录》说明一个行业需要的环评文件，以及它如何取决于是否涉及环境敏感区",
            "which EIA document an industry needs under the 名录, and how it depends on the site's sensitive areas",
        ),
    )
    p.add_argument(
        "query",
        nargs="?",
        metavar="CODE_OR_NAME",
        help=w(
            "行业代码或名称（C3011、水泥制造）、名录项目类别中的词（宾馆），或名录条目（第97项）",
            "an industry code or name (C3011, 水泥制造), a word of a row's 项目类别 (宾馆), or a row (第97项)",
        ),
    )
    add_fact_option(p, w)
    add_action_option(p, w, default="new")
    p.add_argument(
        "--edition",
        choices=editions(),
        help=w("名录版本（默认：现行版本）", "the 名录 edition (default: the one in force)"),
    )
    p.add_argument(
        "--list-facts",
        action="store_true",
        help=w("列出可给出的项目事实（名称、单位、别名）", "list the facts a project may give (names, units, aliases)"),
    )
    add_lang(p, w("说明的语言：zh（默认）或 en", "language of the explanation (default zh)"))
    p.set_defaults(run=_eia, flags={"industry": "CODE_OR_NAME"})


def _eia(args: argparse.Namespace) -> None:
    from redline.checks.app.run import check_facts
    from redline.zones.eia import explain, load_edition, vocabulary_text
    from redline.zones.project import make_project

    w = Words(args.lang)
    edition = load_edition(args.edition)
    if args.list_facts:
        print(
            w(
                f"可给出的项目事实（--fact 名称=值；名录 {edition.name} 版）：",
                f"project facts (--fact NAME=VALUE; 名录 {edition.name}):",
            )
        )
        print(vocabulary_text(edition, args.lang))
        return
    if not args.query:
        raise RedlineError(
            f"give an industry code or name ({param_ref('industry')}), or --list-facts",
            param="industry",
            zh=f"请给出行业代码或名称（{param_ref('industry')}），或用 --list-facts 列出项目事实",
        )
    facts = dict(make_project(facts=args.fact).facts)
    if facts:
        check_facts(facts, edition)
    action = make_project(action=args.action).action
    print(explain(edition, args.query, facts, action=action).text(args.lang))
