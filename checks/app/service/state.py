"""What every request of one service shares: the layer set, its rules, the jobs, the recent checks.

:func:`redline.checks.app.service.app.create_app` builds one :class:`Service` and keeps it in
``app.state.service``; the endpoints take it with ``Depends(service)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request

from redline.checks.app.service.audit import AuditLog
from redline.checks.app.service.coarse import ConfidentialView
from redline.checks.app.service.jobs import JobManager, RecentChecks
from redline.checks.app.service.lanes import Lanes
from redline.checks.app.service.payloads import ZoneIndex
from redline.checks.app.service.uploads import ArchiveLimits

__all__ = ["MEDIA_TYPES", "Service", "service"]

#: Media types of the files the service sends, by suffix.
MEDIA_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".gpkg": "application/geopackage+sqlite3",
    ".html": "text/html; charset=utf-8",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".json": "application/json",
}


@dataclass
class Service:
    """One service's shared state (read only once built, apart from the jobs and the recent checks).

    Attributes
    ----------
    layerset : LayerSet
        What checks and jobs screen against: the loaded layer set with its confidential layers
        coarsened (:mod:`.coarse`).
    catalog : Catalog
        The rules in force.
    jobs : JobManager
    recent : RecentChecks
    zone_index : ZoneIndex
        The non-confidential zones, for ``/api/zones``.
    view : ConfidentialView
        The coarsened confidential zones.
    lanes : Lanes
        Where checks are screened.
    audit : AuditLog
        Calls that touch a confidential layer.
    lang : str
        The default language.
    max_upload_bytes : int
    archive_limits : ArchiveLimits
    work_dir : Path
    """

    layerset: Any
    catalog: Any
    jobs: JobManager
    recent: RecentChecks
    zone_index: ZoneIndex
    view: ConfidentialView
    lanes: Lanes
    audit: AuditLog
    lang: str
    max_upload_bytes: int
    archive_limits: ArchiveLimits
    work_dir: Path


def service(request: Request) -> Service:
    """Return the service a request came to (a FastAPI dependency)."""
    return request.app.state.service
