"""Zoning maps for planners: a whole layer set (or some kinds of it) on one map.

``redline map LAYERS --out zoning.html|zoning.png|zoning.pdf`` draws every zone
of the layer set (or only ``--kind``), styled by kind and class as in
``map.html``, with a Chinese title and legend, a scale bar, a north arrow, the
source (layer set name, files and fingerprints) and, for illustrative data, a
notice saying so.

- ``.html``: the interactive map of :mod:`maps.site_map` without sites (base
  maps, 高德 GCJ-02 shift, layer control, full screen, ruler);
- ``.png`` / ``.pdf``: a print-resolution map drawn with matplotlib on A4 or A3
  landscape, in a transverse Mercator projection on the CGCS2000 ellipsoid
  centred on the layer set (so the scale bar is true across a county).

Zones of confidential (涉密) layers are never drawn, and their extent plays no part
in the view or the central meridian; the legend or caption names them instead.
"""

from __future__ import annotations

import html
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import folium
import numpy as np
import shapely
from branca.element import Element
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.patheffects import withStroke
from pyproj import Transformer

from redline._version import __version__
from redline.layers.layerset import LayerSet
from redline.maps._leaflet import (
    Runtime,
    confidential_notes,
    drawable_kinds,
    js_strings,
    kinds_payload,
    legend_html,
    new_map,
    public_zones,
    top_html,
    verdicts_payload,
    zone_payload,
)
from redline.maps._mpl import (
    draw_north_arrow,
    draw_polygons,
    draw_scale_bar,
    font_context,
    mpl_style,
    printable,
    text_lang,
)
from redline.maps._style import kind_order, zone_style
from redline.maps.site_map import SIMPLIFY_TOLERANCE_M, notes
from redline.zones.errors import RedlineError
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
            f"--kind: {', '.join(missing)} not in layer set '{layerset.name}'; "
            f"it has {', '.join(present) or 'no layers'}"
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
    kind_ids = {k: i for i, k in enumerate(kinds)}
    drawn = drawable_kinds(layerset, kinds)  # confidential (涉密) layers: a note, never their zones
    zones, tolerance, counts = zone_payload(layerset, drawn, kind_ids, tolerance_m=SIMPLIFY_TOLERANCE_M)
    for z in zones:
        kind = kinds[z["kind"]]
        group = folium.FeatureGroup(name=html.escape(f"{kind_label(kind, lang)} ({counts.get(kind, 0):,})"))
        group.add_to(m)
        z["holder"] = group.get_name()
    payload = {
        "map": m.get_name(),
        "gaode": gaode,
        "north": True,
        "strings": js_strings(lang),
        "verdicts": verdicts_payload(lang),
        "kinds": kinds_payload(kinds, lang),
        "zones": zones,
        "overlaps": None,
        "rings": None,
        "sites": None,
    }
    folium.LayerControl(collapsed=False).add_to(m)
    Runtime(payload).add_to(m)
    root = m.get_root()
    legend = legend_html(
        layerset.name,
        drawn,
        lang,
        overlap=False,
        verdicts=False,
        notes=[*confidential_notes(layerset, kinds, lang), *notes(lang, tianditu=tianditu, tolerance_m=tolerance)],
    )
    root.html.add_child(Element(legend), name="rc_legend")
    top = top_html(
        lang, illustrative=layerset.illustrative, title=title or _title(layerset, kinds, lang), subtitle=layerset.name
    )
    root.html.add_child(Element(top), name="rc_top")
    source = " · ".join(_source_lines(layerset, kinds, lang)[:2])
    root.html.add_child(Element(f'<div id="rc-source">{html.escape(source)}</div>'), name="rc_source")
    boxes = [
        layer.gdf.total_bounds
        for layer in layerset.layers
        if layer.kind in kinds and not layer.gdf.empty and not getattr(layer, "confidential", False)
    ]
    if boxes:
        b = np.array(boxes)
        m.fit_bounds([[float(b[:, 1].min()), float(b[:, 0].min())], [float(b[:, 3].max()), float(b[:, 2].max())]])
    m.rc_payload = payload  # type: ignore[attr-defined]
    return m


