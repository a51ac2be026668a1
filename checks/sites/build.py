"""Rows to sites: the sites table from geometries and attribute columns, bad rows kept as error rows.

Invalid geometry (``on_invalid``)
---------------------------------
``"raise"`` (default): the row becomes an error row (``status="error"``) saying why — a batch
never aborts for one bad row.  ``"warn"``: the same, plus one warning listing those rows.
``"fix"``: the geometry is repaired with ``make_valid`` (unclosed rings are closed), the row
stays ``ok`` and its ``note`` column says ``repaired: <reason>``; one warning lists the
repaired sites.  Empty and null geometries are error rows under every policy.
"""

from __future__ import annotations

from collections import Counter

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from redline.checks.sites import messages
from redline.checks.sites.columns import FACT_ROLE, PROJECT_ROLES, cell_texts, fact_columns, row_ids
from redline.checks.sites.geometry import geometry_problems, not_lonlat, to_target
from redline.layers.layerset import TARGET_CRS
from redline.layers.normalise import drop_empty_parts
from redline.layers.reader import repair_geometries
from redline.zones.errors import RedlineError
from redline.zones.project import make_project
from redline.zones.tag_labels import tags_from_labels

__all__ = ["RowNotes", "sites_from_geometries"]

_SITE_RECORD_COLUMNS = ["site_id", "name", "industry", "tags", "action", "status", "error", "note", "project"]


class RowNotes:
    """Invalid and repaired rows of a file read in chunks, for one warning each at the end.

    Keeps only the first few descriptions and the counts, so memory does not grow with the file.
    """

    def __init__(self) -> None:
        self.kept_invalid: list[str] = []
        self.n_kept_invalid = 0
        self.repaired: list[str] = []
        self.n_repaired = 0

    def add(self, kept_invalid: list[str], repaired: list[str]) -> None:
        """Count a chunk's rows (keeping the first eight of each kind, as the warnings list them)."""
        self.kept_invalid += kept_invalid[: max(0, 8 - len(self.kept_invalid))]
        self.n_kept_invalid += len(kept_invalid)
        self.repaired += repaired[: max(0, 8 - len(self.repaired))]
        self.n_repaired += len(repaired)

    def warn(self, source: str, stacklevel: int = 2) -> None:
        """Issue the warnings :func:`sites_from_geometries` issues for a whole file."""
        messages.warn_rows(
            source, self.kept_invalid, self.n_kept_invalid, self.repaired, self.n_repaired, stacklevel + 1
        )


class _Projects:
    """The project of each (industry, tags, action, facts): most rows repeat a few, each is made once."""

    def __init__(self) -> None:
        self._made: dict[tuple, tuple] = {}

    def get(self, key: tuple[str, str, str, tuple[tuple[str, str], ...]]) -> tuple:
        """Return ``(project, industry text, tags text, action)`` or ``(RedlineError,)``."""
        made = self._made.get(key)
        if made is None:
            industry, tags, action, facts = key
            try:
                # (a row's code that no edition knows keeps the site in the screen: its rules ask;
                # a tag may be written as its Chinese label)
                built = make_project(industry, tags_from_labels(tags), action, dict(facts), lenient=True)
                industry = ";".join((*built.industries, *built.unknown_industries))
                made = (built, industry, ";".join(sorted(built.tags)), built.action)
            except RedlineError as exc:
                made = (exc,)
            self._made[key] = made
        return made


class _Geometries:
    """Judges each row's geometry under the ``on_invalid`` policy, collecting the rows to warn about."""

    def __init__(self, geoms: np.ndarray, unclosed: np.ndarray, on_invalid: str) -> None:
        self.geoms, self.unclosed, self.on_invalid = geoms, unclosed, on_invalid
        self.problems = geometry_problems(geoms)
        self.valid = np.zeros(len(geoms), dtype=bool)
        usable = np.array([p is None for p in self.problems], dtype=bool)
        self.valid[usable] = shapely.is_valid(geoms[usable])
        self.kept_invalid: list[str] = []
        self.repaired: list[str] = []

    def judge(self, i: int, label: str, site_id: str) -> tuple[shapely.Geometry, str | None, str]:
        """Return (geometry to keep, error or None, note) for row ``i``."""
        geom = self.geoms[i]
        if self.problems[i]:
            return geom, f"{label}: {self.problems[i]}", ""
        if not (self.unclosed[i] or not self.valid[i]):
            return geom, None, ""
        reason = "ring not closed" if self.unclosed[i] else shapely.is_valid_reason(geom)
        if self.unclosed[i] and not geom.is_valid:
            reason += f", then {shapely.is_valid_reason(geom)}"
        if self.on_invalid != "fix":
            if self.on_invalid == "warn":
                self.kept_invalid.append(f"{site_id} ({reason})")
            return geom, messages.row_invalid(label, reason), ""
        fixed, failures = repair_geometries(np.array([geom], dtype=object))
        if failures[0]:
            return geom, f"{label}: invalid geometry ({reason}) that cannot be repaired: {failures[0]}", ""
        self.repaired.append(f"{site_id} ({reason})")
        return fixed[0], None, f"repaired: {reason}"


