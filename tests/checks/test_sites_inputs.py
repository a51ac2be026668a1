"""Site inputs beyond lon,lat: DMS text, 界址点 tables, KML/KMZ, DXF drawings, encodings, on_invalid."""

from __future__ import annotations

import zipfile

import ezdxf
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer
from shapely import Point, Polygon, box

from redline.checks.sites.reader import parse_site_text, read_sites, sites_center, sites_from_geometries
from redline.layers.webcoords import wgs84_to_gcj02
from redline.zones.errors import CRSError, SiteError
from tests.checks.test_sites import as_flag, raises_naming
from tests.layers._zones import all_of

TO_GK36 = Transformer.from_crs("EPSG:4490", "EPSG:4524", always_xy=True)
TO_GK_CM108 = Transformer.from_crs("EPSG:4490", "EPSG:4545", always_xy=True)

# --- text -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "108°39'12.5\"E 22°10'03\"N",
        "22°10'03\"N, 108°39'12.5\"E",
        "N22°10′03″ E108°39′12.5″",
        "108度39分12.5秒,22度10分3秒",
        "东经108°39′12.5″，北纬22°10′03″",
        "北纬22度10分3秒 东经108度39分12.5秒",
        "108.6534722E, 22.1675N",
    ],
)
def test_dms_text_in_every_common_form(text):
    geom, crs = parse_site_text(text)
    assert crs == "EPSG:4490"
    assert geom.x == pytest.approx(108 + 39 / 60 + 12.5 / 3600, abs=1e-7)
    assert geom.y == pytest.approx(22 + 10 / 60 + 3 / 3600, abs=1e-7)


def test_dms_without_hemispheres_in_lat_lon_order_is_detected():
    with pytest.warns(UserWarning, match="read as latitude,longitude"):
        geom, _ = parse_site_text("22度10分3秒,108度39分12.5秒")
    assert geom.x == pytest.approx(108.6534722, abs=1e-6)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("108°75'12\"E 22°10'N", "75 minutes is not below 60"),
        ("108°39'61\"E 22°10'N", "61 seconds is not below 60"),
        ("108°39'E 22°10'E", "both coordinates are marked as longitudes"),
    ],
)
def test_malformed_dms_is_refused(text, message):
    with pytest.raises(SiteError, match=message):
        parse_site_text(text)


def test_dms_with_a_projected_crs_is_refused():
    with raises_naming(SiteError, r"in degrees, but --crs EPSG:4545 is projected; drop --crs or fix it", "crs"):
        parse_site_text("108°39'12.5\"E 22°10'03\"N", crs="EPSG:4545")


def test_dms_copied_from_a_web_map_is_converted():
    glon, glat = (float(v) for v in wgs84_to_gcj02(108.65, 22.17))
    d, m = int(glon), (glon - int(glon)) * 60
    d2, m2 = int(glat), (glat - int(glat)) * 60
    geom, crs = parse_site_text(f"{d}°{m:.6f}'E {d2}°{m2:.6f}'N", crs="gcj02")
    assert crs == "gcj02"
    assert geom.x == pytest.approx(108.65, abs=1e-6) and geom.y == pytest.approx(22.17, abs=1e-6)


def test_projected_text_written_northing_first_is_detected():
    e, n = TO_GK_CM108.transform(108.6, 22.2)
    with pytest.warns(UserWarning, match=r"read as northing \(X\),easting \(Y\)"):
        geom, crs = parse_site_text(f"{n:.3f},{e:.3f}", crs="CGCS2000-GK3-CM108")
    assert crs == "EPSG:4545"
    assert geom.x == pytest.approx(108.6, abs=1e-7) and geom.y == pytest.approx(22.2, abs=1e-7)


def test_projected_text_without_crs_proposes_the_central_meridian_of_the_layers():
    e, n = TO_GK_CM108.transform(108.6, 22.2)
    with raises_naming(SiteError, all_of("look like EPSG:4545", "central meridian 108E", "--crs EPSG:4545"), "text"):
        parse_site_text(f"{e:.1f},{n:.1f}", near=(108.5, 22.0))


