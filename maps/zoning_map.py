"""Zoning maps for planners: a whole layer set (or some kinds of it) on one map.

``redline map LAYERS --out zoning.html|zoning.png|zoning.pdf`` draws every zone
of the layer set (or only ``--kind``), styled by kind and class as in
``map.html``, with a Chinese title and legend, a scale bar, a north arrow, the
source (layer set name, files and fingerprints) and, for illustrative data, a
notice saying so.

- ``.html``: the interactive map of :mod:`maps.site_map` without sites (a blank base
  by default and tiled ones to choose, 高德 GCJ-02 shift, layer control with counts,
  a legend of the classes present, full screen, ruler, metric scale);
- ``.png`` / ``.pdf``: a print-resolution map drawn with matplotlib on A4 or A3
  landscape, in a transverse Mercator projection on the CGCS2000 ellipsoid
  centred on the layer set (so the scale bar is true across a county); zone names
  are placed where they overlap nothing (:mod:`maps._labels`) and the legend has
  one group per kind.

Zones of confidential (涉密) layers are never drawn, and their extent plays no part
in the view or the central meridian; the legend or caption names them instead.
"""

from __future__ import annotations

import html
import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import folium
import numpy as np
import shapely
from branca.element import Element
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.transforms import Bbox

from redline._version import __version__
from redline.layers.geodesy import local_projection
from redline.layers.layerset import LayerSet
from redline.maps._labels import ZoneLabel, place_labels
from redline.maps._leaflet import (
    base_payload,
    confidential_notes,
    count_notes,
    drawable_kinds,
    finish_map,
    legend_html,
    map_notes,
    new_map,
    public_zones,
    top_html,
    zone_holders,
    zone_payload,
)
from redline.maps._legend import classes_present
from redline.maps._mpl import (
    draw_north_arrow,
    draw_polygons,
    draw_scale_bar,
    font_context,
    mpl_style,
    printable,
    project,
    text_lang,
)
from redline.maps._style import kind_order, zone_style
from redline.maps._texts import mt
from redline.maps.site_map import SIMPLIFY_TOLERANCE_M
from redline.zones.errors import RedlineError, param_ref
from redline.zones.kinds import KINDS
from redline.zones.labels import check_lang, class_label, kind_label, t

__all__ = ["PAPER_SIZES", "ZONING_SUFFIXES", "write_zoning_map", "zoning_figure", "zoning_map"]

#: Landscape paper sizes in inches.
PAPER_SIZES: dict[str, tuple[float, float]] = {"A4": (11.69, 8.27), "A3": (16.54, 11.69)}
#: Output formats of :func:`write_zoning_map`, by file suffix.
ZONING_SUFFIXES: tuple[str, ...] = (".html", ".png", ".pdf")

#: Kinds with at most this many zones get their names written on the printed map.
_LABEL_MAX = 40
#: Width of the map frame as a fraction of the page (the legend is to its right).
_MAP_W = 0.68


def _kinds(layerset: LayerSet, kinds: list[str] | None) -> list[str]:
    present = layerset.kinds
    if not kinds:
        return list(present)
    wanted = list(dict.fromkeys(kinds))
    missing = [k for k in wanted if k not in present]
    if missing:
        raise RedlineError(
            f"{param_ref('kinds')}: {', '.join(missing)} not in layer set '{layerset.name}'; "
            f"it has {', '.join(present) or 'no layers'}",
            param="kinds",
            value=missing,
            zh=f"{param_ref('kinds')}：图层集 '{layerset.name}' 中没有 {'、'.join(missing)}；"
            f"它有 {'、'.join(present) or '（无图层）'}",
        )
    return wanted


def _title(layerset: LayerSet, kinds: list[str], lang: str) -> str:
    if len(kinds) == 1:
        return t("zoning.title_kind", lang, kind=kind_label(kinds[0], lang))
    if set(kinds) == set(layerset.kinds):
        return t("zoning.title_all", lang)
    sep = "、" if lang == "zh" else ", "
    return t("zoning.title_kind", lang, kind=sep.join(kind_label(k, lang) for k in kinds))