def _place(columns_out: dict[str, list], kept: np.ndarray, crs, row_offset: int) -> None:
    """Convert the kept geometries to EPSG:4490; rows that end up off the globe become errors."""
    ok = np.array([g is not None for g in kept], dtype=bool)
    if not ok.any():
        return
    converted = to_target(kept[ok], crs)
    kept[ok] = converted
    for j in np.flatnonzero(ok)[not_lonlat(shapely.bounds(converted))]:
        columns_out["status"][j] = "error"
        columns_out["error"][j] = messages.row_not_lonlat(row_offset + j + 1)
        kept[j] = None


def _fact_name(name: str) -> str:
    """Return the vocabulary's name of a fact given by an alias (the name itself when unknown)."""
    return next(iter(fact_columns([name])), name)


def _row_facts(df, columns: dict[str, str | None], n: int, facts) -> list[tuple[tuple[str, str], ...]]:
    """Each row's facts: its non-empty fact cells over the defaults ``facts`` (a mapping or ``KEY=VALUE`` texts)."""
    defaults = {_fact_name(k): v for k, v in make_project(facts=facts).facts} if facts else {}
    cells = {
        role[len(FACT_ROLE) :]: cell_texts(df, column, n)
        for role, column in columns.items()
        if role.startswith(FACT_ROLE) and column
    }
    if not cells:
        return [tuple(sorted(defaults.items()))] * n
    rows = []
    for i in range(n):
        given = {**defaults, **{name: values[i] for name, values in cells.items() if values[i]}}
        rows.append(tuple(sorted(given.items())))
    return rows


def _row_labels(labels, df, ids: list[str], row_offset: int):
    if labels is not None:
        return lambda i: labels[i]
    if df is None:
        return lambda i: f"row {row_offset + i + 1}"
    return lambda i: f"row {row_offset + i + 1} (id {ids[i]})"


