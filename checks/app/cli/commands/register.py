"""``redline register list|show`` and ``redline rescreen``: the register of runs (台账) and re-screening.

``check`` and ``batch`` record a run with ``--register``; ``register list`` prints the runs,
``register show SITE_ID`` one site's recorded versions.  ``rescreen`` screens the latest version
of every recorded site against a new layer set (:func:`redline.checks.register.rescreen.rescreen`)
and writes the usual outputs with ``changes.csv`` and ``changes.html``.  The register is
``--register`` or, without it, the environment variable ``REDLINE_REGISTER``; there is no other
default.
"""

from __future__ import annotations

import argparse
import os
import shlex
from datetime import date
from pathlib import Path

from redline.checks import options
from redline.checks.app.cli import console
from redline.checks.app.cli.i18n import Words
from redline.checks.app.cli.table import format_table
from redline.checks.app.cli_args import add_lang, add_layers
from redline.zones.errors import RedlineError, param_ref

__all__ = ["REGISTER_ENV", "add_parsers"]

#: The environment variable naming the register when ``--register`` is not given.
REGISTER_ENV = "REDLINE_REGISTER"


def _register_option(p: argparse.ArgumentParser, w: Words) -> None:
    p.add_argument(
        "--register",
        metavar="PATH.gpkg|postgresql://…",
        help=w(
            f"台账：GeoPackage 文件或 PostGIS 数据库（默认：环境变量 {REGISTER_ENV}）",
            f"the register: a GeoPackage file or a PostGIS database (default: ${REGISTER_ENV})",
        ),
    )


def add_parsers(sub, w: Words) -> None:
    """Add ``register`` (``list``, ``show``) and ``rescreen`` to the ``redline`` subcommands."""
    lang_help = w("表格和提示的语言：zh（默认）或 en", "language of the tables and messages (default zh)")
    register = sub.add_parser(
        "register", help=w("查看台账：记录的运行和选址", "read the register: recorded runs and sites")
    )
    rsub = register.add_subparsers(dest="register_command", metavar=w("子命令", "SUBCOMMAND"), required=True)
    runs = rsub.add_parser("list", help=w("列出记录的每次运行", "list every recorded run"))
    _register_option(runs, w)
    add_lang(runs, lang_help)
    runs.set_defaults(run=_list)
    show = rsub.add_parser(
        "show",
        help=w("显示一个选址的全部记录及最近一次的发现", "show one site's recorded versions and its latest findings"),
    )
    show.add_argument("site_id", metavar="SITE_ID", help=w("选址编号", "the site id"))
    _register_option(show, w)
    add_lang(show, lang_help)
    show.set_defaults(run=_show)
    _rescreen_parser(sub, w, lang_help)


def _rescreen_parser(sub, w: Words, lang_help: str) -> None:
    p = sub.add_parser(
        "rescreen",
        help=w(
            "图层更新后复核：用新图层集重新筛查台账中每个选址的最新记录，列出结论变化的选址（changes.csv、changes.html）",
            "after a layer update: screen the latest recorded version of every site against the new layers and "
            "list the sites whose verdict changed (changes.csv, changes.html)",
        ),
    )
    _register_option(p, w)
    add_layers(p, w)
    p.add_argument(
        "--old-layers",
        metavar="PATH",
        help=w(
            "原图层集：说明每个区域如何变化，并在地图上画出原边界",
            "the old layer set: how each zone changed, and its old outline on the map",
        ),
    )
    p.add_argument(
        "--since",
        metavar="YYYY-MM-DD",
        help=w("只复核此日期（北京时间）以后记录的选址", "only sites recorded on or after this day (Beijing time)"),
    )
    p.add_argument("--out", required=True, metavar="DIR", help=w("输出文件夹", "output folder"))
    p.add_argument(
        "--formats",
        metavar="LIST",
        default="all",
        help=w(
            "重新筛查的结果写出哪些：csv,gpkg,html,map,docx,xlsx 或 all（默认）",
            "outputs of the new screening: csv,gpkg,html,map,docx,xlsx or all (default)",
        ),
    )
    p.add_argument(
        "--record",
        action="store_true",
        help=w("把重新筛查的结果也记入台账", "record the new screening in the register too"),
    )
    add_lang(p, lang_help)
    p.add_argument("--quiet", action="store_true", help=w("只显示错误", "print only errors"))
    p.set_defaults(run=_rescreen)


