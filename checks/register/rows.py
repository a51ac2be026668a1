"""What the register stores of a screening run: the run's record, its sites and its findings, as rows.

Both stores (:mod:`.gpkg`, :mod:`.pg`) hold the same three tables with the columns named here:
``runs`` (:data:`RUN_FIELDS`, with an integer ``run_id``), ``sites`` (:data:`SITE_FIELDS` and the
geometry, EPSG:4490) and ``findings`` (the ``findings.csv`` columns, :data:`FINDING_FIELDS`).
Sites and findings carry the ``run_id`` of their run.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from redline.checks.result import FINDING_COLUMNS
from redline.zones.errors import RedlineError, param_ref
from redline.zones.project import Project

if TYPE_CHECKING:
    from redline.checks.result import ScreeningResult

__all__ = [
    "BEIJING",
    "FINDING_FIELDS",
    "RUN_FIELDS",
    "SITE_FIELDS",
    "RegisterError",
    "beijing_time",
    "finding_rows",
    "project_of",
    "recorded_project",
    "run_record",
    "site_rows",
]

#: Beijing time (UTC+08:00): every run is recorded in it.
BEIJING = timezone(timedelta(hours=8), "CST")

#: The columns of ``runs`` after ``run_id``, with their types (``json``: a mapping stored as JSON).
RUN_FIELDS: dict[str, str] = {
    "recorded": "time",
    "command": "text",
    "client": "text",
    "layerset": "text",
    "layerset_path": "text",
    "tool_version": "text",
    "buffer_m": "real",
    "nearby": "text",
    "lang": "text",
    "n_sites": "integer",
    "n_findings": "integer",
    "fingerprints": "json",
    "catalog_versions": "json",
    "verdicts": "json",
}

#: The columns of ``sites`` after ``run_id`` (the geometry column ``geom`` follows).  The last ones
#: came later (a register written before gets them when opened): the project's name, 建设单位 and
#: 项目编号, and ``project``, the whole project as text (:meth:`~redline.zones.project.Project.to_text`:
#: its facts, unknown codes and notes with its industries, tags and action).
SITE_FIELDS: dict[str, str] = {
    "site_id": "text",
    "name": "text",
    "industry": "text",
    "tags": "text",
    "action": "text",
    "status": "text",
    "error": "text",
    "verdict": "text",
    "n_findings": "integer",
    "geom_type": "text",
    "site_area_m2": "real",
    "site_length_m": "real",
    "project_name": "text",
    "builder": "text",
    "project_no": "text",
    "project": "text",
}

_REAL_FINDINGS = {"overlap_area_m2", "overlap_ratio", "overlap_length_m", "distance_m"}

#: The columns of ``findings`` after ``run_id``: those of ``findings.csv``.
FINDING_FIELDS: dict[str, str] = {c: "real" if c in _REAL_FINDINGS else "text" for c in FINDING_COLUMNS}

# a URL's password, and the value of an option or field that names a secret
_URL_PASSWORD = re.compile(r"(://[^:/@\s]+):[^@\s]*@")
_SECRET_OPTION = re.compile(r"(?i)((?:--)?(?:password|passwd|token|api[-_]?key|secret)[= ]+)\S+")
_TOKEN_LIKE = re.compile(r"^(?:bearer\s+)?[A-Za-z0-9_\-.~+/=]{32,}$", re.IGNORECASE)
_MAX_CLIENT = 100


class RegisterError(RedlineError):
    """The register (台账) cannot be opened, read or written.

    Examples
    --------
    >>> err = RegisterError("register 'x.txt' is not a .gpkg file", param="register")
    >>> err.param, isinstance(err, ValueError)
    ('register', True)
    """


def beijing_time(moment: datetime | None = None) -> str:
    """Return ``moment`` (default: now) as ISO 8601 in Beijing time, to the second.

    Examples
    --------
    >>> beijing_time(datetime(2025, 1, 1, 0, 0, tzinfo=UTC))
    '2025-01-01T08:00:00+08:00'
    """
    return (moment or datetime.now(UTC)).astimezone(BEIJING).isoformat(timespec="seconds")


def scrub(text: str) -> str:
    """Return ``text`` with URL passwords and the values of secret-named options blotted out.

    Examples
    --------
    >>> scrub("redline batch s.gpkg --register postgresql://u:pw@h/db --token abc")
    'redline batch s.gpkg --register postgresql://u@h/db --token ***'
    """
    return _SECRET_OPTION.sub(r"\1***", _URL_PASSWORD.sub(r"\1@", text))


def _client(client: str | None) -> str:
    if client is None:
        return ""
    name = " ".join(str(client).split())
    if len(name) > _MAX_CLIENT or _TOKEN_LIKE.match(name):
        raise RegisterError(
            f"{param_ref('client')} must be the API client's name (e.g. 'planning-portal'), never its token "
            f"or key; got a value of {len(name)} characters that looks like one",
            param="client",
        )
    return name


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value


def run_record(result: ScreeningResult, *, command: str, client: str | None, recorded: datetime) -> dict[str, Any]:
    """Return the ``runs`` row of a result (all :data:`RUN_FIELDS`; JSON fields as dicts)."""
    meta = result.meta or {}
    layerset = result.layerset
    versions = getattr(result.catalog, "versions", {}) or {}
    return {
        "recorded": recorded,
        "command": scrub(" ".join(str(command).split())),
        "client": _client(client),
        "layerset": str(layerset.name),
        "layerset_path": "" if layerset.path is None else str(layerset.path),
        "tool_version": str(meta.get("tool_version", "")),
        "buffer_m": float(meta.get("buffer_m", math.nan)),
        "nearby": str(meta.get("nearby", "nearest")),
        "lang": str(meta.get("lang", "")),
        "n_sites": len(result.sites),
        "n_findings": len(result.findings),
        "fingerprints": _jsonable(dict(layerset.fingerprints())),
        "catalog_versions": _jsonable(dict(versions)),
        "verdicts": _jsonable(result.verdict_counts()),
    }


def dumps(value: Any) -> str:
    """Return a JSON field as stored (keys in order, Chinese kept).

    Examples
    --------
    >>> dumps({"national": "2026-11"})
    '{"national": "2026-11"}'
    """
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _column(frame: pd.DataFrame, name: str, kind: str) -> list:
    """Return a column as plain Python values of ``kind`` (missing: None); absent columns are all None."""
    if name not in frame.columns:
        return [None] * len(frame)
    values = frame[name].astype(object).to_numpy()
    if kind == "real":
        return [None if v is None or pd.isna(v) else float(v) for v in values]
    if kind == "integer":
        return [None if v is None or pd.isna(v) else int(v) for v in values]
    return [None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v) for v in values]


def _projects_text(sites: pd.DataFrame) -> dict[str, list]:
    """Return industry, tags, action and the project's text of every site, from its Project when it has one."""
    out = {k: _column(sites, k, "text") for k in ("industry", "tags", "action")}
    out["project"] = [None] * len(sites)
    if "project" not in sites.columns:
        return out
    for i, project in enumerate(sites["project"].to_numpy()):
        if isinstance(project, Project):
            out["industry"][i] = ";".join((*project.industries, *project.unknown_industries))
            out["tags"][i] = ";".join(sorted(project.tags))
            out["action"][i] = project.action
            out["project"][i] = project.to_text()
    return out