def test_projected_wkt_without_crs_is_refused_with_a_guess():
    e, n = TO_GK36.transform(108.6, 22.2)
    wkt = box(e, n, e + 100, n + 100).wkt
    with raises_naming(SiteError, all_of("not longitude/latitude", "EPSG:4524", "--crs"), "text"):
        parse_site_text(wkt)
    geom, crs = parse_site_text(wkt, crs="CGCS2000-GK3-36")
    assert crs == "EPSG:4524" and geom.centroid.x == pytest.approx(108.6, abs=1e-3)


def test_legacy_datum_crs_warns_about_the_datum_shift():
    with pytest.warns(UserWarning, match=all_of("crs: Xian 1980", "tens of metres")) as caught:
        geom, crs = parse_site_text("560000,2460000", crs="XIAN80-GK3-CM108")
    (warning,) = [w.message for w in caught if "Xian 1980" in str(w.message)]
    assert warning.render(as_flag).startswith("--crs: Xian 1980 to CGCS2000")
    assert crs == "EPSG:2381" and 108 < geom.x < 109


# --- on_invalid for text ----------------------------------------------------------------------

BOW_TIE_WKT = "POLYGON ((109.30 22.30, 109.31 22.31, 109.31 22.30, 109.30 22.31, 109.30 22.30))"
UNCLOSED_WKT = "POLYGON ((109.30 22.30, 109.31 22.30, 109.31 22.31, 109.30 22.31))"


@pytest.mark.parametrize("policy", ["raise", "warn"])
def test_invalid_text_site_is_refused_unless_fixed(policy):
    with raises_naming(SiteError, all_of("invalid geometry (Self-intersection", "--on-invalid fix"), "text"):
        parse_site_text(BOW_TIE_WKT, on_invalid=policy)
    with raises_naming(SiteError, all_of("ring is not closed", "--on-invalid fix"), "text"):
        parse_site_text(UNCLOSED_WKT, on_invalid=policy)


def test_invalid_text_site_is_repaired_with_fix():
    with pytest.warns(UserWarning, match=r"repaired with make_valid \(Self-intersection"):
        geom, _ = parse_site_text(BOW_TIE_WKT, on_invalid="fix")
    assert geom.geom_type == "MultiPolygon" and geom.is_valid
    with pytest.warns(UserWarning, match=r"repaired with make_valid \(ring not closed\)"):
        geom, _ = parse_site_text(UNCLOSED_WKT, on_invalid="fix")
    assert geom.equals(box(109.30, 22.30, 109.31, 22.31))


def test_unknown_policy_is_refused():
    with pytest.raises(SiteError, match="on_invalid 'repair' is not one of raise, warn, fix"):
        parse_site_text("109.3,22.3", on_invalid="repair")


# --- on_invalid for files: rows, never the batch ----------------------------------------------


def _bad_rows_csv(tmp_path):
    path = tmp_path / "s.csv"
    pd.DataFrame(
        {
            "id": ["ok", "bow", "open", "empty"],
            "wkt": [box(109.3, 22.2, 109.31, 22.21).wkt, BOW_TIE_WKT, UNCLOSED_WKT, "POLYGON EMPTY"],
        }
    ).to_csv(path, index=False)
    return path


def test_raise_keeps_invalid_rows_as_errors(tmp_path):
    sites, _ = read_sites(_bad_rows_csv(tmp_path))
    assert sites["status"].tolist() == ["ok", "error", "error", "error"]
    assert "Self-intersection" in sites.loc[1, "error"] and "--on-invalid fix" in sites.loc[1, "error"]
    assert "ring not closed" in sites.loc[2, "error"]
    assert "empty geometry" in sites.loc[3, "error"]
    assert sites["note"].tolist() == ["", "", "", ""]


def test_warn_keeps_them_as_errors_and_warns_once(tmp_path):
    with pytest.warns(UserWarning, match=all_of("2 site(s) with invalid geometry kept as error rows", "bow", "open")):
        sites, _ = read_sites(_bad_rows_csv(tmp_path), on_invalid="warn")
    assert sites["status"].tolist() == ["ok", "error", "error", "error"]


