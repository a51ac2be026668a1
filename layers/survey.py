"""界址点 tables: parcel boundaries listed point by point, as surveyors deliver them.

A table (CSV/XLSX) has one row per boundary point: 点号 (point name, e.g. J1), X, Y, and
optionally 圈号 (ring number) and 地块号 / 地块名称 (parcel).  As in all Chinese surveying,
**X is the northing and Y the easting** (Y usually carries the Gauss-Kruger zone number:
38 512 345.678).  Each parcel becomes one polygon: 圈号 1 is its outer boundary, higher
numbers are holes; rings close automatically; the points keep the table's order.

The exchange format of land surveys (国土资源部 勘测定界 ``.txt``: ``[属性描述]`` with
坐标系, 几度分带, 带号, then ``[地块坐标]`` with one ``…,地块编号,地块名称,…,@`` line per parcel
followed by ``点号,圈号,X,Y`` lines) is read too, and its declared CRS is used.

A table whose X looks like an easting and Y like a northing is refused: the columns are
swapped, and silently swapping them back would hide a mistake elsewhere in the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from redline.layers.crs import CRS_ALIASES
from redline.zones.errors import CRSError, RedlineError, SiteError, param_ref

__all__ = [
    "PARCEL_FIELDS",
    "Parcels",
    "find_parcel_columns",
    "is_survey_txt",
    "parcels_from_table",
    "read_survey_txt",
]

#: Column names of 界址点 tables (compared lower-case, without spaces and units like "(m)").
PARCEL_FIELDS: dict[str, tuple[str, ...]] = {
    "point": ("点号", "界址点号", "界址点", "点名", "jzd", "jzdh", "jzdbh", "point", "point_id", "pt"),
    "x": ("x", "x坐标", "纵坐标", "纵坐标x", "x纵坐标", "北坐标", "northing"),
    "y": ("y", "y坐标", "横坐标", "横坐标y", "y横坐标", "东坐标", "easting"),
    "ring": ("圈号", "环号", "圈", "ring", "qh", "quanhao"),
    "parcel": ("地块号", "地块编号", "宗地号", "宗地编号", "地块代码", "dkh", "dkbh", "parcel", "parcel_id"),
    "parcel_name": ("地块名称", "宗地名称", "地块名", "dkmc", "parcel_name"),
}


def _norm(name: str) -> str:
    text = re.sub(r"[\s_]+", "", str(name).strip().lower())
    return re.sub(r"[(（\[/][^)）\]]*[)）\]]?$", "", text)  # "X坐标(m)", "Y（米）", "x/m"


def find_parcel_columns(columns: list[str]) -> dict[str, str | None]:
    """Return ``{role: column}`` for the 界址点 roles found (None where absent)."""
    normalised = {_norm(c): c for c in reversed(columns)}
    return {
        role: next((normalised[n] for n in names if n in normalised), None) for role, names in PARCEL_FIELDS.items()
    }


@dataclass
class Parcels:
    """Parcels built from a 界址点 table.

    Attributes
    ----------
    ids : list of str
        One per parcel (地块号, else 地块名称, else the default id).
    names : list of str
        地块名称 where given.
    geoms : numpy.ndarray of object
        Polygons in the table's projected coordinates (easting, northing); None on error.
    errors : list of str or None
        Why a parcel could not be built.
    rows : list of list of int
        The table rows (0-based) of each parcel, for its other attributes.
    geographic : bool
        True when X/Y hold latitude/longitude rather than metres.
    """

    ids: list[str]
    names: list[str]
    geoms: np.ndarray
    errors: list[str | None]
    rows: list[list[int]]
    geographic: bool = False


def _numbers(series: pd.Series) -> np.ndarray:
    text = series.astype(str).str.strip().str.replace(r"[\s,，]", "", regex=True)
    return pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)


def _layout(xs: np.ndarray, ys: np.ndarray, where: str, x_col: str, y_col: str) -> bool:
    """Check that X is a northing and Y an easting (or X latitude, Y longitude); return True for degrees."""
    ok = np.isfinite(xs) & np.isfinite(ys)
    if not ok.any():
        return False
    x, y = float(np.median(xs[ok])), float(np.median(ys[ok]))
    if 3 <= x <= 54 and 73 <= y <= 136:
        return True
    easting_like = 1.0e5 <= x <= 9.0e5 or 1.3e7 <= x < 4.6e7
    northing_like = 1.0e6 <= y <= 6.1e6
    if (easting_like and northing_like) or (73 <= x <= 136 and 3 <= y <= 54):
        x_zh = "横坐标（东坐标）" if easting_like else "经度"
        y_zh = "纵坐标（北坐标）" if northing_like else "纬度"
        raise SiteError(
            f"{where}: the columns look swapped: {x_col} (median {x:,.3f}) looks like an "
            f"{'easting' if easting_like else 'longitude'} and {y_col} (median {y:,.3f}) like a "
            f"{'northing' if northing_like else 'latitude'}, but in a 界址点 table X is the northing (纵坐标) and "
            "Y the easting (横坐标, usually with the zone number in front); swap the two column names and run again",
            zh=f"{where}：两列看起来对调了：{x_col}（中位数 {x:,.3f}）像{x_zh}，{y_col}（中位数 {y:,.3f}）像{y_zh}；"
            "但界址点表中 X 是纵坐标，"
            "Y 是横坐标（前面通常带有带号）；请对调这两列的列名后重新运行",
        )
    return False


def parcels_from_table(df: pd.DataFrame, *, source: str = "table", default_id: str = "1") -> Parcels:
    """Build one polygon per parcel from a 界址点 table.

    Parameters
    ----------
    df : pandas.DataFrame
        Text cells, as :func:`layers.tables.read_table` returns them.
    source : str
        The file name, for messages.
    default_id : str
        The parcel id when the table has no 地块号 / 地块名称 column.

    Returns
    -------
    Parcels

    Raises
    ------
    SiteError
        When X/Y columns are missing or look swapped.
    """
    cols = find_parcel_columns(list(df.columns))
    if cols["x"] is None or cols["y"] is None:
        raise SiteError(
            f"{source}: a 界址点 table needs X (northing) and Y (easting) columns; the columns are "
            f"{', '.join(map(str, df.columns))}",
            zh=f"{source}：界址点表须有 X（纵坐标）和 Y（横坐标）两列；现有的列为 {'、'.join(map(str, df.columns))}",
        )
    xs, ys = _numbers(df[cols["x"]]), _numbers(df[cols["y"]])
    geographic = _layout(xs, ys, source, cols["x"], cols["y"])
    id_col = cols["parcel"] or cols["parcel_name"]
    keys = df[id_col].astype(str).str.strip().to_numpy() if id_col else np.full(len(df), default_id, dtype=object)
    points = (
        df[cols["point"]].astype(str).str.strip().to_numpy()
        if cols["point"]
        else np.array([f"row {i + 2}" for i in range(len(df))], dtype=object)
    )
    rings = df[cols["ring"]].astype(str).str.strip().to_numpy() if cols["ring"] else np.full(len(df), "1", dtype=object)
    order: dict[str, list[int]] = {}
    for i, key in enumerate(keys):
        if not key and not (np.isfinite(xs[i]) or np.isfinite(ys[i])):
            continue  # a blank line
        order.setdefault(key, []).append(i)
    ids, names, geoms, errors, rows = [], [], [], [], []
    for key, idx in order.items():
        ids.append(key or default_id)
        names.append(str(df[cols["parcel_name"]].iloc[idx[0]]).strip() if cols["parcel_name"] else "")
        rows.append(idx)
        try:
            geoms.append(_parcel_polygon(idx, xs, ys, rings, points))
            errors.append(None)
        except ValueError as exc:
            geoms.append(None)
            errors.append(f"parcel {key or default_id}: {exc}")
    out = np.empty(len(geoms), dtype=object)
    out[:] = geoms
    return Parcels(ids, names, out, errors, rows, geographic)


def _ring_number(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return float("inf")


def _parcel_polygon(idx, xs, ys, rings, points):
    bad = [i for i in idx if not (np.isfinite(xs[i]) and np.isfinite(ys[i]))]
    if bad:
        listed = ", ".join(f"{points[i]} (row {i + 2})" for i in bad[:5])
        raise ValueError(f"X/Y of point(s) {listed} are not numbers")
    by_ring: dict[str, list[int]] = {}
    for i in idx:
        by_ring.setdefault(rings[i] or "1", []).append(i)
    numbers = sorted(by_ring, key=_ring_number)
    built = []
    for number in numbers:
        members = by_ring[number]
        coords = [(ys[i], xs[i]) for i in members]  # (easting, northing) / (lon, lat)
        names = [points[i] for i in members]
        keep = [0] + [k for k in range(1, len(coords)) if coords[k] != coords[k - 1]]
        coords, names = [coords[k] for k in keep], [names[k] for k in keep]
        if len(coords) > 1 and coords[-1] == coords[0]:
            coords, names = coords[:-1], names[:-1]
        if len(set(coords)) < 3:
            raise ValueError(
                f"ring {number} has {len(set(coords))} distinct point(s) ({', '.join(names)}); a boundary needs at "
                "least 3"
            )
        built.append((number, coords))
    exterior = shapely.Polygon(built[0][1])
    holes = []
    for number, coords in built[1:]:
        hole = shapely.Polygon(coords)
        if exterior.is_valid and hole.is_valid and not exterior.contains(hole):
            raise ValueError(
                f"ring {number} is not inside ring {built[0][0]}: 圈号 {built[0][0]} is the outer boundary and "
                "higher numbers are holes; give each separate piece its own 地块号"
            )
        holes.append(coords)
    return shapely.Polygon(built[0][1], holes)


# --- the 勘测定界 exchange format ------------------------------------------------------------------

_TXT_DATUMS = {"2000": "CGCS2000", "西安": "XIAN80", "80": "XIAN80", "北京": "BEIJING54", "54": "BEIJING54"}


def is_survey_txt(path: str | Path) -> bool:
    """Return True for a text file in the 勘测定界 exchange format (``[属性描述]`` / ``[地块坐标]``)."""
    path = Path(path)
    if path.suffix.lower() != ".txt":
        return False
    with open(path, "rb") as f:  # only the head: a big table is not read here
        head = f.read(4096)
    return any(tag.encode(enc) in head for tag in ("[地块坐标]", "[属性描述]") for enc in ("utf-8", "gb18030"))


def _txt_lines(path: Path) -> list[str]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding).splitlines()
        except UnicodeDecodeError:
            continue
    raise SiteError(
        f"{path.name}: text is neither UTF-8 nor GBK/GB18030",
        zh=f"{path.name}：文本既不是 UTF-8 也不是 GBK/GB18030 编码",
    )


def _declared_crs(attrs: dict[str, str], ys: np.ndarray, where: str) -> str | None:
    system = attrs.get("坐标系", "")
    datum = next((name for key, name in _TXT_DATUMS.items() if key in system), None)
    width = attrs.get("几度分带", "").strip()
    zone = attrs.get("带号", "").strip()
    if not (datum and width in ("3", "6") and zone.isdigit()):
        return None
    z = int(zone)
    ok = ys[np.isfinite(ys)]
    prefixed = bool(len(ok)) and float(np.median(ok)) >= 1e7
    if prefixed:
        name = f"{datum}-GK{width}-{z}"
    else:
        cm = z * 3 if width == "3" else z * 6 - 3
        name = f"{datum}-GK{width}-CM{cm}"
    if name not in CRS_ALIASES:
        raise CRSError(
            f"{where}: 坐标系={system}, 几度分带={width}, 带号={zone} name no Gauss-Kruger zone; "
            f"give {param_ref('crs')}",
            param="crs",
            value=None,
            zh=f"{where}：坐标系={system}、几度分带={width}、带号={zone} 不对应任何高斯-克吕格投影带；"
            f"请用 {param_ref('crs')} 指定坐标系",
        )
    return name


def read_survey_txt(path: str | Path) -> tuple[pd.DataFrame, str | None, dict[str, str]]:
    """Read a 勘测定界 exchange-format ``.txt`` into a 界址点 table.

    Returns
    -------
    (DataFrame, str or None, dict)
        Columns 地块号, 地块名称, 点号, 圈号, X, Y (text); the CRS the file declares
        (a name such as ``CGCS2000-GK3-38``) or None; and the ``[属性描述]`` entries.

    Raises
    ------
    RedlineError
        For a file with no ``[地块坐标]`` points.
    """
    path = Path(path)
    section = ""
    attrs: dict[str, str] = {}
    records: list[dict[str, str]] = []
    parcel = {"地块号": "", "地块名称": ""}
    n_parcels = 0
    for line in _txt_lines(path):
        text = line.strip()
        if not text:
            continue
        if text.startswith("[") and text.endswith("]"):
            section = text[1:-1]
            continue
        if section == "属性描述" and "=" in text:
            key, _, value = text.partition("=")
            attrs[key.strip()] = value.strip()
        elif section == "地块坐标":
            cells = [c.strip() for c in re.split(r"[,，]", text)]
            if cells[-1] == "@":
                n_parcels += 1
                pid = cells[2] if len(cells) > 2 and cells[2] else str(n_parcels)
                parcel = {"地块号": pid, "地块名称": cells[3] if len(cells) > 3 else ""}
            elif len(cells) >= 4:
                records.append({**parcel, "点号": cells[0], "圈号": cells[1], "X": cells[2], "Y": cells[3]})
    if not records:
        raise RedlineError(
            f"{path.name}: no boundary points under [地块坐标]; expected lines such as J1,1,X,Y",
            zh=f"{path.name}：[地块坐标] 下没有界址点；应有 J1,1,X,Y 这样的行",
        )
    df = pd.DataFrame(records, columns=["地块号", "地块名称", "点号", "圈号", "X", "Y"])
    if not df["地块号"].astype(bool).any():
        df["地块号"] = "1"
    declared = _declared_crs(attrs, _numbers(df["Y"]), path.name)
    return df, declared, attrs
