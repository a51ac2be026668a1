"""The columns of a sites file: which one holds what, and their cells as text."""

from __future__ import annotations

import numpy as np
import pandas as pd

from redline.checks.sites import messages
from redline.checks.sites.coords import parse_angle
from redline.zones.errors import SiteError

__all__ = ["ROLES", "SITE_FIELDS", "cell_texts", "coordinate_column", "find_column", "find_roles", "row_ids"]

#: Column names recognised when no ``*_field`` option is given (case-insensitive).
SITE_FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("site_id", "id", "siteid", "编号", "项目编号", "序号", "xmbh", "code"),
    "name": ("name", "site_name", "project", "project_name", "项目名称", "名称", "xmmc"),
    "industry": ("industry", "industry_code", "gbt4754", "行业代码", "行业", "行业类别", "hydm"),
    "tags": ("tags", "tag", "标签"),
    "action": ("action", "建设性质", "建设类型"),
    "lon": ("lon", "lng", "longitude", "long", "经度", "x"),
    "lat": ("lat", "latitude", "纬度", "y"),
    "wkt": ("wkt", "geometry", "geom", "the_geom", "shape"),
}

#: The roles of a site's attribute columns, each with its ``<role>_field`` option.
ROLES: tuple[str, ...] = ("id", "name", "industry", "tags", "action")


def find_column(columns: list[str], role: str, explicit: str | None, source: str) -> str | None:
    """Return the column for ``role``: ``explicit`` (which must exist) or the first of :data:`SITE_FIELDS`.

    Raises
    ------
    SiteError
        When ``explicit`` is not a column of the file (named ``source`` in the message).

    Examples
    --------
    >>> find_column(["编号", "经度", "纬度"], "lon", None, "s.csv")
    '经度'
    """
    if explicit:
        if explicit in columns:
            return explicit
        raise messages.no_column(source, explicit, role, columns)
    lower = {c.lower(): c for c in columns}
    for name in SITE_FIELDS[role]:
        if name.lower() in lower:
            return lower[name.lower()]
    return None


def find_roles(columns: list[str], fields: dict[str, str | None], source: str) -> dict[str, str | None]:
    """Return ``{role: column}`` for :data:`ROLES`, ``fields`` naming columns explicitly (see :func:`find_column`)."""
    return {role: find_column(columns, role, fields.get(role), source) for role in ROLES}


def cell_texts(df: pd.DataFrame | None, col: str | None, n: int) -> list[str]:
    """Every cell of a column as stripped text ("" for missing; ``5.0`` as ``5``), read in one go."""
    if df is None or col is None:
        return [""] * n
    out = []
    for value in df[col].tolist():
        if value is None or (isinstance(value, float) and np.isnan(value)):
            out.append("")
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        out.append(str(value).strip())
    return out


def row_ids(cells: list[str], offset: int = 0) -> list[str]:
    """Site ids: the id cell, else the row number counted from the top of the file (``offset`` rows before)."""
    return [c or f"{offset + i + 1}" for i, c in enumerate(cells)]


def coordinate_column(series: pd.Series) -> np.ndarray:
    """Numbers of a lon or lat column; cells in DMS (108°39'12.5") are read too (NaN where neither)."""
    values = np.array(pd.to_numeric(series.astype(str).str.strip(), errors="coerce"), dtype=float)
    for i in np.flatnonzero(np.isnan(values)):
        cell = str(series.iloc[i]).strip()
        if cell:
            try:
                angle = parse_angle(cell)
            except SiteError:
                angle = None
            if angle is not None:
                values[i] = angle
    return values