def _open(args: argparse.Namespace):
    from redline.checks.register import open_register

    target = args.register or os.environ.get(REGISTER_ENV)
    if not target:
        raise RedlineError(
            f"no register: give {param_ref('target')} (a .gpkg file or postgresql://…) or set {REGISTER_ENV}",
            param="target",
            zh=f"未指定台账：请给出 {param_ref('target')}（.gpkg 文件或 postgresql://…），"
            f"或设置环境变量 {REGISTER_ENV}",
        )
    return open_register(target)


def verdict_counts_text(counts: dict, lang: str) -> str:
    """Return the non-zero counts of a run's verdicts, worst first: ``禁止 1，需关注 2``.

    Examples
    --------
    >>> verdict_counts_text({"clear": 3, "prohibited": 1, "review": 0}, "zh")
    '禁止 1，未发现冲突 3'
    """
    from redline.zones.verdicts import VERDICTS, verdict_label

    order = [*VERDICTS, "error"]
    shown = [f"{verdict_label(v, lang)} {int(counts[v])}" for v in order if int(counts.get(v) or 0)]
    return ("，" if lang == "zh" else ", ").join(shown)


def _when(recorded: str) -> str:
    """``2025-03-01T09:30:12+08:00`` as ``2025-03-01 09:30`` (every run is recorded in Beijing time).

    Examples
    --------
    >>> _when("2025-03-01T09:30:12+08:00")
    '2025-03-01 09:30'
    """
    return str(recorded).replace("T", " ")[:16]


def _short(text: str, width: int = 60) -> str:
    text = str(text or "")
    return text if len(text) <= width else text[: width - 1] + "…"


def _list(args: argparse.Namespace) -> None:
    w = Words(args.lang)
    register = _open(args)
    runs = register.runs()
    print(
        w(
            f"台账 {register.target}：{len(runs)} 次运行（北京时间）",
            f"register {register.target}: {len(runs)} run(s) (Beijing time)",
        )
    )
    if runs.empty:
        return
    layersets = list(dict.fromkeys(runs["layerset"]))
    if len(layersets) == 1:
        print(f"{w('图层集', 'layer set')}{w('：', ': ')}{layersets[0]}")
    rows = []
    for r in runs.itertuples(index=False):
        row = [r.run_id, _when(r.recorded), r.n_sites, verdict_counts_text(r.verdicts, args.lang), _short(r.command)]
        rows.append(row if len(layersets) == 1 else [*row[:2], _short(r.layerset, 24), *row[2:]])
    headers = [w("运行", "run"), w("时间", "recorded"), w("选址", "sites"), w("结论", "verdicts"), w("命令", "command")]
    aligns = "><><<"
    if len(layersets) > 1:
        headers.insert(2, w("图层集", "layer set"))
        aligns = "><<><<"
    print(format_table(headers, rows, aligns))


def _show(args: argparse.Namespace) -> None:
    from redline.checks.app.cli.table import area_text, length_text
    from redline.zones.verdicts import verdict_label

    w = Words(args.lang)
    register = _open(args)
    history = register.site_history(args.site_id)
    if history.empty:
        raise RedlineError(
            f"register {register.target} has no site {args.site_id!r}",
            param="site_id",
            value=args.site_id,
            zh=f"台账 {register.target} 中没有选址 {args.site_id!r}",
        )
    rows = []
    for r in history.itertuples(index=False):
        verdict = "error" if r.status == "error" else (r.verdict or "error")
        size = area_text(r.site_area_m2, args.lang) or length_text(r.site_length_m, args.lang)
        rows.append(
            [
                r.run_id,
                _when(r.recorded),
                verdict_label(verdict, args.lang),
                r.n_findings,
                r.industry,
                size,
                _short(r.layerset, 24),
            ]
        )
    latest = history.iloc[-1]
    print(
        f"{args.site_id}"
        + (f"（{latest['name']}）" if latest["name"] and w.zh else f" ({latest['name']})" if latest["name"] else "")
    )
    headers = [
        w("运行", "run"),
        w("时间", "recorded"),
        w("结论", "verdict"),
        w("发现", "findings"),
        w("行业", "industry"),
        w("规模", "size"),
        w("图层集", "layer set"),
    ]
    print(format_table(headers, rows, "><<><<<"))
    found = register.findings(int(latest["run_id"]))
    found = found[found["site_id"] == args.site_id]
    if len(found):
        print()
        print(w(f"第 {int(latest['run_id'])} 次运行的发现：", f"findings of run {int(latest['run_id'])}:"))
        print(console.findings_table(found, args.lang))