def test_fix_repairs_and_notes_it(tmp_path):
    with pytest.warns(UserWarning, match=all_of("repaired 2 site geometries", "bow (Self-intersection", "open (ring")):
        sites, _ = read_sites(_bad_rows_csv(tmp_path), on_invalid="fix")
    assert sites["status"].tolist() == ["ok", "ok", "ok", "error"]  # empty stays an error under every policy
    assert sites.loc[1, "note"].startswith("repaired: Self-intersection")
    assert sites.loc[2, "note"] == "repaired: ring not closed"
    assert sites.geometry.iloc[1].geom_type == "MultiPolygon" and sites.geometry.iloc[:3].is_valid.all()
    assert sites.geometry.iloc[2].equals(box(109.30, 22.30, 109.31, 22.31))


def test_unclosed_ring_in_a_vector_file(tmp_path):
    path = tmp_path / "s.geojson"
    path.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"site_id":"open"},'
        '"geometry":{"type":"Polygon","coordinates":[[[109.3,22.3],[109.31,22.3],[109.31,22.31],[109.3,22.31]]]}}]}',
        "utf-8",
    )
    sites, _ = read_sites(path)
    assert sites.loc[0, "status"] == "error" and "ring not closed" in sites.loc[0, "error"]
    with pytest.warns(UserWarning, match="repaired 1 site geometry"):
        sites, _ = read_sites(path, on_invalid="fix")
    assert sites.loc[0, "status"] == "ok" and sites.loc[0, "note"] == "repaired: ring not closed"


def test_sites_from_geometries_applies_the_policy():
    with pytest.warns(UserWarning, match="repaired 1"):
        sites = sites_from_geometries([shapely.from_wkt(BOW_TIE_WKT)], "EPSG:4490", on_invalid="fix")
    assert sites.loc[0, "status"] == "ok"


# --- tables: DMS cells and swapped columns ----------------------------------------------------


def test_table_cells_in_dms(tmp_path):
    path = tmp_path / "s.csv"
    pd.DataFrame({"id": ["a"], "经度": ["108°39'12.5\""], "纬度": ["22度10分3秒"]}).to_csv(path, index=False)
    sites, _ = read_sites(path)
    assert sites.geometry.iloc[0].x == pytest.approx(108.6534722, abs=1e-6)


def test_swapped_lon_lat_columns_are_refused_and_swapped_rows_flagged(tmp_path):
    path = tmp_path / "s.csv"
    pd.DataFrame({"id": ["a", "b"], "lon": [22.2, 22.3], "lat": [109.3, 109.4]}).to_csv(path, index=False)
    with pytest.raises(SiteError, match="the columns 'lon' and 'lat' look swapped"):
        read_sites(path)
    pd.DataFrame({"id": ["a", "b"], "lon": [109.3, 22.3], "lat": [22.2, 109.4]}).to_csv(path, index=False)
    sites, _ = read_sites(path)
    assert sites["status"].tolist() == ["ok", "error"]
    assert "look swapped" in sites.loc[1, "error"]


# --- 界址点 tables ------------------------------------------------------------------------------

TRUTH_A = Polygon([(108.600, 22.200), (108.604, 22.200), (108.604, 22.203), (108.600, 22.203)])
TRUTH_B = Polygon([(108.610, 22.210), (108.612, 22.210), (108.611, 22.212)])


def _jzd_rows(transformer=TO_GK36):
    rows = []
    for pid, name, poly in (("DK01", "厂区", TRUTH_A), ("DK02", "仓库", TRUTH_B)):
        for k, (lon, lat) in enumerate(poly.exterior.coords):
            e, n = transformer.transform(lon, lat)
            rows.append({"地块号": pid, "地块名称": name, "点号": f"J{k + 1}", "圈号": "1", "X": n, "Y": e})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_jzd_table_yields_one_site_per_parcel(tmp_path, suffix):
    df = _jzd_rows().assign(行业代码=["C3360", "", "", "", "", "", "", "", ""])
    path = tmp_path / f"jzd.{suffix}"
    if suffix == "csv":
        df.to_csv(path, index=False, encoding="gbk")
    else:
        df.to_excel(path, index=False)
    sites, crs = read_sites(path, crs="CGCS2000-GK3-36")
    assert crs == "EPSG:4524"
    assert sites["site_id"].tolist() == ["DK01", "DK02"]
    assert sites["name"].tolist() == ["厂区", "仓库"]
    assert sites["status"].tolist() == ["ok", "ok"]
    assert sites.loc[0, "industry"] == "C3360"
    for got, want in zip(sites.geometry, (TRUTH_A, TRUTH_B), strict=True):
        assert got.geom_type == "Polygon"
        assert shapely.hausdorff_distance(got, want) < 1e-8  # the right parcel, in the right place


