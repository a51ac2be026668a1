"""Project sites in: one site as text, or a file of sites read whole or a chunk at a time.

- :mod:`~redline.checks.sites.text`: one site as coordinate text or WKT (:func:`parse_site_text`);
- :mod:`~redline.checks.sites.sources`: one reader per file format, each giving its rows in batches;
- :mod:`~redline.checks.sites.build`: rows to sites (:func:`sites_from_geometries`);
- :mod:`~redline.checks.sites.chunks`: a file a chunk at a time (:func:`iter_sites`);
- :mod:`~redline.checks.sites.reader`: a file whole (:func:`read_sites`), and the layers and
  sites placing each other's missing CRS;
- :mod:`~redline.checks.sites.messages`: every message of site input.
"""

from redline.checks.sites.build import sites_from_geometries
from redline.checks.sites.chunks import SiteChunks, iter_sites
from redline.checks.sites.columns import SITE_FIELDS
from redline.checks.sites.messages import ON_INVALID, SiteWarning
from redline.checks.sites.reader import (
    load_layers_placed_by_sites,
    read_sites,
    read_sites_and_layers,
    sites_center,
)
from redline.checks.sites.text import parse_site_text

__all__ = [
    "ON_INVALID",
    "SITE_FIELDS",
    "SiteChunks",
    "SiteWarning",
    "iter_sites",
    "load_layers_placed_by_sites",
    "parse_site_text",
    "read_sites",
    "read_sites_and_layers",
    "sites_center",
    "sites_from_geometries",
]