def _since(value: str | None, w: Words) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RedlineError(
            f"{param_ref('since')}: {value!r} is not a date such as 2025-03-01",
            param="since",
            value=value,
            zh=f"{param_ref('since')}：{value!r} 不是日期，请写作 2025-03-01",
        ) from None


def _rescreen(args: argparse.Namespace) -> None:
    """``redline rescreen``: screen again, write the outputs, ``changes.csv`` and ``changes.html``.

    Then print the changes.
    """
    from redline.checks.outputs.writers import write_outputs
    from redline.checks.register.rescreen import rescreen

    w = Words(args.lang)
    formats = options.formats(args.formats)
    since = _since(args.since, w)
    register = _open(args)
    outcome = rescreen(register, args.layers, since=since, old_layerset=args.old_layers)
    out = Path(args.out)
    files: list[Path] = []
    for result in outcome.results:
        folder = (
            out if len(outcome.results) == 1 else out / f"buffer-{result.meta['buffer_m']:g}m-{result.meta['nearby']}"
        )
        files += [p.relative_to(out) for p in write_outputs(result, folder, formats=formats, lang=args.lang)]
    out.mkdir(parents=True, exist_ok=True)
    files += [
        outcome.write_csv(out / "changes.csv").relative_to(out),
        outcome.write_html(out / "changes.html", lang=args.lang).relative_to(out),
    ]
    _print_changes(args, outcome, w)
    if args.record:
        for result in outcome.results:
            run_id = register.record(result, command=shlex.join(["redline", *getattr(args, "argv", [])]))
            console.say(args, w(f"已记入台账：第 {run_id} 次运行", f"recorded: run {run_id}"))
    console.say(args, f"→ {out.resolve()}{w('：', ': ')}" + ", ".join(str(p) for p in files))


def _print_changes(args: argparse.Namespace, outcome, w: Words) -> None:
    from redline.zones.verdicts import verdict_label

    n = len(outcome.changes) + outcome.unchanged
    console.say(
        args,
        w(
            f"重新筛查 {n} 个选址：结论变化 {len(outcome.changes)} 个，未变 {outcome.unchanged} 个"
            f"（其中发现有变化 {outcome.findings_changed} 个）",
            f"{n} site(s) screened again: verdict changed for {len(outcome.changes)}, unchanged for "
            f"{outcome.unchanged} ({outcome.findings_changed} of them with changed findings)",
        ),
    )
    if outcome.changes.empty:
        return
    rows = []
    for c in outcome.changes.itertuples(index=False):
        verdicts = (
            f"{verdict_label(c.old_verdict or 'error', args.lang)} → "
            f"{verdict_label(c.new_verdict or 'error', args.lang)}"
        )
        zones = "; ".join(
            x
            for x in (
                c.zones_added and "+" + c.zones_added,
                c.zones_dropped and "−" + c.zones_dropped,
                c.zones_changed and "~" + c.zones_changed,
            )
            if x
        )
        rows.append([c.site_id, c.name, verdicts, c.old_run, zones])
    headers = [
        w("选址编号", "site"),
        w("名称", "name"),
        w("结论变化", "verdict"),
        w("原记录运行", "old run"),
        w("区域变化（+新增 −不再涉及 ~变化）", "zones (+added −dropped ~changed)"),
    ]
    console.say(args, format_table(headers, rows, "<<<><"))
