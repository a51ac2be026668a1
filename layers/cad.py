"""CAD drawings (DXF) of a 用地红线: closed polylines and hatches become polygons.

A drawing carries no coordinate reference system: the coordinates are whatever the surveyor
drew in, usually CGCS2000 Gauss-Kruger metres.  So a DXF is read only with a CRS given
(``crs`` for sites, ``crs:`` in the manifest); without one it is refused with a guess.
Unit settings (``$INSUNITS``) are ignored on purpose: drawing templates set millimetres while
survey drawings hold metres.

Read (model space only; blocks are not exploded): closed ``LWPOLYLINE`` and ``POLYLINE``
(also open ones whose last vertex is their first), ``CIRCLE``, closed ``ELLIPSE`` and
``SPLINE``, and ``HATCH`` boundaries (nested boundaries become holes, by the even-odd
rule).  Arcs (polyline bulges) are flattened to within 5 cm.
"""

from __future__ import annotations

import functools
from collections import Counter
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from redline.zones.errors import LayerError, RedlineError, param_ref

__all__ = ["CAD_SUFFIXES", "read_dxf"]

CAD_SUFFIXES = frozenset({".dxf", ".dwg"})

#: Maximum distance (drawing units, usually metres) between an arc and its flattened chords.
_FLATTEN = 0.05
_CURVES = ("LWPOLYLINE", "POLYLINE", "CIRCLE", "ELLIPSE", "SPLINE")


def _ring(path) -> np.ndarray:
    pts = np.array([(v.x, v.y) for v in path.flattening(_FLATTEN)], dtype=float)
    return pts


def _closed(entity, pts: np.ndarray) -> bool:
    kind = entity.dxftype()
    if kind == "CIRCLE":
        return True
    if kind in ("LWPOLYLINE", "POLYLINE") and entity.is_closed:
        return True
    if kind == "ELLIPSE":
        return abs(abs(entity.dxf.end_param - entity.dxf.start_param) - 2 * np.pi) < 1e-9
    if kind == "SPLINE" and entity.closed:
        return True
    return len(pts) >= 4 and bool(np.allclose(pts[0], pts[-1], atol=1e-6))


def _polygon(rings: list[np.ndarray]):
    """Polygon from rings: even-odd when they are all valid, else the raw rings (for on_invalid)."""
    polys = [shapely.Polygon(r) for r in rings if len(r) >= 3]
    if not polys:
        return None
    if len(polys) == 1:
        return polys[0]
    if all(p.is_valid for p in polys):
        return functools.reduce(shapely.symmetric_difference, polys)
    polys.sort(key=lambda p: -abs(p.area))
    return shapely.Polygon(polys[0].exterior.coords, [p.exterior.coords for p in polys[1:]])


def _layer_filter(layers: str | list[str] | None) -> set[str] | None:
    if layers is None:
        return None
    names = layers.split(",") if isinstance(layers, str) else list(layers)
    return {n.strip().lower() for n in names if n.strip()}