def _source_lines(layerset: LayerSet, kinds: list[str], lang: str, centre_lon: float | None = None) -> list[str]:
    mark = t("confidential.mark", lang)
    layers = "；".join(
        f"{layer.label} ({layer.fingerprint.removeprefix('sha256:')[:12]}"
        + (f", {mark})" if getattr(layer, "confidential", False) else ")")
        for layer in layerset.layers
        if layer.kind in kinds
    )
    lines = [t("zoning.source", lang, name=layerset.name), t("zoning.layers", lang, layers=layers)]
    if centre_lon is not None:
        lines.append(t("zoning.crs", lang, lon=f"{centre_lon:.2f}"))
    now = datetime.now(UTC).astimezone().isoformat(timespec="minutes")
    lines.append(t("zoning.made", lang, version=__version__, time=now))
    return lines


def zoning_map(
    layerset: LayerSet,
    *,
    kinds: list[str] | None = None,
    lang: str = "zh",
    title: str | None = None,
    tianditu_key: str | None = None,
) -> folium.Map:
    """Draw a layer set on an interactive map (no sites).

    Parameters
    ----------
    layerset : LayerSet
    kinds : list of str, optional
        Only these kinds (all by default).
    lang : str, default "zh"
    title : str, optional
        The map title; by default "生态环境分区管控图" or "<kind>分布图".
    tianditu_key : str, optional
        As for :func:`maps.site_map`.

    Returns
    -------
    folium.Map

    Raises
    ------
    RedlineError
        For a kind the layer set does not have.

    Examples
    --------
    >>> from redline.layers import load_layerset
    >>> m = zoning_map(load_layerset("sample"), kinds=["water_source", "ecological_redline"])
    >>> type(m).__name__
    'Map'
    >>> m  # in a notebook, the last expression of a cell shows the map  # doctest: +SKIP
    >>> m.save("zoning.html")  # or write_zoning_map(layerset, "zoning.html")
    """
    check_lang(lang)
    kinds = _kinds(layerset, kinds)
    m, gaode, tianditu = new_map(lang, tianditu_key=tianditu_key)
    drawn = drawable_kinds(layerset, kinds)  # confidential (涉密) layers: a note, never their zones
    zones, tolerance, counts = zone_payload(
        layerset, drawn, {k: i for i, k in enumerate(kinds)}, tolerance_m=SIMPLIFY_TOLERANCE_M
    )
    payload = {
        **base_payload(m, gaode, kinds, lang, north=True),
        "zones": zone_holders(m, zones, kinds, counts, lang),
        "overlaps": None,
        "rings": None,
        "sites": None,
    }
    notes, bases = map_notes(lang, tianditu=tianditu, tolerance_m=tolerance, simplify_m=SIMPLIFY_TOLERANCE_M)
    notes = [*confidential_notes(layerset, kinds, lang), *count_notes(counts, lang), *notes]
    legend = legend_html(layerset.name, classes_present(payload["zones"], kinds), lang, notes=notes, base_notes=bases)
    top = top_html(
        lang, illustrative=layerset.illustrative, title=title or _title(layerset, kinds, lang), subtitle=layerset.name
    )
    source = " · ".join(_source_lines(layerset, kinds, lang)[:2])
    m.get_root().html.add_child(Element(f'<div id="rc-source">{html.escape(source)}</div>'), name="rc_source")
    return finish_map(m, payload, legend=legend, top=top, bounds=_layer_bounds(layerset, kinds))


def _layer_bounds(layerset: LayerSet, kinds: list[str]) -> list[list[float]] | None:
    """Return ``[[south, west], [north, east]]`` of the public layers of ``kinds`` (None when all are empty)."""
    boxes = [
        layer.gdf.total_bounds
        for layer in layerset.layers
        if layer.kind in kinds and not layer.gdf.empty and not getattr(layer, "confidential", False)
    ]
    if not boxes:
        return None
    b = np.array(boxes)
    return [[float(b[:, 1].min()), float(b[:, 0].min())], [float(b[:, 3].max()), float(b[:, 2].max())]]


#: A legend entry of a printed zoning map: zone class, label, matplotlib style.
_Entry = tuple[str, str, dict[str, Any]]
#: Classes are indented under their kind in the printed legend.
_INDENT = "   "


@dataclass
class _Drawn:
    """What :func:`_draw_zones` drew: the legend groups, the names to write, the zones in map metres."""

    groups: list[tuple[str, list[_Entry]]] = field(default_factory=list)
    labels: list[ZoneLabel] = field(default_factory=list)
    geoms: list[np.ndarray] = field(default_factory=list)


