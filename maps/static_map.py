"""Static PNG maps of single sites, for the HTML and Word reports.

Each site is drawn in its own azimuthal equidistant projection (pyproj, on the
CGCS2000 ellipsoid) centred on the site, so distances from the site and the
scale bar are true.  The map shows the zones around the site clipped to the
buffer plus a margin (styled like ``map.html``), the overlap of the site with
each zone, the buffer ring, the site coloured by its verdict, a scale bar, a
north arrow, a legend of what is drawn and, for illustrative data, a notice.

Drawing uses matplotlib's Agg canvas only (no pyplot, no display).  A site map
takes a few tens of milliseconds; :func:`site_map_pngs` draws many and shares
the spatial indexes.

Zones of confidential (涉密) layers are never drawn, nor the site's overlap with them;
a site with findings in such a layer gets a note in the legend instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from pyproj import Transformer

from redline.layers.geodesy import local_projection, metres_per_degree
from redline.maps._mpl import (
    draw_lines,
    draw_north_arrow,
    draw_polygons,
    draw_scale_bar,
    font_context,
    mpl_style,
    png_bytes,
    printable,
    text_lang,
)
from redline.maps._mpl import project as _project  # bound here, where tests record what is drawn
from redline.maps._style import OVERLAP_STYLE, kind_order, verdict_color, zone_style
from redline.maps._texts import verdict_name
from redline.zones.kinds import KINDS
from redline.zones.labels import check_lang, class_label, confidential_note, format_number, kind_label, t

if TYPE_CHECKING:
    from redline.checks.result import ScreeningResult

__all__ = ["site_map_png", "site_map_pngs"]

_WIDTH_IN, _HEIGHT_IN, _DPI = 8.0, 5.0, 110
_MIN_HALF_M = 400.0
#: The shortest degree of latitude (on the equator), in metres: boxes in degrees err on the wide side.
_MIN_M_PER_DEG_LAT = float(metres_per_degree(0.0)[1])


def _local_transformer(lon: float, lat: float) -> Transformer:
    """Return CGCS2000 lon/lat -> azimuthal equidistant metres centred on (lon, lat), on the GRS80 ellipsoid.

    :func:`layers.geodesy.local_projection`: a plain PROJ pipeline, about 100 times quicker to set
    up than ``Transformer.from_crs``, which matters for hundreds of maps.
    """
    return local_projection(float(lon), float(lat), kind="aeqd")


def _degree_box(geom: Any, half_m: float) -> tuple[float, float, float, float]:
    """Return a lon/lat box around ``geom`` grown by ``half_m`` metres (generously)."""
    x0, y0, x1, y1 = geom.bounds
    lat = min(max(abs(y0), abs(y1)), 85.0)
    dlat = half_m * 1.1 / _MIN_M_PER_DEG_LAT
    dlon = half_m * 1.1 / float(metres_per_degree(lat + dlat)[0])
    return x0 - dlon, y0 - dlat, x1 + dlon, y1 + dlat


class _Drawer:
    """Shared state for drawing many site maps from one result."""

    def __init__(self, result: ScreeningResult, lang: str) -> None:
        self.result = result
        self.lang = text_lang(check_lang(lang))
        self.buffer_m = float(result.meta.get("buffer_m") or 0.0)
        sites = result.sites
        self.rows = {str(s): i for i, s in enumerate(sites["site_id"])}
        findings = result.findings
        groups = findings.groupby(findings["site_id"].astype(str).to_numpy(), sort=False).indices
        self.findings_by_site: dict[str, list[int]] = {k: list(v) for k, v in groups.items()}
        # confidential (涉密) layers are never drawn; a site with findings in one gets a note instead
        self.layers = [
            (layer.kind, layer.gdf, layer.gdf.sindex)
            for layer in result.layerset.layers
            if not layer.gdf.empty and not getattr(layer, "confidential", False)
        ]
        self.secret = result.confidential_findings()

    def _label(self, key: str, **fmt: Any) -> str:
        return printable(t(key, self.lang, **fmt))

    def draw(self, site_id: str) -> bytes:
        row = self.rows[str(site_id)]
        sites = self.result.sites
        geom = sites.geometry.iloc[row]
        if geom is None or geom.is_empty:
            raise ValueError(
                f"site {site_id!r} has no geometry (status {sites['status'].iloc[row]!r}); nothing to draw"
            )
        status = sites["status"].iloc[row]
        verdict = "error" if status == "error" else str(sites["verdict"].iloc[row])
        box = shapely.box(*geom.bounds)
        centre = box.centroid
        tr = _local_transformer(centre.x, centre.y)
        local_site = _project(geom, tr)
        sx0, sy0, sx1, sy1 = local_site.bounds
        ring_m = self.buffer_m
        half = max((sx1 - sx0) / 2, (sy1 - sy0) / 2) + max(ring_m * 1.25, _MIN_HALF_M)
        cx, cy = (sx0 + sx1) / 2, (sy0 + sy1) / 2
        dbox = _degree_box(geom, half * 1.45)

        with font_context():
            fig = Figure(figsize=(_WIDTH_IN, _HEIGHT_IN), dpi=_DPI)
            map_w = (_HEIGHT_IN * 0.94) / _WIDTH_IN
            ax = fig.add_axes((0.01, 0.03, map_w, 0.94))
            ax.set_xlim(cx - half, cx + half)
            ax.set_ylim(cy - half, cy + half)
            ax.set_aspect("equal", adjustable="box")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_facecolor("#fbfcfc")
            for spine in ax.spines.values():
                spine.set_edgecolor("#5d6d7e")
            handles = self._draw_zones(ax, tr, dbox, shapely.box(cx - half, cy - half, cx + half, cy + half))
            handles += self._draw_site(ax, tr, site_id, geom, local_site, verdict)
            draw_scale_bar(ax, fontsize=7)
            draw_north_arrow(ax, self._label("static.north"), fontsize=9)
            self._legend(fig, map_w, handles, self._secret_note(site_id))
            if self.result.illustrative:
                ax.text(
                    0.5,
                    0.985,
                    self._label("static.illustrative"),
                    transform=ax.transAxes,
                    ha="center",
                    va="top",
                    fontsize=7,
                    color="#c0392b",
                    fontweight="bold",
                    zorder=30,
                    bbox={"facecolor": "white", "edgecolor": "#c0392b", "alpha": 0.85, "pad": 2},
                )
            return png_bytes(fig, dpi=_DPI)

    def _draw_zones(self, ax: Any, tr: Transformer, dbox: tuple[float, float, float, float], view: Any) -> list[Any]:
        handles: list[Any] = []
        query = shapely.box(*dbox)
        for kind in kind_order(dict.fromkeys(k for k, _, _ in self.layers)):
            classes: dict[str, list[Any]] = {}
            for layer_kind, gdf, sindex in self.layers:
                if layer_kind != kind:
                    continue
                hits = sindex.query(query, predicate="intersects")
                if len(hits) == 0:
                    continue
                geoms = shapely.clip_by_rect(np.asarray(gdf.geometry.array, dtype=object)[hits], *dbox)
                for geom, zc in zip(geoms, gdf["zone_class"].to_numpy()[hits], strict=True):
                    if geom is not None and not geom.is_empty:
                        classes.setdefault("" if zc is None else str(zc), []).append(geom)
            known = list(KINDS[kind].classes) if kind in KINDS else []
            order = [c for c in known if c in classes] + sorted(c for c in classes if c not in known)
            # the broad classes first, so the strict ones stay on top
            drawn: dict[str, Any] = {}
            for depth, zc in enumerate(reversed(order)):
                style = mpl_style(zone_style(kind, zc))
                local = _project(np.asarray(classes[zc], dtype=object), tr)
                local = local[shapely.intersects(local, view)]
                if local.size == 0 or draw_polygons(ax, local, zorder=2 + depth * 0.01, **style) is None:
                    continue
                label = kind_label(kind, self.lang)
                if zc and class_label(kind, zc, self.lang):
                    label = f"{label} · {class_label(kind, zc, self.lang)}"
                drawn[zc] = Patch(label=printable(label), **style)
            # the legend lists the strictest kind first
            handles[:0] = [drawn[zc] for zc in order if zc in drawn]
        return handles

    def _draw_site(self, ax: Any, tr: Transformer, site_id: str, geom: Any, local_site: Any, verdict: str) -> list[Any]:
        handles: list[Any] = []
        findings = self.result.findings
        idx = [i for i in self.findings_by_site.get(str(site_id), []) if not self.secret[i]]
        overlaps = [g for g in findings.geometry.iloc[idx] if g is not None and not g.is_empty] if idx else []
        overlap_kw = mpl_style(OVERLAP_STYLE)
        if overlaps:
            local = _project(np.asarray(overlaps, dtype=object), tr)
            if draw_polygons(ax, local, zorder=6, **overlap_kw) is not None:
                handles.append(Patch(label=self._label("map.overlap"), **overlap_kw))
            lines = local[shapely.get_dimensions(local) == 1]
            if lines.size:
                # on top of the (line) site, so the part inside a zone shows
                draw_lines(ax, lines, zorder=9.5, edgecolor=OVERLAP_STYLE["color"], linewidth=2.2, alpha=0.9)
                if not any(isinstance(h, Patch) for h in handles):
                    handles.append(
                        Line2D([], [], color=OVERLAP_STYLE["color"], linewidth=2.2, label=self._label("map.overlap"))
                    )
        if self.buffer_m > 0:
            ring = shapely.buffer(local_site, self.buffer_m, quad_segs=32)
            draw_lines(ax, [ring], zorder=7, edgecolor="#1c2833", linewidth=1.1, linestyle=(0, (5, 3)))
            handles.append(
                Line2D(
                    [],
                    [],
                    color="#1c2833",
                    linewidth=1.1,
                    linestyle=(0, (5, 3)),
                    label=self._label("static.buffer", buffer=format_number(self.buffer_m, 0)),
                )
            )
        color = verdict_color(verdict)
        label = self._label("static.site", verdict=verdict_name(verdict, self.lang))
        dim = shapely.get_dimensions(local_site)
        if dim == 0:
            xy = shapely.get_coordinates(local_site)
            ax.scatter(xy[:, 0], xy[:, 1], s=70, c=color, edgecolors="#1c2833", linewidths=1.2, zorder=9)
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    linestyle="none",
                    markersize=7,
                    markerfacecolor=color,
                    markeredgecolor="#1c2833",
                    label=label,
                )
            )
        elif dim == 1:
            draw_lines(ax, [local_site], zorder=8.9, edgecolor="white", linewidth=5.5)
            draw_lines(ax, [local_site], zorder=9, edgecolor=color, linewidth=3.2)
            handles.append(Line2D([], [], color=color, linewidth=3.2, label=label))
        else:
            draw_polygons(ax, [local_site], zorder=8.8, facecolor=(*_hex_rgb(color), 0.15), edgecolor="none")
            draw_lines(ax, [local_site], zorder=9, edgecolor=color, linewidth=2.4)
            handles.append(Patch(facecolor=(*_hex_rgb(color), 0.15), edgecolor=color, linewidth=2.4, label=label))
        return handles

    def _secret_note(self, site_id: str) -> str:
        """Return the note for the confidential layers this site has findings in (empty when none)."""
        idx = self.findings_by_site.get(str(site_id), [])
        secret = [i for i in idx if self.secret[i]]
        kinds = self.result.findings["kind"].to_numpy()[secret] if secret else []
        return printable(confidential_note([str(k) for k in kinds], self.lang))

    def _legend(self, fig: Figure, map_w: float, handles: list[Any], note: str = "") -> None:
        x = 0.01 + map_w + 0.02
        fig.text(x, 0.95, self._label("map.legend"), fontsize=10, fontweight="bold", va="top", color="#1c2833")
        if handles:
            fig.legend(
                handles=handles,
                loc="upper left",
                bbox_to_anchor=(x - 0.008, 0.9),
                frameon=False,
                fontsize=8,
                handlelength=2.2,
                handleheight=1.1,
                labelspacing=0.6,
                borderaxespad=0,
            )
        if note:
            fig.text(x, 0.13, note, fontsize=7, color="#7b241c", va="bottom", wrap=True)
        fig.text(x, 0.035, self._label("static.caption"), fontsize=6.5, color="#5d6d7e", va="bottom", wrap=True)


def _hex_rgb(color: str) -> tuple[float, float, float]:
    c = color.lstrip("#")
    return (int(c[0:2], 16) / 255, int(c[2:4], 16) / 255, int(c[4:6], 16) / 255)


def site_map_png(result: ScreeningResult, site_id: str, *, lang: str = "zh") -> bytes:
    r"""Draw one site of a screening run as a PNG.

    Parameters
    ----------
    result : ScreeningResult
        The run; the site must have been checked (status ``ok``, with geometry).
    site_id : str
        The ``site_id`` of the site.
    lang : str, default "zh"
        Language of the legend (English when no CJK font is installed).

    Returns
    -------
    bytes
        A PNG image (880 × 550 pixels).

    Raises
    ------
    KeyError
        When no site has that id.
    ValueError
        For a site without geometry or an unsupported ``lang``.

    Examples
    --------
    >>> png = site_map_png(result, "S01")  # doctest: +SKIP
    >>> png[:4]  # doctest: +SKIP
    b'\x89PNG'
    """
    drawer = _Drawer(result, lang)
    if str(site_id) not in drawer.rows:
        raise KeyError(f"no site with site_id {site_id!r}")
    return drawer.draw(str(site_id))


def site_map_pngs(
    result: ScreeningResult,
    site_ids: Iterable[str],
    *,
    lang: str = "zh",
    progress: Callable[[int], None] | None = None,
) -> dict[str, bytes]:
    """Draw several sites; return ``{site_id: PNG}`` for those that have geometry.

    Sites without geometry (status ``error``) are skipped, not raised.

    Examples
    --------
    >>> images = site_map_pngs(result, ["S01", "S02"])  # doctest: +SKIP
    """
    drawer = _Drawer(result, lang)
    out: dict[str, bytes] = {}
    for n, site_id in enumerate(site_ids, start=1):
        key = str(site_id)
        row = drawer.rows.get(key)
        if row is None:
            continue
        geom = result.sites.geometry.iloc[row]
        if geom is None or geom.is_empty:
            continue
        out[key] = drawer.draw(key)
        if progress:
            progress(n)
    return out
