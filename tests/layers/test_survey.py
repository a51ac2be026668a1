"""界址点 tables: X is the northing; one polygon per parcel; rings by 圈号; swapped tables caught."""

from __future__ import annotations

import pandas as pd
import pytest
from shapely import Polygon

from redline.layers.survey import find_parcel_columns, is_survey_txt, parcels_from_table, read_survey_txt
from redline.zones.errors import CRSError, SiteError
from tests.layers._zones import all_of


def _table(rows, columns=("地块号", "点号", "圈号", "X", "Y")) -> pd.DataFrame:
    return pd.DataFrame([[str(v) for v in r] for r in rows], columns=list(columns))


# a 100 m x 60 m parcel with a 20 m square hole, in zone-36 Gauss-Kruger metres (Y has the zone number)
_N, _E = 2_460_000.0, 36_560_000.0
PARCEL = [
    ("A", "J1", 1, _N, _E),
    ("A", "J2", 1, _N, _E + 100),
    ("A", "J3", 1, _N + 60, _E + 100),
    ("A", "J4", 1, _N + 60, _E),
    ("A", "J1", 1, _N, _E),  # the closing point, as surveyors list it
    ("A", "K1", 2, _N + 20, _E + 40),
    ("A", "K2", 2, _N + 20, _E + 60),
    ("A", "K3", 2, _N + 40, _E + 60),
    ("A", "K4", 2, _N + 40, _E + 40),  # not closed: closed automatically
    ("B", "J1", 1, _N + 200, _E),
    ("B", "J2", 1, _N + 200, _E + 50),
    ("B", "J3", 1, _N + 250, _E + 25),
]


def test_one_polygon_per_parcel_with_x_as_northing():
    parcels = parcels_from_table(_table(PARCEL), source="jzd.csv")
    assert parcels.ids == ["A", "B"] and parcels.errors == [None, None] and not parcels.geographic
    a, b = parcels.geoms
    assert a.is_valid and len(a.interiors) == 1
    assert a.area == pytest.approx(100 * 60 - 20 * 20)
    assert a.bounds == (_E, _N, _E + 100, _N + 60)  # (easting, northing): Y is x, X is y
    assert b.equals(Polygon([(_E, _N + 200), (_E + 50, _N + 200), (_E + 25, _N + 250)]))
    assert parcels.rows == [list(range(9)), [9, 10, 11]]


def test_points_keep_the_table_order():
    bow = [("A", "J1", 1, 0, 0), ("A", "J2", 1, 10, 10), ("A", "J3", 1, 0, 10), ("A", "J4", 1, 10, 0)]
    rows = [(p, n, r, _N + x, _E + y) for p, n, r, x, y in bow]
    (geom,) = parcels_from_table(_table(rows)).geoms
    assert not geom.is_valid  # a bow-tie stays a bow-tie: the on_invalid policy decides, not the reader


@pytest.mark.parametrize(
    ("x", "y"),
    [(_E, _N), (560_000.0, _N), (108.6, 22.2)],
    ids=["prefixed-easting-in-X", "easting-in-X", "longitude-in-X"],
)
def test_swapped_table_is_refused(x, y):
    rows = [("A", f"J{i}", 1, x + dx, y + dy) for i, (dx, dy) in enumerate([(0, 0), (1e-3, 0), (0, 1e-3)])]
    with pytest.raises(SiteError, match=all_of("jzd.csv", "look swapped", "X is the northing", "swap")):
        parcels_from_table(_table(rows), source="jzd.csv")


def test_degrees_read_x_as_latitude():
    rows = [("A", "J1", 1, 22.20, 108.60), ("A", "J2", 1, 22.20, 108.61), ("A", "J3", 1, 22.21, 108.61)]
    parcels = parcels_from_table(_table(rows))
    assert parcels.geographic
    assert parcels.geoms[0].bounds == (108.60, 22.20, 108.61, 22.21)


def test_fewer_than_three_points_is_that_parcels_error():
    rows = [*PARCEL[9:], ("C", "J1", 1, _N + 500, _E), ("C", "J2", 1, _N + 500, _E + 10), ("C", "J1", 1, _N + 500, _E)]
    parcels = parcels_from_table(_table(rows))
    assert parcels.errors[0] is None
    assert parcels.geoms[1] is None
    assert parcels.errors[1] == "parcel C: ring 1 has 2 distinct point(s) (J1, J2); a boundary needs at least 3"


