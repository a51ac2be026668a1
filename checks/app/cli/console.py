"""What the command line prints: results, summaries, files written, warnings."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path

__all__ = [
    "print_files",
    "print_result",
    "print_sites_table",
    "print_summary",
    "say",
    "show_progress",
    "show_warning",
]


def show_progress(args: argparse.Namespace) -> bool:
    """Progress bars only for a person watching: not with --quiet, not when stderr is a file or pipe."""
    return not getattr(args, "quiet", False) and sys.stderr.isatty()


def say(args: argparse.Namespace, text: str = "") -> None:
    """Print a line unless ``--quiet``."""
    if not getattr(args, "quiet", False):
        print(text)


def show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Print warnings as one plain line (they report repairs and skipped rows, not bugs), parameters as flags."""
    from redline.checks.app.cli_args import flag_namer

    text = message.render(flag_namer()) if hasattr(message, "render") else str(message)
    print(f"redline: warning: {text}", file=sys.stderr)


def _notice(args: argparse.Namespace, illustrative: bool) -> None:
    from redline.zones.labels import t

    if illustrative:
        say(args, "⚠ " + t("illustrative_notice", args.lang))


def _summary_line(args: argparse.Namespace, n_sites: int, verdicts: dict[str, int]) -> None:
    from redline.zones.labels import t

    say(args, t("summary_line", args.lang, n=n_sites, **verdicts))


def print_summary(args: argparse.Namespace, n_sites: int, verdicts: dict[str, int], illustrative: bool) -> None:
    """Print the illustrative-data notice (when so) and the count of sites per verdict."""
    _notice(args, illustrative)
    _summary_line(args, n_sites, verdicts)


def print_result(args: argparse.Namespace, result, *, detail: bool) -> None:
    """Print a screening result: with ``detail`` each site's verdict and findings, then the summary."""
    _notice(args, result.illustrative)
    if detail:
        for _, site in result.sites.iterrows():
            _print_site(args, result, site)
    _summary_line(args, len(result.sites), result.verdict_counts())


def _print_site(args: argparse.Namespace, result, site) -> None:
    """Print one site's verdict and its findings (with a touched unit's access list)."""
    from redline.zones.kinds import KINDS
    from redline.zones.verdicts import verdict_label

    lang = args.lang
    say(args, f"{site['site_id']}: {verdict_label(site['verdict'] or 'error', lang)} ({site['verdict'] or 'error'})")
    for _, f in result.findings[result.findings["site_id"] == site["site_id"]].iterrows():
        kind = KINDS[f["kind"]]
        measure = ""
        if f["overlap_area_m2"] == f["overlap_area_m2"]:
            measure = f" {f['overlap_area_m2']:,.1f} m² ({f['overlap_ratio']:.1%})"
        elif f["overlap_length_m"] == f["overlap_length_m"]:
            measure = f" {f['overlap_length_m']:,.1f} m"
        if f["relation"] == "nearby":
            measure = f" {f['distance_m']:,.1f} m"
        say(
            args,
            f"  - {kind.label(lang)} {f['zone_id']} {f['zone_name']} {kind.class_label(f['zone_class'], lang)}"
            f" | {f['relation']}{measure} | {verdict_label(f['verdict'], lang)} {f['rule_id']}",
        )
        clauses = result.access_lists.get(f["zone_id"]) if f["kind"] == "control_unit" else None
        if clauses:
            _print_access_list(args, clauses, set(str(f["matched_rules"]).split(";")))


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
    """Print one line a site: id, verdict, number of findings, name."""
    from redline.zones.verdicts import verdict_label

    for _, s in result.sites.iterrows():
        verdict = "error" if s["status"] == "error" else s["verdict"]
        say(args, f"  {s['site_id']:<8} {verdict_label(verdict, args.lang):<8} {s['n_findings']:>3}  {s['name']}")


def print_files(args: argparse.Namespace, out: str | Path | None, files: Iterable[Path]) -> None:
    """Print the output folder and the names of the files written into it (nothing without a folder)."""
    if out:
        say(args, f"→ {Path(out).resolve()}: " + ", ".join(p.name for p in files))