def _label_points(geoms: np.ndarray) -> np.ndarray:
    return shapely.point_on_surface(geoms)


def zoning_figure(
    layerset: LayerSet,
    *,
    kinds: list[str] | None = None,
    lang: str = "zh",
    title: str | None = None,
    paper: str = "A4",
) -> Figure:
    """Draw a layer set as a printable matplotlib figure (landscape ``paper``).

    Returns a :class:`matplotlib.figure.Figure` (not attached to pyplot); save
    it with ``fig.savefig(path, dpi=300)``, or use :func:`write_zoning_map`, which
    also sets the fonts for Chinese text.

    Raises
    ------
    RedlineError
        For a kind the layer set does not have, an unknown paper size, or a
        layer set with no zones to draw.

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
        raise RedlineError(f"--paper: unknown paper size {paper!r}; use one of {', '.join(PAPER_SIZES)}")
    lang_img = text_lang(lang)
    layers = [
        layer
        for layer in layerset.layers
        if layer.kind in kinds and not layer.gdf.empty and not getattr(layer, "confidential", False)
    ]
    if not layers:
        secret = [layer.label for layer in layerset.layers if layer.kind in kinds and layer.confidential]
        why = f" (confidential: {', '.join(secret)}; their boundaries are never drawn)" if secret else ""
        raise RedlineError(f"layer set '{layerset.name}' has no zones of {', '.join(kinds)} to draw{why}")
    b = np.array([layer.gdf.total_bounds for layer in layers])
    lon0 = round((b[:, 0].min() + b[:, 2].max()) / 2, 2)  # central meridian: the middle of the layers
    tr = Transformer.from_crs(
        "EPSG:4490",
        f"+proj=tmerc +lat_0=0 +lon_0={lon0} +k=1 +x_0=0 +y_0=0 +ellps=GRS80 +units=m +no_defs",
        always_xy=True,
    )

    def project(geoms: np.ndarray) -> np.ndarray:
        def apply(xy: np.ndarray) -> np.ndarray:
            x, y = tr.transform(xy[:, 0], xy[:, 1])
            return np.column_stack([x, y])

        return shapely.transform(geoms, apply)

    width, height = PAPER_SIZES[paper]
    scale = width / PAPER_SIZES["A4"][0]
    with font_context():
        fig = Figure(figsize=(width, height))
        fig.text(
            0.03 + _MAP_W / 2,
            0.955,
            printable(title or _title(layerset, kinds, lang_img)),
            ha="center",
            va="top",
            fontsize=20 * scale,
            fontweight="bold",
            color="#1c2833",
        )
        fig.text(
            0.03 + _MAP_W / 2,
            0.905,
            printable(layerset.name),
            ha="center",
            va="top",
            fontsize=10 * scale,
            color="#5d6d7e",
        )
        ax = fig.add_axes((0.03, 0.13, _MAP_W, 0.75))
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_facecolor("#fbfcfc")
        handles: list[Any] = []
        labels: list[tuple[Any, str]] = []
        all_local = []
        for depth, kind in enumerate(kind_order(drawable_kinds(layerset, kinds))):
            zones = public_zones(layerset, kind)
            local = project(np.asarray(zones.geometry.array, dtype=object))
            all_local.append(local)
            classes = zones["zone_class"].fillna("").astype(str).to_numpy()
            known = list(KINDS[kind].classes) if kind in KINDS else []
            present = [c for c in known if c in set(classes)] + sorted(set(classes) - set(known))
            drawn = []
            label_kind = kind_label(kind, lang_img)
            for j, zc in enumerate(reversed(present)):
                style = mpl_style(zone_style(kind, zc))
                if draw_polygons(ax, local[classes == zc], zorder=2 + depth + j * 0.01, **style) is None:
                    continue
                label = class_label(kind, zc, lang_img) if zc else ""
                label = label or (zc if zc else label_kind)
                n = int((classes == zc).sum())
                drawn.append(
                    (zc, Patch(label=printable(f"{label}（{n}）" if lang_img == "zh" else f"{label} ({n})"), **style))
                )
            drawn.sort(key=lambda p: present.index(p[0]))
            if len(drawn) > 1 or (drawn and drawn[0][0]):
                # a heading for the kind, then one entry per class
                header = Patch(facecolor="none", edgecolor="none", label=printable(label_kind))
                handles[:0] = [header, *(h for _, h in drawn)]
            else:
                handles[:0] = [h for _, h in drawn]
            if 0 < len(zones) <= _LABEL_MAX:
                for g, p, name in zip(local, _label_points(local), zones["zone_name"], strict=True):
                    if p is not None and not p.is_empty and isinstance(name, str) and name.strip():
                        labels.append((g, p, name.strip()))
        everything = np.concatenate(all_local)
        lx0, ly0, lx1, ly1 = shapely.total_bounds(everything[~shapely.is_missing(everything)])
        # grow the data range to the axes' shape, so an equal aspect needs no further change
        box_w, box_h = _MAP_W * width, 0.75 * height
        cx, cy = (lx0 + lx1) / 2, (ly0 + ly1) / 2
        half_w, half_h = (lx1 - lx0) / 2 * 1.04, (ly1 - ly0) / 2 * 1.04
        if half_w / half_h > box_w / box_h:
            half_h = half_w * box_h / box_w
        else:
            half_w = half_h * box_w / box_h
        ax.set_xlim(cx - half_w, cx + half_w)
        ax.set_ylim(cy - half_h, cy + half_h)
        ax.set_aspect("equal", adjustable="box")
        halo = [withStroke(linewidth=2.2, foreground="white")]
        min_area = (2 * half_w) * (2 * half_h) * 0.002  # skip names of zones too small to hold them
        for g, p, name in labels:
            if shapely.area(g) < min_area:
                continue
            ax.text(
                p.x,
                p.y,
                printable(name),
                fontsize=6 * scale,
                ha="center",
                va="center",
                color="#1c2833",
                zorder=40,
                path_effects=halo,
                clip_on=True,
            )
        draw_scale_bar(ax, fontsize=8 * scale)
        draw_north_arrow(ax, printable(t("static.north", lang_img)), fontsize=11 * scale, loc=(0.95, 0.86))
        legend_x = 0.03 + _MAP_W + 0.025
        fig.text(
            legend_x,
            0.88,
            printable(t("map.legend", lang_img)),
            fontsize=12 * scale,
            fontweight="bold",
            va="top",
            color="#1c2833",
        )
        fig.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(legend_x - 0.006, 0.85),
            frameon=False,
            fontsize=8 * scale,
            handlelength=2.2,
            handleheight=1.1,
            labelspacing=0.55,
        )
        lines = [*confidential_notes(layerset, kinds, lang_img), *_source_lines(layerset, kinds, lang_img, lon0)]
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
        if layerset.illustrative:
            fig.text(
                0.97,
                0.955,
                printable(t("illustrative_notice", lang_img)),
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
                printable(t("static.illustrative", lang_img)),
                transform=ax.transAxes,
                ha="center",
                va="center",
                fontsize=40 * scale,
                color="#c0392b",
                alpha=0.08,
                rotation=30,
                zorder=50,
            )
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
        raise RedlineError(f"--out: '{target.name}' must end in {', '.join(ZONING_SUFFIXES)} (the format follows it)")
    if not 72 <= dpi <= 1200:
        raise RedlineError(f"--dpi: {dpi} is outside 72..1200")
    if suffix == ".html":
        m = zoning_map(layerset, kinds=kinds, lang=lang, title=title)
    else:
        fig = zoning_figure(layerset, kinds=kinds, lang=lang, title=title, paper=paper)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=target.parent)
    except OSError as exc:
        raise RedlineError(
            f"--out: cannot write into '{target.parent}' ({exc.strerror}); choose a writable folder"
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
