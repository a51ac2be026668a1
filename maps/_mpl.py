"""matplotlib helpers shared by the static site maps and the printed zoning maps.

Only the object-oriented API is used (``Figure`` + the Agg canvas), never
``pyplot``, so nothing here changes global state or needs a display.

Fonts: Chinese text needs a CJK font.  :func:`cjk_family` looks for one among
the installed fonts (Debian's ``fonts-noto-cjk`` gives "Noto Sans CJK SC");
without one, :func:`text_lang` turns drawings to English labels and
:func:`printable` replaces any character no installed font can draw, so
matplotlib never warns about a missing glyph.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import re
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

import matplotlib
import numpy as np
import shapely
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch, Polygon
from matplotlib.path import Path
from pyproj import Transformer

from redline.maps._style import HATCH_ID

__all__ = [
    "CJK_FAMILIES",
    "cjk_family",
    "draw_lines",
    "draw_north_arrow",
    "draw_polygons",
    "draw_scale_bar",
    "font_context",
    "lines_path",
    "mpl_style",
    "nice_length",
    "png_bytes",
    "polygons_path",
    "printable",
    "project",
    "text_lang",
]

#: CJK font families tried in order (simplified Chinese first).
CJK_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Noto Sans CJK JP",
    "Source Han Sans",
    "Droid Sans Fallback",
)

_LATIN = "DejaVu Sans"


_CJK_FILES = re.compile(r"(?i)(notosanscjk|notosanssc|sourcehansans|wqy|wenquanyi|droidsansfallback|simhei|msyh)")


def _known_cjk() -> str | None:
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((fam for fam in CJK_FAMILIES if fam in names), None)


@cache
def cjk_family() -> str | None:
    """Return the first installed CJK font family of :data:`CJK_FAMILIES`, or None.

    matplotlib caches its font list; a CJK font installed after that cache was
    made is found by scanning the system font folders once and added.
    """
    family = _known_cjk()
    if family is None:
        for path in font_manager.findSystemFonts():
            if _CJK_FILES.search(os.path.basename(path)):
                with contextlib.suppress(Exception):  # an unreadable font file is simply skipped
                    font_manager.fontManager.addfont(path)
        family = _known_cjk()
    return family


def text_lang(lang: str) -> str:
    """Return the language to draw labels in: ``lang``, or ``en`` when no CJK font is installed."""
    return lang if cjk_family() is not None else "en"


@cache
def _charset() -> frozenset[int]:
    """Return the code points the fonts in use can draw."""
    from matplotlib.ft2font import FT2Font

    codes: set[int] = set()
    families = [f for f in (cjk_family(), _LATIN) if f]
    for fam in families:
        path = font_manager.findfont(font_manager.FontProperties(family=fam), fallback_to_default=False)
        codes.update(FT2Font(path).get_charmap())
    return frozenset(codes)


def printable(text: Any) -> str:
    """Return ``text`` with characters no installed font can draw replaced by ``?``.

    Line breaks are kept; other control characters are dropped.

    Examples
    --------
    >>> printable("S1 abc")
    'S1 abc'
    """
    if text is None:
        return ""
    chars = _charset()
    out = []
    for ch in str(text):
        if ch == "\n":
            out.append(ch)
        elif ord(ch) < 32 or ch in "\x7f":
            continue
        else:
            out.append(ch if ord(ch) in chars else "?")
    return "".join(out)


#: Held while a figure is drawn with :func:`font_context` (re-entrant: a drawing may nest them).
_DRAWING = threading.RLock()


@contextmanager
def font_context() -> Iterator[None]:
    """Draw with the CJK family first and DejaVu Sans as per-glyph fallback.

    matplotlib's settings are global to the process, so drawings in different threads (the
    service writes reports in threads) take turns: the context holds a lock while it lasts.
    """
    families = [f for f in (cjk_family(), _LATIN) if f]
    rc = {
        "font.family": "sans-serif",
        "font.sans-serif": families,
        "axes.unicode_minus": False,
        "pdf.fonttype": 42,
        "svg.fonttype": "none",
        "hatch.linewidth": 1.2,
        "path.simplify": True,
    }
    with _DRAWING, matplotlib.rc_context(rc):
        yield


def _rgba(color: str, alpha: float | None = None) -> tuple[float, float, float, float]:
    r, g, b, a = matplotlib.colors.to_rgba(color)
    return (r, g, b, a if alpha is None else alpha)


def mpl_style(style: dict[str, Any]) -> dict[str, Any]:
    """Turn a Leaflet path style (``maps._style``) into PathPatch keyword arguments.

    The red-line SVG hatch becomes a matplotlib hatch.
    """
    edge = str(style.get("color", "#566573"))
    fill = str(style.get("fillColor", edge))
    kwargs: dict[str, Any] = {"edgecolor": _rgba(edge, float(style.get("opacity", 1.0)))}
    if fill.startswith("url(") and HATCH_ID in fill:
        kwargs.update(facecolor=_rgba("#e74c3c", 0.15), hatch="////")
    else:
        kwargs["facecolor"] = _rgba(fill, float(style.get("fillOpacity", 0.3)))
    kwargs["linewidth"] = float(style.get("weight", 1.5)) * 0.6
    if style.get("dashArray"):
        kwargs["linestyle"] = (0, tuple(float(v) for v in str(style["dashArray"]).split()))
    return kwargs


def project(geoms: Any, transformer: Transformer) -> Any:
    """Return lon/lat geometries (one or an array) in the local projection of ``transformer``, in metres.

    Examples
    --------
    >>> from shapely import Point
    >>> from redline.layers.geodesy import local_projection
    >>> p = project(Point(109.001, 22.0), local_projection(109.0, 22.0, kind="aeqd"))
    >>> round(p.x, 1), round(p.y, 1)
    (103.3, 0.0)
    """

    def apply(xy: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geoms, apply)


def _polygonal_parts(geoms: Iterable[Any]) -> np.ndarray:
    arr = np.asarray(list(geoms) if not isinstance(geoms, np.ndarray) else geoms, dtype=object)
    if arr.size == 0:
        return arr
    arr = arr[~shapely.is_missing(arr)]
    parts = shapely.get_parts(arr)
    parts = parts[~shapely.is_empty(parts)]
    if parts.size == 0:
        return parts
    types = shapely.get_type_id(parts)
    nested = parts[types == 7]  # GeometryCollection
    parts = parts[types == 3]
    if nested.size:
        parts = np.concatenate([parts, _polygonal_parts(shapely.get_parts(nested))])
    return parts


def polygons_path(geoms: Iterable[Any]) -> Path | None:
    """Return one compound Path of every polygon in ``geoms`` (holes kept), or None.

    Rings are oriented (exteriors counter-clockwise, holes clockwise) so the
    non-zero fill rule leaves holes empty.  Non-polygon parts are ignored.
    """
    parts = _polygonal_parts(geoms)
    if parts.size == 0:
        return None
    parts = shapely.orient_polygons(parts)
    rings = shapely.get_rings(parts)
    coords, index = shapely.get_coordinates(rings, return_index=True)
    if len(coords) == 0:
        return None
    codes = np.full(len(coords), Path.LINETO, dtype=np.uint8)
    starts = np.r_[0, np.flatnonzero(np.diff(index)) + 1]
    ends = np.r_[starts[1:] - 1, len(coords) - 1]
    codes[starts] = Path.MOVETO
    codes[ends] = Path.CLOSEPOLY
    return Path(coords, codes)


def lines_path(geoms: Iterable[Any]) -> Path | None:
    """Return one compound Path of the lines (and polygon outlines) in ``geoms``, or None."""
    arr = np.asarray(list(geoms) if not isinstance(geoms, np.ndarray) else geoms, dtype=object)
    if arr.size == 0:
        return None
    arr = arr[~shapely.is_missing(arr) & ~shapely.is_empty(arr)]
    lines = shapely.get_parts(shapely.line_merge(shapely.boundary(arr[shapely.get_dimensions(arr) == 2])))
    direct = shapely.get_parts(arr[shapely.get_dimensions(arr) == 1])
    everything = np.concatenate([lines, direct]) if lines.size or direct.size else lines
    everything = everything[shapely.get_type_id(everything) == 1] if everything.size else everything
    if everything.size == 0:
        return None
    coords, index = shapely.get_coordinates(everything, return_index=True)
    codes = np.full(len(coords), Path.LINETO, dtype=np.uint8)
    starts = np.r_[0, np.flatnonzero(np.diff(index)) + 1]
    codes[starts] = Path.MOVETO
    return Path(coords, codes)


def draw_polygons(ax: Axes, geoms: Iterable[Any], zorder: float = 1, **kwargs: Any) -> PathPatch | None:
    """Draw the polygons of ``geoms`` as one patch; return it (None when there is nothing)."""
    path = polygons_path(geoms)
    if path is None:
        return None
    patch = PathPatch(path, zorder=zorder, **kwargs)
    ax.add_artist(patch)  # not add_patch: the limits are set by the caller, and updating them is slow
    return patch


def draw_lines(ax: Axes, geoms: Iterable[Any], zorder: float = 1, **kwargs: Any) -> PathPatch | None:
    """Draw lines (and polygon outlines) of ``geoms`` as one unfilled patch."""
    path = lines_path(geoms)
    if path is None:
        return None
    patch = PathPatch(path, zorder=zorder, fill=False, **kwargs)
    ax.add_artist(patch)
    return patch


def nice_length(max_m: float) -> float:
    """Return the largest 1, 2 or 5 × 10^k metres not above ``max_m``.

    Examples
    --------
    >>> nice_length(740), nice_length(3100), nice_length(19)
    (500.0, 2000.0, 10.0)
    """
    if max_m <= 0:
        return 1.0
    exp = math.floor(math.log10(max_m))
    for step in (5, 2, 1):
        value = step * 10.0**exp
        if value <= max_m:
            return float(value)
    return float(10.0**exp)


def draw_scale_bar(ax: Axes, *, fontsize: float = 7, loc: tuple[float, float] = (0.04, 0.04)) -> float:
    """Draw a four-segment scale bar in the lower left of ``ax`` (data units in metres).

    The map must be in a true-distance projection near its centre with an equal
    aspect.  Returns the bar's length in metres.
    """
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    width = x1 - x0
    length = nice_length(width * 0.28)
    seg = length / 4
    bx = x0 + width * loc[0]
    by = y0 + (y1 - y0) * loc[1]
    h = (y1 - y0) * 0.012
    pad_x, pad_y = width * 0.015, (y1 - y0) * 0.012
    ax.add_patch(
        Polygon(
            [
                (bx - pad_x, by - pad_y),
                (bx + length + pad_x * 3.5, by - pad_y),
                (bx + length + pad_x * 3.5, by + h + pad_y * 4.2),
                (bx - pad_x, by + h + pad_y * 4.2),
            ],
            closed=True,
            facecolor=(1, 1, 1, 0.8),
            edgecolor="none",
            zorder=20,
        )
    )
    for i in range(4):
        ax.add_patch(
            Polygon(
                [(bx + i * seg, by), (bx + (i + 1) * seg, by), (bx + (i + 1) * seg, by + h), (bx + i * seg, by + h)],
                closed=True,
                facecolor="#1c2833" if i % 2 == 0 else "white",
                edgecolor="#1c2833",
                linewidth=0.6,
                zorder=21,
            )
        )
    unit, div = ("km", 1000.0) if length >= 1000 else ("m", 1.0)
    for x, value in ((bx, 0.0), (bx + 2 * seg, 2 * seg), (bx + length, length)):
        label = f"{value / div:g}" + (f" {unit}" if value == length else "")
        ax.text(x, by + h * 1.6, label, ha="center", va="bottom", fontsize=fontsize, zorder=22, color="#1c2833")
    return length


def draw_north_arrow(ax: Axes, label: str, *, fontsize: float = 9, loc: tuple[float, float] = (0.93, 0.86)) -> None:
    """Draw a north arrow (grid north = true north at the map centre) in axes coordinates."""
    x, y = loc
    w, h = 0.025, 0.085
    tf = ax.transAxes
    ax.add_patch(
        Polygon(
            [(x, y + h), (x - w, y), (x, y + h * 0.3)],
            closed=True,
            transform=tf,
            facecolor="#1c2833",
            edgecolor="#1c2833",
            linewidth=0.6,
            zorder=22,
        )
    )
    ax.add_patch(
        Polygon(
            [(x, y + h), (x + w, y), (x, y + h * 0.3)],
            closed=True,
            transform=tf,
            facecolor="white",
            edgecolor="#1c2833",
            linewidth=0.6,
            zorder=22,
        )
    )
    ax.text(
        x,
        y + h + 0.012,
        label,
        transform=tf,
        ha="center",
        va="bottom",
        fontsize=fontsize,
        fontweight="bold",
        color="#1c2833",
        zorder=22,
    )


def png_bytes(fig: Figure, *, dpi: float, optimize: bool = True) -> bytes:
    """Render ``fig`` with Agg and return PNG bytes (palette-quantised when ``optimize``).

    A 256-colour palette makes these flat-colour maps several times smaller
    with no visible loss.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    canvas = FigureCanvasAgg(fig)
    fig.set_dpi(dpi)
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    image = Image.fromarray(rgba[:, :, :3].copy(), "RGB")
    if optimize:
        image = image.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    buf = io.BytesIO()
    image.save(buf, format="PNG", compress_level=6)
    return buf.getvalue()