def _drawable_layers(layerset: LayerSet, kinds: list[str]) -> list[Any]:
    """Return the public, non-empty layers of ``kinds``; raise when there are none."""
    layers = [
        layer
        for layer in layerset.layers
        if layer.kind in kinds and not layer.gdf.empty and not getattr(layer, "confidential", False)
    ]
    if not layers:
        secret = [layer.label for layer in layerset.layers if layer.kind in kinds and layer.confidential]
        why = f" (confidential: {', '.join(secret)}; their boundaries are never drawn)" if secret else ""
        raise RedlineError(
            f"layer set '{layerset.name}' has no zones of {', '.join(kinds)} to draw{why}",
            param="kinds",
            value=kinds,
            zh=f"图层集 '{layerset.name}' 中没有可绘制的 {'、'.join(kinds)} 区域{why}",
        )
    return layers


def _draw_kind(ax: Axes, kind: str, zones: Any, local: np.ndarray, depth: int, lang: str) -> list[_Entry]:
    """Draw the zones of one kind, class by class (broad ones first); return its legend entries, strictest first."""
    classes = zones["zone_class"].fillna("").astype(str).to_numpy()
    known = list(KINDS[kind].classes) if kind in KINDS else []
    present = [c for c in known if c in set(classes)] + sorted(set(classes) - set(known))
    entries = []
    for j, zc in enumerate(reversed(present)):
        style = mpl_style(zone_style(kind, zc))
        if draw_polygons(ax, local[classes == zc], zorder=2 + depth + j * 0.01, **style) is None:
            continue
        label = (class_label(kind, zc, lang) or zc) if zc else kind_label(kind, lang)
        n = int((classes == zc).sum())
        entries.append((zc, printable(f"{label}（{n:,}）" if lang == "zh" else f"{label} ({n:,})"), style))
    entries.sort(key=lambda e: present.index(e[0]))
    return entries


def _draw_zones(ax: Axes, layerset: LayerSet, kinds: list[str], tr: Any, lang: str) -> _Drawn:
    """Draw every public zone of ``kinds`` in drawing order; collect the legend groups and the names."""
    drawn = _Drawn()
    order = kind_order(drawable_kinds(layerset, kinds))
    for depth, kind in enumerate(order):
        zones = public_zones(layerset, kind)
        local = project(np.asarray(zones.geometry.array, dtype=object), tr)
        drawn.geoms.append(local)
        entries = _draw_kind(ax, kind, zones, local, depth, lang)
        if entries:
            drawn.groups.insert(0, (printable(kind_label(kind, lang)), entries))
        if not 0 < len(zones) <= _LABEL_MAX:
            continue
        areas = shapely.area(local)
        for g, area, name in zip(local, areas, zones["zone_name"], strict=True):
            if g is not None and not g.is_empty and isinstance(name, str) and name.strip():
                # the strictest kinds (drawn last) are named first, then the larger zones
                drawn.labels.append(ZoneLabel(g, printable(name.strip()), (len(order) - depth) * 1e15 - area))
    return drawn


def _frame(ax: Axes, geoms: list[np.ndarray], box_w: float, box_h: float) -> float:
    """Set the axes' limits to the zones, grown to the axes' shape (``box_w`` × ``box_h`` inches); return the area."""
    everything = np.concatenate(geoms)
    lx0, ly0, lx1, ly1 = shapely.total_bounds(everything[~shapely.is_missing(everything)])
    cx, cy = (lx0 + lx1) / 2, (ly0 + ly1) / 2
    half_w, half_h = (lx1 - lx0) / 2 * 1.04, (ly1 - ly0) / 2 * 1.04
    if half_w / half_h > box_w / box_h:
        half_h = half_w * box_h / box_w
    else:
        half_w = half_h * box_w / box_h
    ax.set_xlim(cx - half_w, cx + half_w)
    ax.set_ylim(cy - half_h, cy + half_h)
    ax.set_aspect("equal", adjustable="box")
    return (2 * half_w) * (2 * half_h)


def _furniture(ax: Axes, lang: str, scale: float) -> list[Bbox]:
    """Draw the scale bar and the north arrow; return their boxes (display units), which names avoid."""
    before = len(ax.texts), len(ax.patches)
    draw_scale_bar(ax, fontsize=8 * scale)
    draw_north_arrow(ax, printable(t("static.north", lang)), fontsize=11 * scale, loc=(0.95, 0.86))
    renderer = ax.figure.canvas.get_renderer()
    artists = [*ax.texts[before[0] :], *ax.patches[before[1] :]]
    return [a.get_window_extent(renderer) for a in artists]


