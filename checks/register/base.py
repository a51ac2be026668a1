"""The register (台账) of screenings: what every store offers, built on a few primitives per store."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd

from redline.checks.register import rows
from redline.checks.register.rows import BEIJING, FINDING_FIELDS, RUN_FIELDS, SITE_FIELDS, RegisterError
from redline.layers.layerset import TARGET_CRS

if TYPE_CHECKING:
    from redline.checks.result import ScreeningResult

__all__ = ["Register"]

_JSON = [k for k, kind in RUN_FIELDS.items() if kind == "json"]
_SITE_SELECT = ", ".join(f"s.{c}" for c in SITE_FIELDS)


class Register(ABC):
    """A register of screening runs: each run, its sites (with geometry and project) and findings.

    Open one with :func:`redline.checks.register.open_register`.  Every write is one transaction:
    a run is recorded whole or not at all.  A Register holds no open connection between calls,
    so one object may serve several threads.

    Attributes
    ----------
    target : str
        The file, or the server as ``postgresql://user@host:port/db`` (never a password).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from redline.checks import check_site
    >>> from redline.checks.register import open_register
    >>> from redline.layers import load_layerset
    >>> register = open_register(pathlib.Path(tempfile.mkdtemp()) / "register.gpkg")
    >>> result = check_site("109.4015,22.4923", load_layerset("sample"), industry="H6210")
    >>> run_id = register.record(result, command="POST /screen", client="planning-portal")
    >>> register.runs().loc[0, ["client", "verdicts"]].tolist()[0], register.runs().loc[0, "verdicts"]["prohibited"]
    ('planning-portal', 1)
    >>> register.site_history("site")[["run_id", "verdict", "industry"]].values.tolist()
    [[1, 'prohibited', 'H6210']]
    """

    target: str
    #: the store's query placeholder, and how its geometry column is selected
    _P = "?"
    _GEOM = "s.geom"
    _TABLES: ClassVar[dict[str, str]] = {"runs": "runs", "sites": "sites", "findings": "findings"}

    # --- the store's primitives -----------------------------------------------------------------

    @abstractmethod
    def _write(self, run: dict[str, Any], result: ScreeningResult) -> int:
        """Write the run, its sites and findings in one transaction; return the new run_id."""

    @abstractmethod
    def _query(self, sql: str, params: list) -> tuple[list[str], list[tuple]]:
        """Run a SELECT; return the column names and the rows."""

    @abstractmethod
    def _geometries(self, values: list) -> np.ndarray:
        """Return shapely geometries from the selected geometry values."""

    def _time_param(self, moment: datetime) -> Any:
        return rows.beijing_time(moment)

    # --- writing --------------------------------------------------------------------------------

    def record(self, result: ScreeningResult, *, command: str, client: str | None = None) -> int:
        """Record a screening run: when, by what, the layers' fingerprints and rule versions, every site and finding.

        Parameters
        ----------
        result : ScreeningResult
            What :func:`redline.checks.screen.screen_sites` returned.
        command : str
            The command line or API route that ran it (URL passwords and secret-named option values
            are blotted out before it is stored).
        client : str, optional
            The API client's name (never its token: a token-like value is refused).

        Returns
        -------
        int
            The new run's ``run_id``.

        Raises
        ------
        RegisterError
            The store cannot be written (nothing of the run is then recorded).
        """
        run = rows.run_record(result, command=command, client=client, recorded=datetime.now(UTC))
        return self._write(run, result)

    # --- reading --------------------------------------------------------------------------------

    def _frame(self, sql: str, params: list | None = None) -> pd.DataFrame:
        columns, data = self._query(sql.format(**self._TABLES, geom=self._GEOM, p=self._P), params or [])
        return pd.DataFrame.from_records(data, columns=columns)

    def _recorded(self, values: pd.Series) -> pd.Series:
        """Return recorded times as ISO text in Beijing time, whatever the store gave back."""
        return values.map(lambda v: rows.beijing_time(v) if isinstance(v, datetime) else str(v)).astype(object)

    def runs(self) -> pd.DataFrame:
        """Return every run, oldest first: ``run_id`` and :data:`~.rows.RUN_FIELDS`.

        ``recorded`` is ISO 8601 text in Beijing time (``+08:00``); ``fingerprints`` (layer label
        -> fingerprint), ``catalog_versions`` (catalogue -> version) and ``verdicts`` (verdict ->
        number of sites) are dicts.
        """
        frame = self._frame(f"SELECT run_id, {', '.join(RUN_FIELDS)} FROM {{runs}} ORDER BY run_id")
        frame["recorded"] = self._recorded(frame["recorded"])
        for name in _JSON:
            frame[name] = frame[name].map(lambda v: json.loads(v) if isinstance(v, str) else (v or {}))
        return frame.astype({"run_id": "int64"})

    def _sites(self, frame: pd.DataFrame) -> gpd.GeoDataFrame:
        """Return selected site rows with their geometry, times in Beijing time and projects as objects."""
        geometry = self._geometries(frame.pop("geometry").tolist()) if len(frame) else np.empty(0, dtype=object)
        if "recorded" in frame.columns:
            frame["recorded"] = self._recorded(frame["recorded"])
        columns = [frame[c].tolist() for c in ("project", "industry", "tags", "action", "status")]
        frame["project"] = pd.Series(
            [
                rows.recorded_project(*texts) if status == "ok" else None
                for *texts, status in zip(*columns, strict=True)
            ],
            index=frame.index,
            dtype=object,
        )
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs=TARGET_CRS), crs=TARGET_CRS)

    def site_history(self, site_id: str) -> gpd.GeoDataFrame:
        """Return every recorded version of one site, oldest first.

        Columns: ``run_id``, ``recorded``, ``command``, ``client``, ``layerset``, the site's
        :data:`~.rows.SITE_FIELDS` (``project`` a :class:`~redline.zones.project.Project` as
        recorded, None for an error row) and ``geometry`` (EPSG:4490).
        """
        sql = (
            f"SELECT s.run_id, r.recorded, r.command, r.client, r.layerset, {_SITE_SELECT}, {{geom}} AS geometry "
            "FROM {sites} s JOIN {runs} r ON r.run_id = s.run_id WHERE s.site_id = {p} ORDER BY s.run_id, s.fid"
        )
        return self._sites(self._frame(sql, [str(site_id)]))

    def _latest_sql(self, since: date | None) -> tuple[str, list]:
        """Return the SQL selecting every screened (status ok) site version recorded on or after ``since``."""
        where, params = "", []
        if since is not None:
            start = datetime.combine(since, time(0), tzinfo=BEIJING)
            where, params = " AND r.recorded >= {p}", [self._time_param(start)]
        sql = (
            f"SELECT s.fid, s.run_id, r.recorded, r.buffer_m, r.nearby, {_SITE_SELECT}, {{geom}} AS geometry, "
            "ROW_NUMBER() OVER (PARTITION BY s.site_id ORDER BY s.run_id DESC, s.fid DESC) AS version "
            "FROM {sites} s JOIN {runs} r ON r.run_id = s.run_id "
            f"WHERE s.status = 'ok' AND s.geom IS NOT NULL{where}"
        )
        return sql, params

    def latest_sites(self, since: date | None = None) -> gpd.GeoDataFrame:
        """Return the latest recorded version of every site, ready for :func:`~redline.checks.screen.screen_sites`.

        Only versions that were screened (status ``ok``, with geometry) count; a site whose every
        version was an error row is left out.

        Parameters
        ----------
        since : datetime.date, optional
            Only sites whose latest version was recorded on or after this day (Beijing time).

        Returns
        -------
        geopandas.GeoDataFrame
            In recording order: ``site_id``, ``name``, ``industry``, ``tags``, ``action``,
            ``status`` (ok), ``error`` and ``note`` (empty), ``project`` (the
            :class:`~redline.zones.project.Project` as recorded: facts and notes too),
            ``project_name``, ``builder``, ``project_no``, ``recorded_verdict``, ``run_id``,
            ``recorded``, the run's ``buffer_m`` and ``nearby``, and ``geometry``.
        """
        inner, params = self._latest_sql(since)
        frame = self._frame(f"SELECT * FROM ({inner}) AS q WHERE version = 1 ORDER BY run_id, fid", params)
        sites = self._sites(frame.drop(columns=["version", "fid"]))
        sites["error"] = ""
        sites["note"] = ""
        for name in ("project_name", "builder", "project_no"):  # (empty, not None, as a sites file gives them)
            sites[name] = sites[name].fillna("").astype(object)
        sites = sites.rename(columns={"verdict": "recorded_verdict"})
        first = ["site_id", "name", "industry", "tags", "action", "status", "error", "note", "project"]
        first += ["project_name", "builder", "project_no"]
        rest = ["recorded_verdict", "run_id", "recorded", "buffer_m", "nearby"]
        return sites[[*first, *rest, "geometry"]].reset_index(drop=True)

    def latest_findings(self, since: date | None = None) -> pd.DataFrame:
        """Return the findings recorded with the sites of :meth:`latest_sites`: ``run_id``, the findings.csv columns."""
        inner, params = self._latest_sql(since)
        cols = ", ".join(f"f.{c}" for c in FINDING_FIELDS)
        sql = (
            f"SELECT f.run_id, {cols} FROM {{findings}} f JOIN ({inner}) AS q "
            "ON q.version = 1 AND q.run_id = f.run_id AND q.site_id = f.site_id ORDER BY f.run_id, f.fid"
        )
        return self._frame(sql, params)

    def findings(self, run_id: int) -> pd.DataFrame:
        """Return the findings recorded with one run: ``run_id`` and the findings.csv columns."""
        cols = ", ".join(FINDING_FIELDS)
        return self._frame(f"SELECT run_id, {cols} FROM {{findings}} WHERE run_id = {{p}} ORDER BY fid", [int(run_id)])

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.target!r})"


def not_written(target: str, exc: Exception) -> RegisterError:
    """Return the error for a run that could not be recorded (nothing of it was)."""
    return RegisterError(
        f"register {target}: the run could not be recorded ({' '.join(str(exc).split())[:300]}); "
        "nothing of it was written; check that the register can be written and try again",
        param="register",
        value=target,
    )
