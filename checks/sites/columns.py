"""The columns of a sites file: which one holds what, and their cells as text."""

from __future__ import annotations

import numpy as np
import pandas as pd

from redline.checks.sites import messages
from redline.checks.sites.coords import parse_angle
from redline.zones.errors import SiteError

__all__ = [
    "FACT_ROLE",
    "PROJECT_ROLES",
    "ROLES",
    "SITE_FIELDS",
    "cell_texts",
    "coordinate_column",
    "fact_columns",
    "find_column",
    "find_roles",
    "row_ids",
]

#: Column names recognised when no ``*_field`` option is given (case-insensitive).
SITE_FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("site_id", "id", "siteid", "编号", "项目编号", "序号", "xmbh", "code"),
    "name": ("name", "site_name", "project", "project_name", "项目名称", "名称", "xmmc"),
    "industry": ("industry", "industry_code", "gbt4754", "行业代码", "行业", "行业类别", "hydm"),
    "tags": ("tags", "tag", "标签"),
    "action": ("action", "建设性质", "建设类型"),
    "project_name": ("project_name", "projectname", "项目名称", "xmmc"),
    "builder": ("builder", "developer", "建设单位", "建设单位名称", "业主单位", "jsdw"),
    "project_no": ("project_no", "project_number", "project_code", "项目编号", "项目代码", "xmbh", "xmdm"),
    "lon": ("lon", "lng", "longitude", "long", "经度", "x"),
    "lat": ("lat", "latitude", "纬度", "y"),
    "wkt": ("wkt", "geometry", "geom", "the_geom", "shape"),
}

#: The roles of a site's attribute columns, each with its ``<role>_field`` option.
ROLES: tuple[str, ...] = ("id", "name", "industry", "tags", "action")

#: The project's name, 建设单位 and 项目编号: columns of the sites, each with its ``<role>_field`` option.
PROJECT_ROLES: tuple[str, ...] = ("project_name", "builder", "project_no")

#: The role of a column holding a project fact of the 名录 is this prefix and the fact's name.
FACT_ROLE = "fact:"


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
    """Return ``{role: column}`` for :data:`ROLES` and :data:`PROJECT_ROLES`, and the fact columns.

    ``fields`` names columns explicitly (see :func:`find_column`); a column named as a fact of the
    名录's vocabulary (:func:`fact_columns`) gets the role ``fact:<name>``.

    Examples
    --------
    >>> roles = find_roles(["编号", "建设单位", "装机容量", "lon", "lat"], {}, "s.csv")
    >>> roles["id"], roles["builder"], roles["project_name"], roles["fact:装机容量"]
    ('编号', '建设单位', None, '装机容量')
    """
    roles = {role: find_column(columns, role, fields.get(role), source) for role in (*ROLES, *PROJECT_ROLES)}
    used = {c for c in roles.values() if c}
    roles.update((FACT_ROLE + name, column) for name, column in fact_columns(columns, used).items())
    return roles


def fact_columns(columns: list[str], used: set[str] = frozenset()) -> dict[str, str]:
    """Return ``{fact name: column}`` for the columns named as a fact (or its alias) of the 名录 in force.

    Columns in ``used`` (taken by another role) are left out; of two columns naming one fact the
    first counts.

    Examples
    --------
    >>> fact_columns(["site_id", "年出栏生猪", "installed_capacity"])
    {'年出栏生猪': '年出栏生猪', '装机容量': 'installed_capacity'}
    """
    from redline.zones.eia import load_edition

    names: dict[str, str] = {}
    for spec in load_edition(None).facts:
        for word in (spec.name, *spec.aliases):
            names.setdefault("".join(word.split()).casefold(), spec.name)
    out: dict[str, str] = {}
    for column in columns:
        name = names.get("".join(str(column).split()).casefold())
        if name is not None and column not in used:
            out.setdefault(name, column)
    return out


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