def sites_from_geometries(
    geoms,
    crs,
    *,
    df: pd.DataFrame | None = None,
    columns: dict[str, str | None] | None = None,
    row_errors: list | None = None,
    industry=None,
    tags=None,
    action=None,
    facts=None,
    project_name: str | None = None,
    builder: str | None = None,
    project_no: str | None = None,
    source: str = "input",
    site_ids: list[str] | None = None,
    on_invalid: str = "raise",
    unclosed=None,
    labels: list[str] | None = None,
    row_offset: int = 0,
    notes: RowNotes | None = None,
) -> gpd.GeoDataFrame:
    """Build the sites table from geometries and optional attribute columns.

    Rows with unusable geometry, tags or action get ``status="error"``; invalid geometry
    follows ``on_invalid`` (see the module docstring).  An industry code that neither GB/T 4754
    edition knows keeps its row in the screen: the row's ``project`` holds it as unknown, with a
    note saying how to fix it (:func:`~redline.zones.project.make_project` ``lenient``).

    Parameters
    ----------
    geoms : array of shapely geometries
        In ``crs``.
    crs : pyproj.CRS or str
        Their CRS (``gcj02``/``bd09`` too).
    df : pandas.DataFrame, optional
        The rows' attributes; ``columns`` maps the roles ``id``, ``name``, ``industry``,
        ``tags``, ``action``, ``project_name``, ``builder``, ``project_no`` and ``fact:<name>``
        (a project fact of the 名录) to its columns (see :func:`~redline.checks.sites.columns.find_roles`).
    row_errors : list of str or None, optional
        A reason per row already known to make it an error row.
    industry, tags, action : optional
        Defaults for rows whose own cell is empty; a tag may be given by its Chinese label.
    facts : mapping or list of ``KEY=VALUE`` str, optional
        Project facts for every row; a row's non-empty fact cell wins over the same fact here.
    project_name, builder, project_no : str, optional
        Defaults for rows whose own cell is empty: the columns of the same names.
    source : str
        How warnings and errors name the input.
    site_ids : list of str, optional
        The ids (default: the id column's cells, else the row numbers).
    unclosed : array of bool, optional
        Rows whose rings were closed on reading (they count as invalid: "ring not closed").
    labels : list of str, optional
        How messages name each row (default ``row N (id X)``).
    row_offset : int
        Rows before these ones (when they are a chunk of a longer file): row numbers in messages
        and default ids (``row_offset + 1`` ...) continue from there.
    notes : RowNotes, optional
        Collect the invalid and repaired rows there (one warning for a whole file read in
        chunks) instead of warning here.

    Raises
    ------
    SiteError
        When site ids repeat (findings are joined to sites by id); ``err.param`` is ``id_field``.

    Examples
    --------
    >>> from shapely import Point
    >>> sites = sites_from_geometries([Point(109.40, 22.49), None], "EPSG:4490", industry="C3360")
    >>> sites["status"].tolist(), sites.loc[1, "error"]
    (['ok', 'error'], 'row 2: no geometry')
    >>> df = pd.DataFrame({"建设单位": ["某公司"], "年出栏生猪": ["6000头"], "标签": ["畜禽规模养殖"]})
    >>> one = sites_from_geometries([Point(109.40, 22.49)], "EPSG:4490", df=df, industry="A0313",
    ...     columns={"builder": "建设单位", "fact:年出栏生猪": "年出栏生猪", "tags": "标签"})
    >>> one.loc[0, ["builder", "tags", "project_no"]].tolist(), one.loc[0, "project"].facts
    (['某公司', 'livestock', ''], (('年出栏生猪', '6000头'),))
    """
    messages.check_policy(on_invalid)
    geoms, _ = drop_empty_parts(np.asarray(geoms, dtype=object))  # (same ground; GEOS crashes on some)
    n = len(geoms)
    columns = columns or {}
    row_errors = list(row_errors) if row_errors is not None else [None] * n
    unclosed = np.zeros(n, dtype=bool) if unclosed is None else np.asarray(unclosed, dtype=bool)
    ids = site_ids or row_ids(cell_texts(df, columns.get("id"), n), row_offset)
    dupes = sorted(s for s, c in Counter(ids).items() if c > 1)
    if dupes:
        raise messages.repeated_ids(source, dupes, columns.get("id"))
    cells = {role: cell_texts(df, columns.get(role), n) for role in ("name", "industry", "tags", "action")}
    row_facts = _row_facts(df, columns, n, facts)
    defaults = (
        industry if isinstance(industry, str) else ";".join(industry or []),
        tags if isinstance(tags, str) else ";".join(tags or []),
        action or "new",
    )
    judged = _Geometries(geoms, unclosed, on_invalid)
    projects = _Projects()
    label = _row_labels(labels, df, ids, row_offset)
    columns_out: dict[str, list] = {c: [] for c in _SITE_RECORD_COLUMNS}
    kept = np.full(n, None, dtype=object)
    for i in range(n):
        texts = tuple(
            cells[role][i] or default for role, default in zip(("industry", "tags", "action"), defaults, strict=True)
        )
        err, note, project = row_errors[i], "", None
        if err is None:
            geom, err, note = judged.judge(i, label(i), ids[i])
        if err is None:
            made = projects.get((*texts, row_facts[i]))
            if isinstance(made[0], RedlineError):
                err = f"{label(i)}: {made[0]}"
            else:
                project, texts = made[0], made[1:]
        if err is None:
            kept[i] = geom
        row = (ids[i], cells["name"][i], *texts, "error" if err else "ok", err or "", note, project)
        for column, value in zip(_SITE_RECORD_COLUMNS, row, strict=True):
            columns_out[column].append(value)
    if notes is not None:
        notes.add(judged.kept_invalid, judged.repaired)
    else:
        messages.warn_rows(
            source, judged.kept_invalid, len(judged.kept_invalid), judged.repaired, len(judged.repaired), 2
        )
    for role, default in zip(PROJECT_ROLES, (project_name, builder, project_no), strict=True):
        columns_out[role] = [cell or (default or "").strip() for cell in cell_texts(df, columns.get(role), n)]
    _place(columns_out, kept, crs, row_offset)
    frame = pd.DataFrame(columns_out if n else [], columns=[*_SITE_RECORD_COLUMNS, *PROJECT_ROLES])
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(kept, crs=TARGET_CRS), crs=TARGET_CRS)
