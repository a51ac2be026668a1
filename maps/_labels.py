"""Zone names on a printed map, placed so that no two overlap.

Each name is tried, most important first, at its zone's pole of inaccessibility (the point
farthest inside it), then close around it, then broken onto two lines, then farther off with a
thin leader line back to the zone.  A place is taken when the name's box (its rendered extent,
measured with the figure's renderer, plus a margin) stays inside the map frame and clear of every
name already placed and of the map furniture (scale bar, north arrow); a name with no such place
is left off and counted, so the caption can say so.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patheffects import withStroke
from matplotlib.text import Text
from matplotlib.transforms import Bbox

__all__ = ["LABEL_GID", "ZoneLabel", "anchor_point", "place_labels", "two_lines"]

#: The ``gid`` of every placed name (tests and readers of the figure find them by it).
LABEL_GID = "rc-zone-label"

#: Offsets tried around the anchor, in units of the name's height (close ones, then far ones).
_NEAR = [(0.0, 0.0), (0.0, 1.1), (0.0, -1.1), (0.6, 0.0), (-0.6, 0.0), (0.6, 1.1), (-0.6, 1.1), (0.6, -1.1)]
_FAR_DIST = (2.6, 4.0, 5.5)
_FAR_DIRS = 12


@dataclass(frozen=True)
class ZoneLabel:
    """A name to write on the map: the zone (map coordinates), its name, and its rank (lower first)."""

    geom: Any
    text: str
    rank: float


def anchor_point(geom: Any) -> tuple[float, float]:
    """Return the point of ``geom`` farthest inside it (its largest part's), where a name reads best.

    Examples
    --------
    >>> from shapely import box
    >>> [round(v, 1) for v in anchor_point(box(0, 0, 4, 4))]
    [2.0, 2.0]
    """
    parts = shapely.get_parts(geom)
    part = parts[int(np.argmax(shapely.area(parts)))] if len(parts) else geom
    x0, y0, x1, y1 = part.bounds
    try:
        centre = shapely.get_point(shapely.maximum_inscribed_circle(part, max(x1 - x0, y1 - y0) / 200), 0)
    except shapely.errors.GEOSException:
        centre = shapely.point_on_surface(part)
    return float(centre.x), float(centre.y)


def two_lines(text: str) -> str | None:
    r"""Return ``text`` broken onto two lines (before a bracket near the middle, else at it); None when short.

    Examples
    --------
    >>> two_lines("五皇山国家地质公园生态保护红线（核心保护区）")
    '五皇山国家地质公园生态保护红线\n（核心保护区）'
    >>> two_lines("伯劳镇禁养区") is None
    True
    """
    if len(text) < 9:
        return None
    middle = len(text) / 2
    breaks = [i for i, ch in enumerate(text) if ch in "（(" and len(text) / 4 <= i <= len(text) * 3 / 4]
    cut = min(breaks, key=lambda i: abs(i - middle)) if breaks else math.ceil(middle)
    return f"{text[:cut].rstrip()}\n{text[cut:].lstrip()}"


def _overlaps(box: Bbox, others: Sequence[Bbox]) -> bool:
    return any(box.overlaps(o) for o in others)


def _segment_hits(a: tuple[float, float], b: tuple[float, float], boxes: Sequence[Bbox]) -> bool:
    """Return whether the segment a-b meets any of ``boxes``."""
    if not boxes:
        return False
    rects = shapely.box(*np.array([[o.x0, o.y0, o.x1, o.y1] for o in boxes]).T)
    return bool(shapely.intersects(shapely.LineString([a, b]), rects).any())


def _edge_point(box: Bbox, toward: tuple[float, float]) -> tuple[float, float]:
    """Return where the line from ``box``'s centre toward ``toward`` leaves the box."""
    cx, cy = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
    dx, dy = toward[0] - cx, toward[1] - cy
    if dx == 0 and dy == 0:
        return cx, cy
    sx = (box.width / 2) / abs(dx) if dx else math.inf
    sy = (box.height / 2) / abs(dy) if dy else math.inf
    s = min(sx, sy, 1.0)
    return cx + dx * s, cy + dy * s


def _inside(geom: Any, n: int = 9) -> np.ndarray:
    """Return points of an ``n`` × ``n`` grid over ``geom`` that lie inside it (map coordinates).

    A large zone can hold its name anywhere inside; these are tried, nearest the middle first,
    before a leader line is drawn.
    """
    x0, y0, x1, y1 = geom.bounds
    xs, ys = np.meshgrid(np.linspace(x0, x1, n + 2)[1:-1], np.linspace(y0, y1, n + 2)[1:-1])
    xs, ys = xs.ravel(), ys.ravel()
    keep = shapely.contains_xy(geom, xs, ys)
    pts = np.column_stack([xs[keep], ys[keep]])
    centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
    return pts[np.argsort(np.hypot(*(pts - centre).T))] if len(pts) else pts.reshape(0, 2)


def _candidates(size: tuple[float, float]) -> list[tuple[float, float, bool]]:
    """Return ``(dx, dy, leader)`` offsets in pixels for a name of ``size``: near ones, then far ones."""
    w, h = size
    out = [(fx * (w / 2 + h) if fx else 0.0, fy * h, False) for fx, fy in _NEAR]
    for dist in _FAR_DIST:
        for k in range(_FAR_DIRS):
            angle = 2 * math.pi * k / _FAR_DIRS + math.pi / 2
            out.append((math.cos(angle) * (w / 2 + dist * h), math.sin(angle) * dist * h, True))
    return out


class _Placer:
    """Places names on one axes, keeping the boxes taken so far."""

    def __init__(self, ax: Axes, *, fontsize: float, avoid: Iterable[Bbox], margin_pt: float) -> None:
        self.ax = ax
        self.fontsize = fontsize
        self.renderer = ax.figure.canvas.get_renderer()
        self.frame = ax.get_window_extent(self.renderer)
        self.margin = margin_pt * ax.figure.dpi / 72
        self.taken: list[Bbox] = list(avoid)
        self.halo = [withStroke(linewidth=2.2, foreground="white")]

    def text(self, x: float, y: float, text: str) -> Text:
        return self.ax.text(
            x,
            y,
            text,
            fontsize=self.fontsize,
            ha="center",
            va="center",
            color="#1c2833",
            zorder=40,
            path_effects=self.halo,
            clip_on=True,
            gid=LABEL_GID,
            linespacing=1.15,
        )

    def size(self, text: str) -> tuple[float, float]:
        """Return the name's rendered width and height in pixels."""
        probe = self.text(0, 0, text)
        box = probe.get_window_extent(self.renderer)
        probe.remove()
        return box.width, box.height

    def fits(self, box: Bbox) -> bool:
        inside = (
            box.x0 >= self.frame.x0 and box.x1 <= self.frame.x1 and box.y0 >= self.frame.y0 and box.y1 <= self.frame.y1
        )
        return inside and not _overlaps(box, self.taken)

    def place(self, label: ZoneLabel, anchor: tuple[float, float]) -> bool:
        """Write ``label`` at the first place that fits; return whether it found one."""
        ax_xy = self.ax.transData.transform(anchor)
        variants = [label.text, *([two] if (two := two_lines(label.text)) else [])]
        m = self.margin
        sizes = {v: (w + 2 * m, h + 2 * m) for v in variants for w, h in [self.size(v)]}  # boxes with the margin
        inside = [(x - ax_xy[0], y - ax_xy[1], False) for x, y in self.ax.transData.transform(_inside(label.geom))]
        tries = [
            *((v, c) for v in variants for c in _candidates(sizes[v]) if not c[2]),
            *((v, c) for v in variants for c in inside),
            *((v, c) for v in variants for c in _candidates(sizes[v]) if c[2]),
        ]
        for variant, (dx, dy, leader) in tries:
            w, h = sizes[variant]
            cx, cy = ax_xy[0] + dx, ax_xy[1] + dy
            box = Bbox.from_extents(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
            if not self.fits(box):
                continue
            line = self._leader_line(label.geom, box) if leader else None
            if leader and line is None:
                continue
            x, y = self.ax.transData.inverted().transform((cx, cy))
            self.text(x, y, variant)
            if line is not None:
                self._draw_leader(*line)
            self.taken.append(box)
            return True
        return False

    def _leader_line(self, geom: Any, box: Bbox) -> tuple[Any, tuple[float, float]] | None:
        """Return a leader from the zone's point nearest the name to the name's box, or None when it crosses a name.

        A name already sitting on that point does not count as crossed.
        """
        inv = self.ax.transData.inverted()
        centre = shapely.Point(inv.transform(((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2)))
        foot = self.ax.transData.transform(shapely.get_coordinates(shapely.shortest_line(geom, centre))[0])
        end = _edge_point(box, (foot[0], foot[1]))
        crossed = [b for b in self.taken if not b.contains(foot[0], foot[1])]
        return None if _segment_hits((foot[0], foot[1]), end, crossed) else (foot, end)

    def _draw_leader(self, foot: Any, end: tuple[float, float]) -> None:
        inv = self.ax.transData.inverted()
        (x0, y0), (x1, y1) = inv.transform(foot), inv.transform(end)
        self.ax.add_line(Line2D([x0, x1], [y0, y1], color="#566573", linewidth=0.5, zorder=39, clip_on=True))
        self.ax.plot([x0], [y0], marker="o", markersize=1.6, color="#566573", zorder=39, clip_on=True)


def place_labels(
    ax: Axes,
    labels: Iterable[ZoneLabel],
    *,
    fontsize: float,
    avoid: Iterable[Bbox] = (),
    margin_pt: float = 1.0,
) -> int:
    """Write the names of ``labels`` on ``ax`` without overlaps; return how many were left off.

    The axes' limits must be final (names are placed in display coordinates), and the figure must
    have a canvas that renders (Agg).  ``avoid`` are display boxes no name may cover.

    Examples
    --------
    >>> from matplotlib.backends.backend_agg import FigureCanvasAgg
    >>> from matplotlib.figure import Figure
    >>> from shapely import box
    >>> fig = Figure(figsize=(3, 2))
    >>> _ = FigureCanvasAgg(fig)
    >>> ax = fig.add_axes((0, 0, 1, 1), xlim=(0, 30), ylim=(0, 20))
    >>> names = [ZoneLabel(box(10, 10, 11, 11), "a long zone name", 0), ZoneLabel(box(10, 10, 11, 11), "another", 1)]
    >>> place_labels(ax, names, fontsize=8)
    0
    >>> a, b = (t.get_window_extent() for t in ax.texts)
    >>> bool(a.overlaps(b))
    False
    """
    placer = _Placer(ax, fontsize=fontsize, avoid=avoid, margin_pt=margin_pt)
    left_off = 0
    for label in sorted(labels, key=lambda lb: lb.rank):
        if not placer.place(label, anchor_point(label.geom)):
            left_off += 1
    return left_off
