"""DXF drawings of a 用地红线: closed polylines (with arcs), circles and hatches become polygons."""

from __future__ import annotations

import math

import ezdxf
import pytest
import shapely

from redline.layers import load_layerset
from redline.layers.cad import read_dxf
from redline.zones.errors import LayerError, ManifestError
from tests.layers._zones import all_of, write_manifest

E0, N0 = 560_000.0, 2_460_000.0  # CGCS2000 3-degree GK, CM 108E: near 108.58E 22.24N


def drawing(tmp_path, build, name="site.dxf"):
    doc = ezdxf.new("R2010")
    build(doc.modelspace())
    path = tmp_path / name
    doc.saveas(path)
    return path


def _square(msp, layer="红线", size=100.0, dx=0.0, **kw):
    pts = [(E0 + dx, N0), (E0 + dx + size, N0), (E0 + dx + size, N0 + size), (E0 + dx, N0 + size)]
    return msp.add_lwpolyline(pts, close=True, dxfattribs={"layer": layer, **kw})


def test_closed_polyline_is_a_polygon(tmp_path):
    gdf = read_dxf(drawing(tmp_path, _square))
    assert gdf.crs is None
    assert list(gdf.columns) == ["name", "handle", "entity", "geometry"]
    (row,) = gdf.itertuples()
    assert (row.name, row.entity) == ("红线", "LWPOLYLINE")
    assert row.geometry.equals(shapely.box(E0, N0, E0 + 100, N0 + 100))


def test_bulges_are_arcs_within_5_cm(tmp_path):
    def build(msp):  # a 100 m square whose top edge bulges out as a half circle (bulge 1)
        pts = [(E0, N0, 0, 0, 0), (E0 + 100, N0, 0, 0, 0), (E0 + 100, N0 + 100, 0, 0, 1), (E0, N0 + 100, 0, 0, 0)]
        msp.add_lwpolyline(pts, format="xyseb", close=True, dxfattribs={"layer": "红线"})

    (geom,) = read_dxf(drawing(tmp_path, build)).geometry
    assert geom.area == pytest.approx(100 * 100 + math.pi * 50**2 / 2, rel=2e-3)
    assert geom.bounds[3] == pytest.approx(N0 + 150, abs=0.05)


def test_open_polyline_that_returns_to_its_start_counts_as_closed(tmp_path):
    def build(msp):
        msp.add_lwpolyline([(E0, N0), (E0 + 50, N0), (E0 + 50, N0 + 50), (E0, N0)], dxfattribs={"layer": "红线"})

    (geom,) = read_dxf(drawing(tmp_path, build)).geometry
    assert geom.area == pytest.approx(1250)


def test_hatch_with_a_hole_and_a_circle(tmp_path):
    def build(msp):
        hatch = msp.add_hatch(dxfattribs={"layer": "红线"})
        hatch.paths.add_polyline_path([(E0, N0), (E0 + 100, N0), (E0 + 100, N0 + 100), (E0, N0 + 100)], is_closed=True)
        hatch.paths.add_polyline_path(
            [(E0 + 40, N0 + 40), (E0 + 60, N0 + 40), (E0 + 60, N0 + 60), (E0 + 40, N0 + 60)], is_closed=True
        )
        msp.add_circle((E0 + 300, N0), 10, dxfattribs={"layer": "红线"})

    gdf = read_dxf(drawing(tmp_path, build))
    hatch, circle = gdf.geometry
    assert list(gdf.entity) == ["HATCH", "CIRCLE"]
    assert hatch.area == pytest.approx(100 * 100 - 20 * 20) and len(hatch.interiors) == 1
    assert circle.area == pytest.approx(math.pi * 100, abs=2 * math.pi * 10 * 0.05)  # chords within 5 cm


def test_shapes_on_several_layers_need_the_layer_named(tmp_path):
    def build(msp):
        _square(msp, "红线")
        _square(msp, "建筑", size=10, dx=20)
        _square(msp, "建筑", size=10, dx=40)

    path = drawing(tmp_path, build)
    with pytest.raises(LayerError, match=all_of("site.dxf", "2 drawing layers", "建筑 (2)", "红线 (1)")) as info:
        read_dxf(path)
    assert info.value.param == "layer" and str(info.value).endswith("with layer (for a layer set: `layer:`)")
    assert info.value.render({"layer": "--layer"}).endswith("with --layer (for a layer set: `layer:`)")
    assert len(read_dxf(path, layers="红线")) == 1
    assert len(read_dxf(path, layers=["建筑"])) == 2
    with pytest.raises(LayerError, match=all_of("no closed shapes on layer 道路", "红线 (1)")):
        read_dxf(path, layers="道路")


def test_drawing_without_closed_shapes_says_why(tmp_path):
    def build(msp):
        msp.add_lwpolyline([(E0, N0), (E0 + 50, N0), (E0 + 50, N0 + 50)], dxfattribs={"layer": "红线"})
        msp.add_line((E0, N0), (E0 + 1, N0))

    with pytest.raises(LayerError, match=all_of("no closed polylines", "1 open polyline(s) on 红线", "PEDIT")):
        read_dxf(drawing(tmp_path, build))


def test_dwg_and_garbage_are_refused(tmp_path):
    dwg = tmp_path / "site.dwg"
    dwg.write_bytes(b"AC1032")
    with pytest.raises(LayerError, match="save the drawing as DXF"):
        read_dxf(dwg)
    bad = tmp_path / "bad.dxf"
    bad.write_text("not a drawing", "utf-8")
    with pytest.raises(LayerError, match=r"bad\.dxf"):
        read_dxf(bad)


def test_dxf_layer_needs_a_crs_and_loads_with_one(tmp_path):
    path = drawing(tmp_path, _square, name="farmland.dxf")
    entry = {"kind": "basic_farmland", "path": path.name, "id_field": "handle", "name_field": "name"}
    with pytest.raises(
        ManifestError, match=all_of("farmland.dxf", "no CRS (a CAD drawing carries none)", "Gauss-Kruger", "crs:")
    ):
        load_layerset(write_manifest(tmp_path, [entry]))
    (layer,) = load_layerset(write_manifest(tmp_path, [{**entry, "crs": "CGCS2000-GK3-CM108"}])).layers
    assert layer.source_crs == "EPSG:4545 (manifest)"
    zone = layer.gdf.iloc[0]
    assert zone.zone_name == "红线"
    assert 108.5 < zone.geometry.centroid.x < 108.7 and 22.1 < zone.geometry.centroid.y < 22.4
