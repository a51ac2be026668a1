"""The legend and the title box of the interactive maps (every text escaped).

The legend lists what the map draws and nothing else: the verdicts the sites have (first), each
kind with zones on the map as a group (the kind, then its classes that occur), and the overlaps
and buffer rings when drawn.  Its head has a button that folds it away; the runtime docks it in the
map's lower-left corner and keeps the sites clear of it when it frames the view.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any

from redline.maps._style import OVERLAP_STYLE, kind_order, swatch_css, verdict_color, verdict_order, zone_style
from redline.maps._texts import mt, verdict_name
from redline.zones.kinds import KINDS
from redline.zones.labels import class_label, kind_label, t

__all__ = ["classes_present", "legend_html", "top_html"]

_esc = html.escape


def classes_present(zones: Iterable[dict[str, Any]], kinds: list[str]) -> dict[str, list[str]]:
    """Return ``{kind: [zone class, ...]}`` of the zones in a payload (``kinds`` indexes its ``kind``).

    Classes come in the kind's own order, unknown ones after them, ``""`` (no class) last; kinds
    with no zone are left out.

    Examples
    --------
    >>> zones = [{"kind": 0, "f": [[None, "1", "a", "quasi"], [None, "2", "b", "first"]]}, {"kind": 1, "f": []}]
    >>> classes_present(zones, ["water_source", "basin"])
    {'water_source': ['first', 'quasi']}
    """
    out: dict[str, list[str]] = {}
    for z in zones:
        found = {str(f[3] or "") for f in z["f"]}
        if not found:
            continue
        kind = kinds[z["kind"]]
        known = list(KINDS[kind].classes) if kind in KINDS else []
        out[kind] = [c for c in known if c in found] + sorted(found - set(known) - {""}) + [""] * ("" in found)
    return out


def _swatch(style: dict[str, Any]) -> str:
    return f'<span class="rc-sw" style="{swatch_css(style)}"></span>'


def _zone_rows(classes: Mapping[str, list[str]], lang: str) -> list[str]:
    """Return the legend rows of the zones: one group per kind, the strictest kind first."""
    rows = []
    for kind in reversed(kind_order(classes)):
        present = classes[kind]
        label = _esc(kind_label(kind, lang))
        if present == [""]:
            rows.append(f'<div class="rc-kind">{_swatch(zone_style(kind, None))}{label}</div>')
            continue
        rows.append(f'<div class="rc-kind">{label}</div>')
        for c in present:
            name = class_label(kind, c, lang) if c else mt("legend.unclassified", lang)
            rows.append(f'<div class="rc-sub">{_swatch(zone_style(kind, c))}{_esc(name)}</div>')
    return rows


def _verdict_rows(verdicts: Iterable[str], lang: str) -> list[str]:
    """Return the heading and one row per verdict of ``verdicts``, worst first (none when empty)."""
    wanted = set(verdicts)
    shown = [v for v in verdict_order() if v in wanted] + sorted(wanted - set(verdict_order()))
    if not shown:
        return []
    rows = [f'<div class="rc-h">{_esc(t("map.legend_verdicts", lang))}</div>']
    for v in shown:
        dot = f'<span class="rc-dot" style="background:{verdict_color(v)}"></span>'
        rows.append(f'<div class="rc-verdict" data-verdict="{_esc(v)}">{dot}{_esc(verdict_name(v, lang))}</div>')
    if "no_coverage" in wanted:
        rows.append(f'<div class="rc-note">{_esc(mt("note.no_coverage", lang))}</div>')
    return rows


def legend_html(
    layerset_name: str,
    classes: Mapping[str, list[str]],
    lang: str,
    *,
    overlap: bool = False,
    ring_m: float | None = None,
    verdicts: Iterable[str] = (),
    clusters: bool = False,
    notes: Iterable[str] = (),
    base_notes: Iterable[str] = (),
) -> str:
    """Return the legend: what is drawn, the notes, and the base-map notes folded in a ``<details>``.

    Parameters
    ----------
    layerset_name : str
    classes : mapping
        ``{kind: [zone class, ...]}`` of the zones drawn (:func:`classes_present`).
    lang : str
    overlap : bool
        Whether overlaps are drawn.
    ring_m : float, optional
        The buffer, when rings are drawn.
    verdicts : iterable of str
        The verdicts of the sites drawn.
    clusters : bool
        Whether sites may be drawn as clusters.
    notes, base_notes : iterable of str
        Notes shown, and notes about the base maps (folded).

    Examples
    --------
    >>> text = legend_html("demo", {"water_source": ["first"], "basin": [""]}, "en", verdicts=["clear"])
    >>> "first-level zone" in text, "second-level zone" in text, "prohibited" in text, "clear" in text
    (True, False, False, True)
    """
    rows = [f'<div class="rc-caption">{_esc(layerset_name)}</div>', *_verdict_rows(verdicts, lang)]
    if clusters:
        rows.append(f'<div><span class="rc-clsw">12</span>{_esc(t("map.cluster", lang))}</div>')
    if classes:
        rows.append(f'<div class="rc-h">{_esc(t("map.legend_zones", lang))}</div>')
        rows.extend(_zone_rows(classes, lang))
    if overlap:
        rows.append(f'<div class="rc-kind">{_swatch(OVERLAP_STYLE)}{_esc(t("map.overlap", lang))}</div>')
    if ring_m:
        ring = _esc(t("map.buffer_ring", lang, buffer=f"{ring_m:,.0f}"))
        rows.append(f'<div class="rc-kind"><span class="rc-ring"></span>{ring}</div>')
    rows.extend(f'<div class="rc-note">{_esc(n)}</div>' for n in notes)
    folded = [f'<div class="rc-note">{_esc(n)}</div>' for n in base_notes]
    if folded:
        summary = f"<summary>{_esc(mt('legend.base_notes', lang))}</summary>"
        rows.append(f'<details class="rc-notes">{summary}{"".join(folded)}</details>')
    hide = _esc(mt("legend.hide", lang))
    head = (
        f'<div class="rc-legend-head"><b>{_esc(t("map.legend", lang))}</b>'
        f'<button type="button" class="rc-legend-toggle" aria-expanded="true" title="{hide}" '
        f'data-hide="{hide}" data-show="{_esc(mt("legend.show", lang))}">−</button></div>'
    )
    return f'<div id="rc-legend">{head}<div class="rc-legend-body">{"".join(rows)}</div></div>'


def top_html(lang: str, *, illustrative: bool, title: str | None = None, subtitle: str | None = None) -> str:
    """Return the title box and the illustrative-data banner shown at the top (escaped).

    Examples
    --------
    >>> top_html("en", illustrative=False, title="A & B")
    '<div id="rc-top"><div id="rc-title">A &amp; B</div></div>'
    """
    parts = []
    if title:
        sub = f'<div class="rc-subtitle">{_esc(subtitle)}</div>' if subtitle else ""
        parts.append(f'<div id="rc-title">{_esc(title)}{sub}</div>')
    if illustrative:
        parts.append(f'<div id="rc-illustrative">⚠ {_esc(t("illustrative_notice", lang))}</div>')
    return f'<div id="rc-top">{"".join(parts)}</div>' if parts else ""