def _names(ax: Axes, labels: list[ZoneLabel], avoid: list[Bbox], map_area: float, scale: float) -> int:
    """Write the zone names that fit (zones too small to hold one are skipped); return how many were left off."""
    min_area = map_area * 0.002
    big = [lb for lb in labels if shapely.area(lb.geom) >= min_area]
    return place_labels(ax, big, fontsize=6 * scale, avoid=avoid)


def _legend(fig: Figure, groups: list[tuple[str, list[_Entry]]], lang: str, scale: float) -> None:
    """Draw the legend right of the map: one group per kind, its name in bold, then its classes."""
    legend_x = 0.03 + _MAP_W + 0.025
    fig.text(
        legend_x,
        0.88,
        printable(t("map.legend", lang)),
        fontsize=12 * scale,
        fontweight="bold",
        va="top",
        color="#1c2833",
    )
    handles: list[Any] = []
    heads: list[bool] = []
    for kind, entries in groups:
        if [zc for zc, _, _ in entries] == [""]:
            handles.append(Patch(label=entries[0][1], **entries[0][2]))  # a kind without classes: one entry
            heads.append(True)
            continue
        handles.append(Patch(facecolor="none", edgecolor="none", label=kind))
        heads.append(True)
        handles.extend(Patch(label=f"{_INDENT}{label}", **style) for _, label, style in entries)
        heads.extend([False] * len(entries))
    legend = fig.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(legend_x - 0.006, 0.85),
        frameon=False,
        fontsize=8 * scale,
        handlelength=2.2,
        handleheight=1.1,
        labelspacing=0.55,
    )
    for text, head in zip(legend.get_texts(), heads, strict=True):
        if head:
            text.set_fontweight("bold")


def _footer(fig: Figure, lines: list[str], scale: float) -> None:
    fig.text(
        0.03,
        0.11,
        printable("\n".join(lines)),
        fontsize=6.5 * scale,
        color="#5d6d7e",
        va="top",
        wrap=True,
        linespacing=1.5,
    )


def _titles(fig: Figure, title: str, subtitle: str, scale: float) -> None:
    x = 0.03 + _MAP_W / 2
    style = {"ha": "center", "va": "top"}
    fig.text(x, 0.955, printable(title), fontsize=20 * scale, fontweight="bold", color="#1c2833", **style)
    fig.text(x, 0.905, printable(subtitle), fontsize=10 * scale, color="#5d6d7e", **style)


def _illustrative(fig: Figure, ax: Axes, lang: str, scale: float) -> None:
    """Mark an illustrative layer set: a notice in the corner and a faint word across the map."""
    fig.text(
        0.97,
        0.955,
        printable(t("illustrative_notice", lang)),
        ha="right",
        va="top",
        fontsize=10 * scale,
        fontweight="bold",
        color="#c0392b",
        wrap=True,
        bbox={"facecolor": "white", "edgecolor": "#c0392b", "pad": 4},
    )
    ax.text(
        0.5,
        0.5,
        printable(t("static.illustrative", lang)),
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=40 * scale,
        color="#c0392b",
        alpha=0.08,
        rotation=30,
        zorder=50,
    )