def test_jzd_table_without_crs_is_refused_with_the_zone(tmp_path):
    path = tmp_path / "jzd.csv"
    _jzd_rows().to_csv(path, index=False)
    with raises_naming(CRSError, all_of("jzd.csv", "界址点", "EPSG:4524", "zone 36", "--crs EPSG:4524"), "crs"):
        read_sites(path)


def test_jzd_table_without_zone_number_proposes_from_the_layers(tmp_path):
    path = tmp_path / "jzd.csv"
    _jzd_rows(TO_GK_CM108).to_csv(path, index=False)
    with pytest.raises(CRSError, match=all_of("EPSG:4545", "central meridian 108E", "the layers")):
        read_sites(path, near=(108.6, 22.2))


def test_swapped_jzd_table_is_caught(tmp_path):
    path = tmp_path / "jzd.csv"
    df = _jzd_rows()
    df[["X", "Y"]] = df[["Y", "X"]].to_numpy()
    df.to_csv(path, index=False)
    with pytest.raises(SiteError, match=all_of("jzd.csv", "columns look swapped", "X is the northing")):
        read_sites(path, crs="CGCS2000-GK3-36")


def test_jzd_parcel_errors_are_rows(tmp_path):
    path = tmp_path / "jzd.csv"
    df = _jzd_rows()
    df = df[~((df["地块号"] == "DK02") & (df["点号"] == "J2"))]  # DK02 left with 2 distinct points
    df.to_csv(path, index=False)
    sites, _ = read_sites(path, crs="EPSG:4524")
    assert sites["status"].tolist() == ["ok", "error"]
    assert sites.loc[1, "error"].startswith("parcel DK02: ring 1 has 2 distinct point(s)")


def test_survey_exchange_txt_uses_its_declared_crs(tmp_path):
    lines = ["[属性描述]", "坐标系=2000国家大地坐标系", "几度分带=3", "带号=36", "[地块坐标]"]
    for pid, poly in (("DK01", TRUTH_A), ("DK02", TRUTH_B)):
        coords = list(poly.exterior.coords)
        lines.append(f"{len(coords)},0.1,{pid},{pid}名称,面,,,,@")
        for k, (lon, lat) in enumerate(coords):
            e, n = TO_GK36.transform(lon, lat)
            lines.append(f"J{k + 1},1,{n:.3f},{e:.3f}")
    path = tmp_path / "kcdj.txt"
    path.write_text("\n".join(lines) + "\n", encoding="gb18030")
    sites, crs = read_sites(path)
    assert crs == "EPSG:4524 (CGCS2000-GK3-36, declared in the file)"
    assert sites["site_id"].tolist() == ["DK01", "DK02"] and sites["name"].tolist() == ["DK01名称", "DK02名称"]
    assert shapely.hausdorff_distance(sites.geometry.iloc[0], TRUTH_A) < 1e-7


# --- KML / KMZ --------------------------------------------------------------------------------

KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>项目</name>
<Folder><name>红线</name>
<Placemark><name>地块A</name><Polygon><outerBoundaryIs><LinearRing><coordinates>
{a}</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>
<Placemark><name>取水口</name><Point><coordinates>108.62,22.22,0</coordinates></Point></Placemark>
</Folder>
<Folder><name>其他</name>
<Placemark><name>两块</name><MultiGeometry>
<Polygon><outerBoundaryIs><LinearRing><coordinates>{b}</coordinates></LinearRing></outerBoundaryIs></Polygon>
<Polygon><outerBoundaryIs><LinearRing><coordinates>{c}</coordinates></LinearRing></outerBoundaryIs></Polygon>
</MultiGeometry></Placemark>
</Folder></Document></kml>
"""


def _kml_coords(poly, forward=None):
    coords = np.array(poly.exterior.coords)
    if forward:
        coords = np.column_stack(forward(coords[:, 0], coords[:, 1]))
    return " ".join(f"{float(x)!r},{float(y)!r},0" for x, y in coords)


def _kml_text(forward=None):
    b2 = shapely.affinity.translate(TRUTH_B, 0.01)
    return KML.format(a=_kml_coords(TRUTH_A, forward), b=_kml_coords(TRUTH_B, forward), c=_kml_coords(b2, forward))


@pytest.mark.parametrize("kind", ["kml", "kmz"])
def test_kml_and_kmz_every_placemark_of_every_folder(tmp_path, kind):
    path = tmp_path / f"project.{kind}"
    if kind == "kml":
        path.write_text(_kml_text(), "utf-8")
    else:
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("doc.kml", _kml_text())
    sites, crs = read_sites(path)
    assert crs == "EPSG:4326"
    assert sites["name"].tolist() == ["地块A", "取水口", "两块"]
    assert sites["site_id"].tolist() == ["1", "2", "3"]
    assert sites["status"].tolist() == ["ok", "ok", "ok"]
    a, point, two = sites.geometry
    assert a.equals(TRUTH_A) and not a.has_z
    assert point.equals(Point(108.62, 22.22))
    assert two.geom_type == "MultiPolygon" and len(two.geoms) == 2  # KML MultiGeometry of polygons
    only, _ = read_sites(path, layer="其他")
    assert only["name"].tolist() == ["两块"]
    with pytest.raises(SiteError, match=all_of("no folder (layer) '道路'", "红线", "其他")):
        read_sites(path, layer="道路")


def test_kml_drawn_on_a_gcj02_map_is_converted_with_crs(tmp_path):
    path = tmp_path / "gcj.kml"
    path.write_text(_kml_text(forward=wgs84_to_gcj02), "utf-8")
    sites, crs = read_sites(path, crs="gcj02")
    assert crs == "gcj02"
    assert shapely.hausdorff_distance(sites.geometry.iloc[0], TRUTH_A) < 1e-8


def test_broken_kmz_is_refused(tmp_path):
    path = tmp_path / "broken.kmz"
    path.write_text("no zip", "utf-8")
    with pytest.raises(SiteError, match=r"broken\.kmz: not a KMZ"):
        read_sites(path)


# --- DXF --------------------------------------------------------------------------------------


def _dxf(tmp_path):
    doc = ezdxf.new("R2010")
    msp = doc.modelspace()
    for poly in (TRUTH_A, TRUTH_B):
        pts = [TO_GK_CM108.transform(lon, lat) for lon, lat in list(poly.exterior.coords)[:-1]]
        msp.add_lwpolyline(pts, close=True, dxfattribs={"layer": "用地红线"})
    path = tmp_path / "redline.dxf"
    doc.saveas(path)
    return path


def test_dxf_without_crs_is_refused_with_a_guess(tmp_path):
    with raises_naming(
        CRSError, all_of("drawing 'redline.dxf' has no CRS (CAD drawings carry none)", "EPSG:4545", "--crs"), "crs"
    ):
        read_sites(_dxf(tmp_path), near=(108.6, 22.2))


def test_dxf_closed_polylines_are_sites(tmp_path):
    sites, crs = read_sites(_dxf(tmp_path), crs="CGCS2000-GK3-CM108", industry="C3360")
    assert crs == "EPSG:4545"
    assert sites["status"].tolist() == ["ok", "ok"] and sites["name"].tolist() == ["用地红线", "用地红线"]
    for got, want in zip(sites.geometry, (TRUTH_A, TRUTH_B), strict=True):
        assert shapely.hausdorff_distance(got, want) < 1e-8


# --- shapefile sites without .cpg, and where the sites are -------------------------------------


def test_gbk_site_shapefile_without_cpg_is_detected(tmp_path):
    gdf = gpd.GeoDataFrame(
        {"site_id": ["a"], "项目名称": ["武利电镀厂"]}, geometry=[Point(109.3, 22.2)], crs="EPSG:4490"
    )
    path = tmp_path / "s.shp"
    gdf.to_file(path, encoding="GBK")
    path.with_suffix(".cpg").unlink(missing_ok=True)
    sites, _ = read_sites(path)
    assert sites.loc[0, "name"] == "武利电镀厂"
    assert sites.attrs["encoding"].startswith("gbk (detected: no .cpg")


def test_sites_center():
    sites = sites_from_geometries([Point(108.0, 22.0), Point(109.0, 23.0), None], "EPSG:4490")
    assert sites_center(sites) == (108.5, 22.5)
    assert sites_center(sites.iloc[2:]) is None


# --- sites and layers placing each other's missing CRS ----------------------------------------


def _layer_without_prj(folder):
    from tests.layers._zones import write_manifest

    gdf = gpd.GeoDataFrame({"ZID": ["F1"]}, geometry=[TRUTH_A], crs="EPSG:4490").to_crs("EPSG:4545")
    folder.mkdir()
    path = folder / "farmland.shp"
    gdf.to_file(path)
    path.with_suffix(".prj").unlink()
    return write_manifest(folder, [{"kind": "basic_farmland", "path": path.name, "id_field": "ZID"}])


def test_sites_place_the_proposal_for_a_layer_without_crs(tmp_path):
    from redline.checks.sites.reader import read_sites_and_layers
    from redline.zones.errors import ManifestError

    manifest = _layer_without_prj(tmp_path / "layers")
    sites_path = tmp_path / "s.csv"
    pd.DataFrame({"id": ["a"], "lon": [108.60], "lat": [22.20]}).to_csv(sites_path, index=False)
    with pytest.raises(ManifestError, match=all_of("farmland.shp", "look like EPSG:4545", "from the sites")):
        read_sites_and_layers(sites_path, manifest)


def test_layers_place_the_proposal_for_sites_without_crs(tmp_path):
    from redline.checks.sites.reader import read_sites_and_layers
    from tests.conftest import write_layerset

    manifest = write_layerset(tmp_path / "layers", {"basic_farmland": [("F1", "", TRUTH_A)]})
    sites_path = tmp_path / "jzd.csv"
    _jzd_rows(TO_GK_CM108).to_csv(sites_path, index=False)
    with pytest.raises(CRSError, match=all_of("EPSG:4545", "central meridian 108E", "the layers")):
        read_sites_and_layers(sites_path, manifest)
    sites, crs, layerset = read_sites_and_layers(sites_path, manifest, crs="EPSG:4545")
    assert crs == "EPSG:4545" and sites["status"].tolist() == ["ok", "ok"] and layerset.kinds == ["basic_farmland"]


def test_declared_site_encoding_wins(tmp_path):
    gdf = gpd.GeoDataFrame({"site_id": ["a"], "name": ["武利"]}, geometry=[Point(109.3, 22.2)], crs="EPSG:4490")
    path = tmp_path / "s.shp"
    gdf.to_file(path, encoding="GBK")
    path.with_suffix(".cpg").unlink(missing_ok=True)
    sites, _ = read_sites(path, encoding="gbk")
    assert sites.loc[0, "name"] == "武利" and "encoding" not in sites.attrs


def test_the_sites_are_asked_only_when_a_layer_waits_for_them(tmp_path):
    from redline.checks.sites.reader import load_layers_placed_by_sites
    from redline.zones.errors import ManifestError
    from tests.conftest import write_layerset

    asked = []

    def center():
        asked.append(True)
        return (108.6, 22.2)

    broken = write_layerset(tmp_path / "broken", {"basic_farmland": [("F1", "", TRUTH_A)]})
    broken.write_text(broken.read_text("utf-8").replace("basic_farmland", "farmland"), "utf-8")
    with pytest.raises(ManifestError, match="farmland"):
        load_layers_placed_by_sites(broken, center)
    assert not asked  # a mistake in the manifest: the sites cannot help, and are not read
    with pytest.raises(ManifestError, match=all_of("farmland.shp", "look like EPSG:4545", "from the sites")):
        load_layers_placed_by_sites(_layer_without_prj(tmp_path / "noprj"), center)
    assert asked == [True]


def test_invalid_rows_warning_names_the_option_per_interface(tmp_path):
    with pytest.warns(UserWarning, match="use on_invalid fix to repair them") as caught:
        read_sites(_bad_rows_csv(tmp_path), on_invalid="warn")
    (warning,) = [w.message for w in caught if "kept as error rows" in str(w.message)]
    assert warning.render(as_flag).endswith("; use --on-invalid fix to repair them")