def read_dxf(
    path: str | Path,
    *,
    layers: str | list[str] | None = None,
    error: type[RedlineError] = LayerError,
) -> gpd.GeoDataFrame:
    """Read the closed shapes of a DXF drawing as polygons (without a CRS).

    Parameters
    ----------
    path : str or Path
        A ``.dxf`` file (DWG must be saved as DXF first).
    layers : str or list of str, optional
        Only shapes on these drawing layers (comma-separated names, case-insensitive).
        Needed when closed shapes lie on more than one layer.
    error : type
        The :class:`RedlineError` subclass to raise.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per shape: ``name`` (the drawing layer), ``handle`` (the DXF entity handle),
        ``entity`` (LWPOLYLINE, HATCH ...) and the polygon, with no CRS.

    Raises
    ------
    RedlineError
        (or ``error``) for an unreadable drawing, no closed shapes, an unknown layer, or
        closed shapes on several layers with no ``layers`` chosen.
    """
    import ezdxf
    from ezdxf import path as ezpath
    from ezdxf import recover

    path = Path(path)
    if path.suffix.lower() == ".dwg":
        raise error(
            f"{path.name}: DWG drawings cannot be read; save the drawing as DXF (AutoCAD: SAVEAS, DXF) and give that",
            zh=f"{path.name}：无法读取 DWG 图纸；请把图纸另存为 DXF（AutoCAD：SAVEAS，选 DXF）后给出该文件",
        )
    try:
        doc, auditor = recover.readfile(str(path))
    except (OSError, ezdxf.DXFStructureError) as exc:
        raise error(
            f"{path.name}: not a readable DXF drawing ({exc}); save it again as DXF",
            zh=f"{path.name}：不是可读的 DXF 图纸（{exc}）；请重新另存为 DXF",
        ) from None
    if auditor.has_errors:
        raise error(
            f"{path.name}: the DXF drawing is damaged ({len(auditor.errors)} errors); save it again as DXF",
            zh=f"{path.name}：该 DXF 图纸已损坏（{len(auditor.errors)} 处错误）；请重新另存为 DXF",
        )
    wanted = _layer_filter(layers)
    rows: list[dict] = []
    open_count: Counter[str] = Counter()
    inserts = 0
    for entity in doc.modelspace():
        kind = entity.dxftype()
        layer = str(entity.dxf.get("layer", "0"))
        if kind == "INSERT":
            inserts += 1
            continue
        if kind not in (*_CURVES, "HATCH", "MPOLYGON"):
            continue
        if kind == "POLYLINE" and (entity.is_poly_face_mesh or entity.is_polygon_mesh):
            continue
        if kind in ("HATCH", "MPOLYGON"):
            rings = [_ring(p) for p in ezpath.from_hatch(entity)]
            geom = _polygon([r for r in rings if len(r) >= 3])
        else:
            pts = _ring(ezpath.make_path(entity))
            if not _closed(entity, pts):
                open_count[layer] += 1
                continue
            geom = _polygon([pts])
        if geom is None:
            continue
        rows.append({"name": layer, "handle": str(entity.dxf.handle), "entity": kind, "geometry": geom})
    found = Counter(r["name"] for r in rows)
    listing = ", ".join(f"{name} ({n})" for name, n in found.most_common())
    listing_zh = "、".join(f"{name}（{n} 个）" for name, n in found.most_common())
    if wanted is not None:
        rows = [r for r in rows if r["name"].lower() in wanted]
        if not rows:
            raise error(
                f"{path.name}: no closed shapes on layer {', '.join(sorted(wanted))}; "
                + (f"closed shapes are on: {listing}" if found else "the drawing has no closed shapes"),
                param="layer",
                value=layers,
                zh=f"{path.name}：图层 {'、'.join(sorted(wanted))} 上没有闭合图形；"
                + (f"闭合图形在这些图层上：{listing_zh}" if found else "图纸中没有闭合图形"),
            )
    elif len(found) > 1:
        raise error(
            f"{path.name}: closed shapes lie on {len(found)} drawing layers: {listing}; choose the layer of the "
            f"red line (用地红线) with {param_ref('layer')} (for a layer set: `layer:`)",
            param="layer",
            value=layers,
            zh=f"{path.name}：闭合图形分布在 {len(found)} 个图纸图层上：{listing_zh}；"
            f"请用 {param_ref('layer')} 选定用地红线所在的图层（图层集中用 `layer:`）",
        )
    if not rows:
        hints, hints_zh = [], []
        if open_count:
            hints.append(
                f"{sum(open_count.values())} open polyline(s) on {', '.join(sorted(open_count))}: close them "
                "(PEDIT, Close) to make them a site"
            )
            hints_zh.append(
                f"{'、'.join(sorted(open_count))} 上有 {sum(open_count.values())} 条未闭合的多段线："
                "请闭合（PEDIT，闭合）后作为选址"
            )
        if inserts:
            hints.append(f"{inserts} block reference(s), which are not read: explode them (EXPLODE)")
            hints_zh.append(f"有 {inserts} 个块参照，不会被读取：请先分解（EXPLODE）")
        raise error(
            f"{path.name}: the drawing has no closed polylines, circles or hatches in model space"
            + (f"; {'; '.join(hints)}" if hints else ""),
            zh=f"{path.name}：图纸模型空间中没有闭合的多段线、圆或填充" + "".join(f"；{h}" for h in hints_zh),
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=None)