def test_hole_outside_the_parcel_is_refused():
    rows = [*PARCEL[:4], ("A", "K1", 2, _N + 500, _E), ("A", "K2", 2, _N + 500, _E + 9), ("A", "K3", 2, _N + 509, _E)]
    parcels = parcels_from_table(_table(rows))
    assert parcels.geoms[0] is None
    assert "ring 2 is not inside ring 1" in parcels.errors[0] and "地块号" in parcels.errors[0]


def test_non_numbers_name_the_point_and_row():
    rows = [*PARCEL[9:11], ("B", "J3", 1, "n/a", _E)]
    parcels = parcels_from_table(_table(rows))
    assert parcels.errors == ["parcel B: X/Y of point(s) J3 (row 4) are not numbers"]


def test_without_parcel_or_ring_columns_the_table_is_one_ring():
    df = _table([r[1:2] + r[3:] for r in PARCEL[:5]], columns=("点号", "X坐标(m)", "Y坐标(m)"))
    parcels = parcels_from_table(df, default_id="site-1")
    assert parcels.ids == ["site-1"]
    assert parcels.geoms[0].area == pytest.approx(6000)


@pytest.mark.parametrize(
    ("columns", "roles"),
    [
        (["点号", "X", "Y"], {"point": "点号", "x": "X", "y": "Y"}),
        (["JZD", "x坐标", "y坐标", "圈号", "地块编号"], {"point": "JZD", "ring": "圈号", "parcel": "地块编号"}),
        (["点名", "纵坐标", "横坐标", "地块名称"], {"x": "纵坐标", "y": "横坐标", "parcel_name": "地块名称"}),
        (["界址点号", "X（m）", "Y（m）"], {"point": "界址点号", "x": "X（m）", "y": "Y（m）"}),
    ],
)
def test_column_names(columns, roles):
    found = find_parcel_columns(columns)
    for role, column in roles.items():
        assert found[role] == column


# --- the 勘测定界 exchange format -------------------------------------------------------------------

EXCHANGE = """[属性描述]
格式版本号=1.01版本
数据产生单位=某勘测院
坐标系=2000国家大地坐标系
几度分带=3
投影类型=高斯克吕格
计量单位=米
带号=36
精度=0.001
[地块坐标]
5,0.6000,DK01,武利厂区,面,,工业用地,,@
J1,1,{n0},{e0}
J2,1,{n0},{e1}
J3,1,{n1},{e1}
J4,1,{n1},{e0}
J1,1,{n0},{e0}
4,0.1200,DK02,仓库,面,,工业用地,,@
J1,1,{n2},{e0}
J2,1,{n2},{e1}
J3,1,{n3},{e0}
J1,1,{n2},{e0}
"""


def _exchange(tmp_path, encoding="gbk", **fmt):
    values = {"n0": _N, "n1": _N + 60, "n2": _N + 200, "n3": _N + 240, "e0": _E, "e1": _E + 100, **fmt}
    path = tmp_path / "红线.txt"
    path.write_bytes(EXCHANGE.format(**values).encode(encoding))
    return path


def test_exchange_format_is_read_with_its_declared_crs(tmp_path):
    path = _exchange(tmp_path)
    assert is_survey_txt(path)
    df, declared, attrs = read_survey_txt(path)
    assert declared == "CGCS2000-GK3-36" and attrs["带号"] == "36"
    assert list(df["地块号"].unique()) == ["DK01", "DK02"] and df["地块名称"].iloc[0] == "武利厂区"
    parcels = parcels_from_table(df)
    assert parcels.ids == ["DK01", "DK02"]
    assert parcels.geoms[0].area == pytest.approx(6000)


def test_exchange_format_without_zone_number_gets_the_central_meridian(tmp_path):
    path = _exchange(tmp_path, encoding="utf-8", e0=_E - 36e6, e1=_E - 36e6 + 100)
    _, declared, _ = read_survey_txt(path)
    assert declared == "CGCS2000-GK3-CM108"


def test_exchange_format_with_a_bad_zone_is_refused(tmp_path):
    path = _exchange(tmp_path, e0=99_560_000, e1=99_560_100)
    path.write_text(path.read_text("gbk").replace("带号=36", "带号=99"), "gbk")
    with pytest.raises(CRSError, match=all_of("带号=99", "Gauss-Kruger zone; give crs")) as info:
        read_survey_txt(path)
    assert info.value.param == "crs" and info.value.render({"crs": "--crs"}).endswith("give --crs")


def test_plain_text_tables_are_not_the_exchange_format(tmp_path):
    path = tmp_path / "sites.txt"
    path.write_text("lon,lat\n109.3,22.3\n", "utf-8")
    assert not is_survey_txt(path)
