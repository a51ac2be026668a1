"""Geodesic measures, re-exported from :mod:`layers.geodesy` (where the layer tools can use them too)."""

from layers.geodesy import (
    GEOD,
    LocalProjection,
    band_of,
    geodesic_area,
    geodesic_distance,
    geodesic_distances,
    geodesic_length,
)

__all__ = [
    "GEOD",
    "LocalProjection",
    "band_of",
    "geodesic_area",
    "geodesic_distance",
    "geodesic_distances",
    "geodesic_length",
]