def zoning_figure(
    layerset: LayerSet,
    *,
    kinds: list[str] | None = None,
    lang: str = "zh",
    title: str | None = None,
    paper: str = "A4",
) -> Figure:
    """Draw a layer set as a printable matplotlib figure (landscape ``paper``).

    Zone names are written where they fit without overlapping (moved off their zone with a
    leader line when needed); the caption says how many were left off.  The legend has one group
    per kind.

    Returns a :class:`matplotlib.figure.Figure` (not attached to pyplot, with an Agg canvas);
    save it with ``fig.savefig(path, dpi=300)``, or use :func:`write_zoning_map`, which
    also sets the fonts for Chinese text.

    Raises
    ------
    RedlineError
        For a kind the layer set does not have (``param`` ``kinds``), an unknown paper size
        (``paper``), or a layer set with no zones to draw.

    Examples
    --------
    >>> from redline.layers import load_layerset
    >>> fig = zoning_figure(load_layerset("sample"), kinds=["water_source"], paper="A4")
    >>> [round(float(x), 2) for x in fig.get_size_inches()]
    [11.69, 8.27]
    """
    check_lang(lang)
    kinds = _kinds(layerset, kinds)
    if paper not in PAPER_SIZES:
        raise RedlineError(
            f"{param_ref('paper')}: unknown paper size {paper!r}; use one of {', '.join(PAPER_SIZES)}",
            param="paper",
            value=paper,
            zh=f"{param_ref('paper')}：未知的纸张 {paper!r}；请用 {'、'.join(PAPER_SIZES)} 之一",
        )
    lang_img = text_lang(lang)
    b = np.array([layer.gdf.total_bounds for layer in _drawable_layers(layerset, kinds)])
    lon0 = round((b[:, 0].min() + b[:, 2].max()) / 2, 2)  # central meridian: the middle of the layers
    width, height = PAPER_SIZES[paper]
    scale = width / PAPER_SIZES["A4"][0]
    with font_context():
        fig = Figure(figsize=(width, height))
        FigureCanvasAgg(fig)  # names are placed by their rendered size
        _titles(fig, title or _title(layerset, kinds, lang_img), layerset.name, scale)
        ax = fig.add_axes((0.03, 0.13, _MAP_W, 0.75))
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_facecolor("#fbfcfc")
        drawn = _draw_zones(ax, layerset, kinds, local_projection(float(lon0)), lang_img)
        map_area = _frame(ax, drawn.geoms, _MAP_W * width, 0.75 * height)
        left_off = _names(ax, drawn.labels, _furniture(ax, lang_img, scale), map_area, scale)
        _legend(fig, drawn.groups, lang_img, scale)
        lines = [*confidential_notes(layerset, kinds, lang_img), *_source_lines(layerset, kinds, lang_img, lon0)]
        if left_off:  # on the last line, which the page has room for
            lines[-1] += ("；" if lang_img == "zh" else "; ") + mt("zoning.labels_left_off", lang_img, n=left_off)
        _footer(fig, lines, scale)
        if layerset.illustrative:
            _illustrative(fig, ax, lang_img, scale)
    return fig


def write_zoning_map(
    layerset: LayerSet,
    path: str | os.PathLike[str],
    *,
    kinds: list[str] | None = None,
    lang: str = "zh",
    title: str | None = None,
    dpi: int = 300,
    paper: str = "A4",
) -> Path:
    """Write a zoning map; the format follows the suffix (``.html``, ``.png``, ``.pdf``).

    The file is written under a temporary name and moved into place when complete.

    Raises
    ------
    RedlineError
        For an unknown suffix, a bad ``dpi``, a kind the layer set lacks, or a
        folder that cannot be written.

    Examples
    --------
    >>> from redline.layers import load_layerset
    >>> write_zoning_map(load_layerset("sample"), "zoning.png", kinds=["water_source"], dpi=72).name
    'zoning.png'
    >>> write_zoning_map(load_layerset("sample"), "zoning.pdf", paper="A3")  # doctest: +SKIP
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in ZONING_SUFFIXES:
        raise RedlineError(
            f"{param_ref('path')}: '{target.name}' must end in {', '.join(ZONING_SUFFIXES)} (the format follows it)",
            param="path",
            value=str(path),
            zh=f"{param_ref('path')}：'{target.name}' 须以 {'、'.join(ZONING_SUFFIXES)} 结尾（按扩展名决定格式）",
        )
    if not 72 <= dpi <= 1200:
        raise RedlineError(
            f"{param_ref('dpi')}: {dpi} is outside 72..1200",
            param="dpi",
            value=dpi,
            zh=f"{param_ref('dpi')}：{dpi} 超出 72..1200 的范围",
        )
    if suffix == ".html":
        m = zoning_map(layerset, kinds=kinds, lang=lang, title=title)
    else:
        fig = zoning_figure(layerset, kinds=kinds, lang=lang, title=title, paper=paper)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=target.parent)
    except OSError as exc:
        raise RedlineError(
            f"{param_ref('path')}: cannot write into '{target.parent}' ({exc.strerror}); choose a writable folder",
            param="path",
            value=str(path),
            zh=f"{param_ref('path')}：无法写入 '{target.parent}'（{exc.strerror}）；请另选可写的文件夹",
        ) from None
    os.close(fd)
    try:
        if suffix == ".html":
            m.save(tmp)
        else:
            with font_context():
                meta = {"Title": title or _title(layerset, kinds or layerset.kinds, lang), "Creator": "redline-checker"}
                fig.savefig(tmp, format=suffix[1:], dpi=dpi, metadata=meta if suffix == ".pdf" else None)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes files private; the map is an ordinary output
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target