def site_rows(result: ScreeningResult, run_id: int, encode: Callable[[np.ndarray], list]) -> Iterator[tuple]:
    """Yield the ``sites`` rows of a result: ``run_id``, :data:`SITE_FIELDS`, then the encoded geometry.

    ``encode`` turns the array of geometries (None for error rows) into the store's values.
    """
    sites = result.sites
    columns = {k: _column(sites, k, kind) for k, kind in SITE_FIELDS.items()}
    columns.update(_projects_text(sites))
    geometry = encode(np.asarray(sites.geometry.array, dtype=object))
    for i in range(len(sites)):
        yield (run_id, *(columns[k][i] for k in SITE_FIELDS), geometry[i])


def finding_rows(result: ScreeningResult, run_id: int) -> Iterator[tuple]:
    """Yield the ``findings`` rows of a result: ``run_id`` then :data:`FINDING_FIELDS`."""
    findings = result.findings
    columns = [_column(findings, k, kind) for k, kind in FINDING_FIELDS.items()]
    for i in range(len(findings)):
        yield (run_id, *(c[i] for c in columns))


def _split(text: Any) -> list[str]:
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return []
    return [p for p in str(text).split(";") if p]


def project_of(industry: Any, tags: Any, action: Any) -> Project:
    """Rebuild a recorded site's Project from its stored industry, tags and action, as they were (no look-up, no check).

    Examples
    --------
    >>> p = project_of("C3360;C2611", "heavy_metal", "expand")
    >>> p.industries, sorted(p.tags), p.action, p.facts
    (('C3360', 'C2611'), ['heavy_metal'], 'expand', ())
    """
    return Project(tuple(_split(industry)), frozenset(_split(tags)), str(action or "new"))


def recorded_project(text: Any, industry: Any, tags: Any, action: Any) -> Project:
    """Return a recorded site's Project: read back whole from its ``project`` text, as it was.

    A site recorded before the register kept that text has its project rebuilt from its industry,
    tags and action (:func:`project_of`).

    Examples
    --------
    >>> p = recorded_project('{"industries":["A0313"],"action":"new","facts":[["年出栏生猪","6000头"]]}', "", "", "")
    >>> p.industries, p.facts
    (('A0313',), (('年出栏生猪', '6000头'),))
    >>> recorded_project(None, "C3360", "heavy_metal", "expand").industries
    ('C3360',)
    """
    if isinstance(text, str) and text:
        return Project.from_text(text)
    return project_of(industry, tags, action)
