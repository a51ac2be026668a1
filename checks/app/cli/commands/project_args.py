"""The options that say what is proposed: industry, tags, action, facts, and the project's name, builder, number.

``check`` takes them for its site, ``batch`` as the defaults of the rows (whose own columns win)
with ``--*-field`` options naming the columns.  :func:`site_options` gathers them, with the
reading options, into :class:`~redline.checks.app.run.SiteOptions`.
"""

from __future__ import annotations

import argparse

from redline.checks import options
from redline.checks.app.cli.i18n import Words

__all__ = ["add_action_option", "add_fact_option", "add_field_options", "add_project_options", "site_options"]


def add_fact_option(p: argparse.ArgumentParser, w: Words) -> None:
    """Add ``--fact KEY=VALUE`` (repeatable): a project fact for the 名录 category."""
    p.add_argument(
        "--fact",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help=w(
            "项目事实，供判断环评类别（可重复），如 装机容量=6万千瓦、年出栏生猪=5000头；"
            "可用的事实见 redline eia --list-facts",
            "a project fact for the EIA category (repeatable), e.g. 装机容量=6万千瓦; see `redline eia --list-facts`",
        ),
    )


def add_action_option(p: argparse.ArgumentParser, w: Words, default: str | None = None) -> None:
    """Add ``--action`` (建设性质), in English or Chinese."""
    p.add_argument(
        "--action",
        choices=("new", "expand", "rebuild", "新建", "扩建", "改建"),
        default=default,
        metavar="ACTION",
        help=w("建设性质：new/新建（默认）、expand/扩建、rebuild/改建", "new (default), expand or rebuild"),
    )


def add_project_options(p: argparse.ArgumentParser, w: Words, *, info: bool) -> None:
    """Add ``--industry``, ``--tag``, ``--action`` and ``--fact``; with ``info`` the project's name, builder, number."""
    p.add_argument(
        "--industry",
        metavar="CODE_OR_NAME",
        help=w(
            "行业：GB/T 4754-2017 代码（如 C3360）或中文名称（如 电镀、猪的饲养），多个用 ; 分隔；"
            "查找见 redline industry search",
            "GB/T 4754-2017 code (e.g. C3360) or Chinese name; several with ';'; see `redline industry search`",
        ),
    )
    p.add_argument(
        "--tag",
        action="append",
        default=[],
        metavar="TAG",
        help=w(
            "项目标签（可重复，或用 ; 分隔），可写标签名或其中文（如 排放废水）；见 redline rules tags",
            "project tag (repeatable, or ';'-separated), by name or its Chinese label; see `redline rules tags`",
        ),
    )
    add_action_option(p, w)
    add_fact_option(p, w)
    if info:
        p.add_argument("--project-name", metavar="NAME", help=w("项目名称（写入报告与 sites.csv）", "project name"))
        p.add_argument("--builder", metavar="NAME", help=w("建设单位", "the developer (建设单位)"))
        p.add_argument(
            "--project-no", metavar="NUMBER", help=w("项目编号（如投资项目代码）", "project number (项目编号)")
        )


def add_field_options(p: argparse.ArgumentParser, w: Words) -> None:
    """Add the ``--*-field`` options of ``batch``: which column holds what."""
    what = {
        "id": (w("选址编号", "the site id"), "site_id, id, 编号, 项目编号, 序号 …"),
        "name": (w("选址名称", "the site name"), "name, 名称, 项目名称 …"),
        "industry": (w("行业代码或名称", "the industry"), "industry, 行业代码, 行业 …"),
        "tags": (w("项目标签", "the tags"), "tags, 标签"),
        "action": (w("建设性质", "the action"), "action, 建设性质"),
        "project-name": (w("项目名称", "the project name"), "project_name, 项目名称"),
        "builder": (w("建设单位", "the developer (建设单位)"), "builder, 建设单位, 业主单位"),
        "project-no": (w("项目编号", "the project number"), "project_no, 项目编号, 项目代码"),
    }
    for role, (label, usual) in what.items():
        p.add_argument(
            f"--{role}-field",
            metavar="FIELD",
            help=w(f"存放{label}的列（默认按常见列名查找：{usual}）", f"column holding {label} (default: {usual})"),
        )
    p.epilog = w(
        "列名与环评事实同名的列（如 装机容量、年出栏生猪，见 redline eia --list-facts）"
        "作为各行的项目事实；空单元格不计。",
        "Columns named as a fact of the 名录 (装机容量, 年出栏生猪 …; see `redline eia --list-facts`) give each "
        "row's project facts; an empty cell gives none.",
    )


_READ_ARGS = (
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
    "project_name",
    "builder",
    "project_no",
    "project_name_field",
    "builder_field",
    "project_no_field",
)


def site_options(args: argparse.Namespace):
    """Return the project and reading options the command was given (those it has).

    Examples
    --------
    >>> args = argparse.Namespace(tag=["排放废水"], fact=["装机容量=6万千瓦"], industry="D4415", builder="某公司")
    >>> opts = site_options(args)
    >>> opts.tags, opts.facts, opts.builder
    (['discharges_wastewater'], {'装机容量': '6万千瓦'}, '某公司')
    """
    from redline.checks.app.run import SiteOptions

    given = {name: getattr(args, name) for name in _READ_ARGS if getattr(args, name, None) is not None}
    facts = getattr(args, "fact", None) or None
    return SiteOptions(tags=options.split_tags(getattr(args, "tag", [])), facts=facts, **given)
