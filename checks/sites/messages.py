"""The words of site input, in one place: what the site readers raise, warn, and write into error rows.

Errors and warnings mark the parameters they point the user to with
:func:`~redline.zones.errors.param_ref` (``crs``, ``on_invalid``, ``id_field``, ``layer`` ...), so that
each interface names them in its own words (``--crs`` on the command line), and carry the
parameter at fault (``param``) and its value.  Warnings are :class:`SiteWarning`, which renders
the same way.

The error of one row is data, not a message: it is written into the ``error`` column of the
sites table and from there into every output file, so it keeps its words whichever interface
reads the sites (a table cell cannot be rendered again per interface).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from redline.layers.crs import datum_caveat, guess_crs, proposed_code
from redline.zones.errors import CRSError, RedlineError, SiteError, param_ref

__all__ = ["ON_INVALID", "SiteWarning", "check_policy"]

#: The policy words for invalid geometry, as for layers (``on_invalid`` in layerset.yaml).
ON_INVALID: tuple[str, ...] = ("raise", "warn", "fix")

_CRS = param_ref("crs")


class SiteWarning(UserWarning):
    """A warning about site input; like :class:`~redline.zones.errors.RedlineError`, it renders per interface.

    Examples
    --------
    >>> w = SiteWarning(f"use {param_ref('on_invalid')} fix")
    >>> str(w), w.render({"on_invalid": "--on-invalid"})
    ('use on_invalid fix', 'use --on-invalid fix')
    """

    # the same rendering as the errors': the message with its marks, named per interface
    raw_message = RedlineError.raw_message
    render = RedlineError.render
    __str__ = RedlineError.__str__


def warn(message: str, stacklevel: int = 2) -> None:
    """Issue a :class:`SiteWarning` (``stacklevel`` as for :func:`warnings.warn`, counted from the caller)."""
    warnings.warn(SiteWarning(message), stacklevel=stacklevel + 1)


def again_as(error: RedlineError, kind: type[RedlineError]) -> RedlineError:
    """Return ``error`` as a ``kind``, keeping its marks, parameter, value and Chinese text."""
    zh = getattr(error, "zh", None)
    if error.has_value:
        return kind(error.raw_message, param=error.param, value=error.value, zh=zh)
    return kind(error.raw_message, param=error.param, zh=zh)


# --- the options --------------------------------------------------------------------------------


def check_policy(on_invalid: str) -> None:
    """Refuse an ``on_invalid`` that is not one of :data:`ON_INVALID`."""
    if on_invalid not in ON_INVALID:
        raise SiteError(
            f"on_invalid {on_invalid!r} is not one of {', '.join(ON_INVALID)}",
            param="on_invalid",
            value=on_invalid,
            zh=f"on_invalid {on_invalid!r} 不是 {'、'.join(ON_INVALID)} 之一",
        )


def no_column(source: str, explicit: str, role: str, columns: list[str]) -> SiteError:
    """Return the error for a column named for a role (``id_field`` ...) that the file does not have."""
    return SiteError(
        f"{source}: no column {explicit!r} (given for the site {role}); the columns are "
        f"{', '.join(columns)}; fix {param_ref(f'{role}_field')}",
        param=f"{role}_field",
        value=explicit,
        zh=f"{source}：没有列 {explicit!r}（指定为选址的 {role}）；现有的列为 {'、'.join(columns)}；"
        f"请修改 {param_ref(f'{role}_field')}",
    )


def warn_datum(crs, where: str, stacklevel: int = 2) -> None:
    """Warn that ``crs`` converts to CGCS2000 only approximately (Xian 1980, Beijing 1954)."""
    caveat = None if crs is None else datum_caveat(crs)
    if caveat:
        warn(f"{where}: {caveat}", stacklevel + 1)


# --- a missing or unusable CRS ------------------------------------------------------------------


def no_crs(
    what: str, what_zh: str, xs, ys, near, *, example: str = "EPSG:4545", look: str = "they look like"
) -> tuple[str, str]:
    """Say that coordinates need a CRS, with the one they look like (placed ``near`` the layers).

    Returns the English and the Chinese (``what_zh`` leading), the CRS guessed once for both.
    """
    hint = guess_crs(xs, ys, near=near, near_what="the layers") if len(xs) else None
    code = proposed_code(hint) or example
    en = f"{what}" + (f"; {look} {hint}" if hint else "") + f"; give their CRS with {_CRS} (e.g. {_CRS} {code})"
    zh = f"{what_zh}" + (f"；看起来是 {hint}" if hint else "") + f"；请用 {_CRS} 给出坐标系（如 {_CRS} {code}）"
    return en, zh


def vector_without_crs(path: Path, xy: np.ndarray, near, *, drawing: bool) -> CRSError:
    """Return the error for a GIS file (or a CAD drawing) that carries no CRS, and none given."""
    what = (
        f"drawing '{path.name}' has no CRS (CAD drawings carry none)"
        if drawing
        else f"sites file '{path.name}' has no CRS (no .prj or CRS metadata)"
    )
    example = "EPSG:4545" if drawing else "EPSG:4490"
    what_zh = (
        f"图纸 '{path.name}' 没有坐标系（CAD 图纸不带坐标系）"
        if drawing
        else f"选址文件 '{path.name}' 没有坐标系（没有 .prj 文件或坐标系元数据）"
    )
    message, zh = no_crs(what, what_zh, xy[:, 0], xy[:, 1], near, example=example, look="the coordinates look like")
    return CRSError(message, param="crs", value=None, zh=zh)


def table_not_lonlat(source: str, bounds: np.ndarray, near) -> CRSError:
    """Return the error for a table of coordinates that are not longitude/latitude, and no CRS given."""
    what = f"{source}: the coordinates are not longitude/latitude"
    message, zh = no_crs(what, f"{source}：坐标不是经纬度", bounds[:, 0], bounds[:, 1], near)
    return CRSError(message, param="crs", value=None, zh=zh)


def parcels_without_crs(source: str, xy: np.ndarray, near) -> CRSError:
    """Return the error for a 界址点 table in projected coordinates, and no CRS given or declared."""
    what = f"{source}: the 界址点 table has no CRS (X northing, Y easting)"
    what_zh = f"{source}：界址点表没有坐标系（X 为北坐标，Y 为东坐标）"
    message, zh = no_crs(what, what_zh, xy[:, 0], xy[:, 1], near, example="CGCS2000-GK3-36")
    return CRSError(message, param="crs", value=None, zh=zh)


# --- the file -----------------------------------------------------------------------------------


def missing_file(path: Path) -> SiteError:
    """Return the error for a sites file that does not exist."""
    return SiteError(
        f"sites file '{path}' does not exist; check the path",
        param="path",
        value=str(path),
        zh=f"选址文件 '{path}' 不存在；请检查路径",
    )


def unsupported_format(path: Path) -> SiteError:
    """Return the error for a sites file of a kind no reader reads."""
    return SiteError(
        f"sites file '{path.name}': unsupported format {path.suffix.lower()!r}; use SHP, GPKG, GeoJSON, FGB, "
        "KML/KMZ, DXF, CSV or XLSX",
        param="path",
        value=str(path),
        zh=f"选址文件 '{path.name}'：不支持的格式 {path.suffix.lower()!r}；"
        "请用 SHP、GPKG、GeoJSON、FGB、KML/KMZ、DXF、CSV 或 XLSX",
    )


def many_layers(path: Path, names: list[str]) -> SiteError:
    """Return the error for a multi-layer source, and no layer chosen."""
    return SiteError(
        f"sites file '{path.name}' holds {len(names)} layers ({', '.join(names[:8])}); "
        f"choose one with {param_ref('layer')}",
        param="layer",
        value=None,
        zh=f"选址文件 '{path.name}' 含 {len(names)} 个图层（{'、'.join(names[:8])}）；"
        f"请用 {param_ref('layer')} 选择一个",
    )


def unreadable(path: Path, exc: Exception) -> SiteError:
    """Return the error for a file (or the layer asked for) that GDAL cannot read."""
    return SiteError(
        f"sites file '{path}' cannot be read ({exc}); check the file and {param_ref('layer')}",
        param="path",
        value=str(path),
        zh=f"选址文件 '{path}' 无法读取（{exc}）；请检查文件和 {param_ref('layer')}",
    )


def no_coordinate_columns(source: str, columns) -> SiteError:
    """Return the error for a table with neither lon/lat, WKT nor 界址点 columns."""
    return SiteError(
        f"{source}: no coordinate columns; the columns are {', '.join(columns)}; "
        "add lon and lat (经度/纬度) columns, a WKT column, or 界址点 columns (点号, X, Y)",
        param="path",
        zh=f"{source}：没有坐标列；现有的列为 {'、'.join(map(str, columns))}；"
        "请加上经度、纬度列，或 WKT 列，或界址点列（点号、X、Y）",
    )


def swapped_columns(source: str, lon_col: str, lat_col: str) -> SiteError:
    """Return the error for a table whose every usable row holds a latitude in its longitude column."""
    return SiteError(
        f"{source}: the columns {lon_col!r} and {lat_col!r} look swapped: every row holds a latitude in "
        f"{lon_col!r} and a longitude in {lat_col!r}; swap the column names",
        param="path",
        zh=f"{source}：列 {lon_col!r} 和 {lat_col!r} 似乎颠倒了：每一行的 {lon_col!r} 都是纬度、{lat_col!r} 都是经度；"
        "请交换两列的列名",
    )


def repeated_ids(source: str, dupes: list[str], id_column: str | None) -> SiteError:
    """Return the error for site ids that repeat (findings are joined to sites by id)."""
    return SiteError(
        f"{source}: site ids repeat ({', '.join(dupes[:8])}); every site needs its own id; "
        f"choose another column with {param_ref('id_field')}, or make the ids unique",
        param="id_field",
        value=id_column,
        zh=f"{source}：选址编号重复（{'、'.join(dupes[:8])}）；每个选址须有唯一编号；"
        f"请用 {param_ref('id_field')} 另选一列，或改为唯一编号",
    )


def warn_rows(source: str, kept: list[str], n_kept: int, repaired: list[str], n_repaired: int, stacklevel: int):
    """Warn once about the rows kept as errors for invalid geometry, once about the rows repaired."""

    def listing(values: list[str], n: int) -> str:
        return ", ".join(values[:8]) + (f" and {n - 8} more" if n > 8 else "")

    if n_kept:
        warn(
            f"{source}: {n_kept} site(s) with invalid geometry kept as error rows: "
            f"{listing(kept, n_kept)}; use {param_ref('on_invalid')} fix to repair them",
            stacklevel + 1,
        )
    if n_repaired:
        warn(
            f"{source}: repaired {n_repaired} site geometr{'y' if n_repaired == 1 else 'ies'} with "
            f"make_valid: {listing(repaired, n_repaired)}",
            stacklevel + 1,
        )


# --- one site given as text ---------------------------------------------------------------------


def text_error(text: str, message: str, *, cut: int | None = 80, zh: str | None = None) -> SiteError:
    """Return the error for site text: ``message`` follows ``site '<text>'`` (cut to ``cut`` characters).

    ``zh``, the Chinese of ``message``, follows ``选址 '<text>'``.
    """
    return SiteError(
        f"site {text[:cut]!r}{message}",
        param="text",
        value=text,
        zh=None if zh is None else f"选址 {text[:cut]!r}{zh}",
    )


def text_not_lonlat(text: str, what: str, xs, ys, near, *, cut: int | None = 80) -> SiteError:
    """Return the error for site text whose numbers are not longitude/latitude, and no CRS given."""
    message, zh = no_crs(f"site {text[:cut]!r}: {what}", f"选址 {text[:cut]!r} 的坐标不是经纬度", xs, ys, near)
    return SiteError(message, param="text", value=text, zh=zh)


def degrees_with_projected_crs(text: str, label: str, crs) -> SiteError:
    """Return the error for a site in degrees (DMS, hemispheres) given with a projected CRS."""
    return SiteError(
        f"site {text!r} is in degrees, but {_CRS} {label} is projected; drop {_CRS} or fix it",
        param="crs",
        value=crs,
        zh=f"选址 {text!r} 是经纬度（度），但 {_CRS} {label} 是投影坐标系；请去掉 {_CRS} 或改正",
    )


def ambiguous_pair(text: str, x: float, y: float, crs_text: str, given: bool) -> SiteError:
    """Return the error for a pair of numbers outside China whichever way round it is read."""
    return SiteError(
        f"site {text!r} falls outside China whichever way it is read ({x},{y} or {y},{x} in {crs_text}), so which "
        "is the longitude is ambiguous; check the numbers"
        + ("" if given else f", and give {_CRS} if they are not CGCS2000/WGS84 longitude/latitude"),
        param="text",
        value=text,
        zh=f"选址 {text!r} 无论按哪种顺序读都在中国境外（{crs_text} 下 {x},{y} 或 {y},{x}），"
        "无法判断哪个是经度；请检查数字" + ("" if given else f"；若不是 CGCS2000/WGS84 经纬度，请用 {_CRS} 给出坐标系"),
    )


def not_a_site(text: str, exc: Exception) -> SiteError:
    """Return the error for text that is neither coordinates nor WKT."""
    return SiteError(
        f'site {text!r} is neither "lon,lat" nor WKT ({exc}); write e.g. '
        '"109.30,22.28", 108°39\'12.5"E 22°10\'03"N or '
        '"POLYGON ((109.30 22.28, 109.31 22.28, 109.31 22.29, 109.30 22.28))", '
        "or give the path of an existing file",
        param="text",
        value=text,
        zh=f'选址 {text!r} 既不是"经度,纬度"也不是 WKT（{exc}）；请写成如 "109.30,22.28"、'
        '108°39\'12.5"E 22°10\'03"N 或 "POLYGON ((109.30 22.28, 109.31 22.28, 109.31 22.29, 109.30 22.28))"，'
        "或给出已有文件的路径",
    )


def text_ring_not_closed(text: str) -> SiteError:
    """Return the error for a WKT polygon whose ring does not end where it starts (no ``fix``)."""
    return text_error(
        text,
        ": a polygon ring is not closed (its last point is not its first); "
        f"close it, or use {param_ref('on_invalid')} fix",
        zh=f"：多边形的环未闭合（最后一点不是第一点）；请闭合，或用 {param_ref('on_invalid')} fix",
    )


def text_invalid(text: str, reason: str) -> SiteError:
    """Return the error for an invalid geometry given as text (``on_invalid`` is not ``fix``)."""
    return text_error(
        text,
        f": invalid geometry ({reason}); repair it (e.g. in QGIS: Fix geometries), "
        f"or use {param_ref('on_invalid')} fix",
        zh=f"：几何无效（{reason}）；请修复（如在 QGIS 中用“修复几何”），或用 {param_ref('on_invalid')} fix",
    )


def text_out_of_range(text: str, lon: float, lat: float) -> SiteError:
    """Return the error for site text marked as longitude/latitude whose values are out of range."""
    return text_error(
        text, f": longitude {lon} / latitude {lat} are out of range", cut=None, zh=f"：经度 {lon} / 纬度 {lat} 超出范围"
    )


def text_unrepairable(text: str, reason: str) -> SiteError:
    """Return the error for an invalid geometry given as text that ``make_valid`` cannot repair."""
    return text_error(
        text, f": invalid geometry ({reason}) that cannot be repaired", zh=f"：几何无效（{reason}），且无法修复"
    )


def text_unusable(text: str, problem: str) -> SiteError:
    """Return the error for a geometry given as text that cannot be checked (``problem``, English data)."""
    return text_error(text, f": {problem}", zh=f"：无法筛查（{problem}）")


# --- one row: data for the error column ---------------------------------------------------------


def row_invalid(label: str, reason: str) -> str:
    """Return the error of a row with invalid geometry, kept as an error row."""
    return f"{label}: invalid geometry ({reason}); repair it (e.g. in QGIS: Fix geometries), or use --on-invalid fix"


def row_not_lonlat(row: int) -> str:
    """Return the error of a row whose coordinates are not longitude/latitude once converted."""
    return f"row {row}: coordinates are not longitude/latitude after conversion; check the CRS (--crs)"
