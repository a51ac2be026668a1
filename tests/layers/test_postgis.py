"""Zone layers from PostGIS (layers/postgis.py), against a real throwaway server on a loopback port."""

from __future__ import annotations

import socket

import pyogrio
import pytest
import shapely

from redline.layers import load_layerset, sample_dir
from redline.layers.postgis import parse_postgres_url, postgis_fingerprint, read_postgis_layer
from redline.zones.errors import LayerError
from tests._postgres import add_password_role, cluster, fresh_database, load_frame

SAMPLE = sample_dir()


def _file(name: str, **kwargs):
    return pyogrio.read_dataframe(SAMPLE / name, **kwargs)


# --- the URL, no server needed ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["postgresql://gis:s3cret-pw@db.local:5433/zones", "postgresql://gis@db.local/zones?password=s3cret-pw"]
)
def test_a_url_with_a_password_is_refused_without_repeating_it(url):
    with pytest.raises(LayerError) as caught:
        read_postgis_layer(url, table="public.zones", layer="layers[0] (ecological_redline)")
    err = caught.value
    assert err.param == "layers"
    assert "s3cret-pw" not in str(err) and "s3cret-pw" not in str(err.value)
    assert "layers[0] (ecological_redline)" in str(err) and "password_env" in str(err)
    assert "postgresql://gis@db.local" in str(err)


def test_the_server_label_never_carries_a_password_and_other_schemes_are_refused():
    assert parse_postgres_url("postgres://u@h:1/d").label == "postgresql://u@h:1/d"
    assert parse_postgres_url("postgresql:///zones").label == "postgresql://localhost/zones"
    with pytest.raises(LayerError, match="not a PostgreSQL URL"):
        parse_postgres_url("mysql://u@h/d")


# --- a server with the sample's layers ---------------------------------------------------------------


@pytest.fixture(scope="module")
def pg() -> str:
    url = fresh_database("layers")
    load_frame(url, "zones.redline", _file("ecological_redline.geojson"), srid=4490, geom_type="Polygon")
    load_frame(url, "public.water_source", _file("water_source.gpkg", layer="zones"), srid=4490)
    load_frame(url, "public.farmland", _file("basic_farmland.fgb"), srid=4546, geom_type="Polygon")
    no_srid = _file("livestock_ban.fgb")
    load_frame(url, "public.no_srid", no_srid, srid=0)
    db = cluster()
    name = url.rsplit("/", 1)[1]
    db.psql("CREATE TABLE public.two_geoms AS SELECT *, ST_Centroid(geom) AS centre FROM zones.redline", name)
    db.psql("CREATE TYPE zone_level AS ENUM ('national', 'provincial')", name)
    db.psql(
        "CREATE TABLE public.typed AS SELECT \"HXBH\", 'provincial'::zone_level AS level, 450722::numeric AS code, "
        "1.5::numeric(4, 2) AS ratio, now()::date AS surveyed, geom FROM zones.redline",
        name,
    )
    return url


def test_rows_and_geometries_read_back_equal_the_files(pg):
    layers = load_layerset("sample")
    for table, name, kwargs, layer_no in (
        ("zones.redline", "ecological_redline.geojson", {}, 0),
        ("water_source", "water_source.gpkg", {"layer": "zones"}, 1),
    ):
        gdf, meta = read_postgis_layer(pg, table=table)
        source = _file(name, **kwargs)
        attrs = [c for c in source.columns if c != "geometry"]
        assert list(gdf.columns) == [*attrs, "geometry"]
        assert meta.crs == "EPSG:4490" and gdf.crs.to_epsg() == 4490 and meta.rows == len(source)
        for column in attrs:
            assert gdf[column].tolist() == source[column].tolist(), column
        assert shapely.equals_exact(gdf.geometry.values, source.geometry.values, tolerance=0).all()
        # and the same geometry as the normalised layer the file gives
        assert shapely.equals_exact(gdf.geometry.values, layers.layers[layer_no].gdf.geometry.values, 0).all()
        assert meta.server.startswith("postgresql://postgres@127.0.0.1:") and meta.geometry_column == "geom"


def test_the_crs_comes_from_the_srid_of_the_geometry_column(pg):
    gdf, meta = read_postgis_layer(pg, table="public.farmland", columns=["TBBH", "ZLDWMC"])
    source = _file("basic_farmland.fgb")
    assert (meta.srid, meta.crs, gdf.crs.to_epsg()) == (4546, "EPSG:4546", 4546)
    assert list(gdf.columns) == ["TBBH", "ZLDWMC", "geometry"]
    assert gdf["TBBH"].tolist() == source["TBBH"].tolist()
    assert shapely.equals_exact(gdf.geometry.values, source.geometry.values, tolerance=0).all()


def test_a_query_is_a_source_and_its_srid_is_read_off_the_rows(pg):
    gdf, meta = read_postgis_layer(
        pg, sql='SELECT "HXBH", geom AS shape FROM zones.redline WHERE "HXLX" = \'核心保护区\' ORDER BY "HXBH";'
    )
    source = _file("ecological_redline.geojson")
    core = source[source["HXLX"] == "核心保护区"].sort_values("HXBH")
    assert gdf["HXBH"].tolist() == core["HXBH"].tolist() and len(core) > 0
    assert (meta.source, meta.geometry_column, meta.crs) == ("sql", "shape", "EPSG:4490")
    # the query runs as written: % and braces are not placeholders
    like, _ = read_postgis_layer(pg, sql="SELECT '{x}' AS t, geom FROM zones.redline WHERE \"HXBH\" LIKE 'HX450721%'")
    assert len(like) == 2 and set(like["t"]) == {"{x}"}


def test_column_types_come_as_plain_python_values(pg):
    gdf, _ = read_postgis_layer(pg, table="typed")
    row = gdf.iloc[0]
    assert (row["level"], row["code"], row["ratio"]) == ("provincial", 450722, 1.5)
    assert type(row["code"]) is not float and row["surveyed"].year >= 2024


def test_the_fingerprint_is_the_servers_digest_of_the_content(pg):
    db, name = cluster(), pg.rsplit("/", 1)[1]
    first = postgis_fingerprint(pg, table="zones.redline")
    assert first.startswith("postgis-sha256:") and len(first) == len("postgis-sha256:") + 64
    assert postgis_fingerprint(pg, table="zones.redline") == first
    assert read_postgis_layer(pg, table="zones.redline")[1].fingerprint == first
    # rewriting rows as they are (new row versions, another physical order) changes nothing
    db.psql('UPDATE zones.redline SET "MJ" = "MJ"', name)
    db.psql("VACUUM FULL zones.redline", name)
    assert postgis_fingerprint(pg, table="zones.redline") == first
    # one polygon moved by 10 m: another fingerprint; put back (the row now last): the first again
    db.psql("CREATE TABLE zones.redline_before AS SELECT * FROM zones.redline", name)
    db.psql("UPDATE zones.redline SET geom = ST_Translate(geom, 0.0001, 0) WHERE \"HXBH\" = 'HX450722-001'", name)
    assert postgis_fingerprint(pg, table="zones.redline") != first
    db.psql(
        "UPDATE zones.redline r SET geom = b.geom FROM zones.redline_before b "
        'WHERE r."HXBH" = b."HXBH" AND r."HXBH" = \'HX450722-001\'',
        name,
    )
    assert read_postgis_layer(pg, table="zones.redline")[0]["HXBH"].iloc[-1] == "HX450722-001"
    assert postgis_fingerprint(pg, table="zones.redline") == first
    # an attribute that is read counts; one that is not read does not
    cols = ["HXBH", "HXLX"]
    before = postgis_fingerprint(pg, table="zones.redline", columns=cols)
    db.psql("UPDATE zones.redline SET \"SJSM\" = 'changed' WHERE \"HXBH\" = 'HX450722-002'", name)
    assert postgis_fingerprint(pg, table="zones.redline", columns=cols) == before
    db.psql("UPDATE zones.redline SET \"HXLX\" = '调整中' WHERE \"HXBH\" = 'HX450722-002'", name)
    assert postgis_fingerprint(pg, table="zones.redline", columns=cols) != before


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _error(url: str, **kwargs) -> LayerError:
    with pytest.raises(LayerError) as caught:
        read_postgis_layer(url, layer="layers[3] (basic_farmland)", **kwargs)
    err = caught.value
    assert err.param == "layers" and str(err).startswith("layers[3] (basic_farmland): ")
    return err


def test_an_unreachable_server_names_the_layer_the_server_and_the_fix():
    port = _free_port()
    err = _error(f"postgresql://gis@127.0.0.1:{port}/zones", table="public.farmland")
    assert f"postgresql://gis@127.0.0.1:{port}/zones" in str(err)
    assert f"check that the server runs and accepts connections at 127.0.0.1:{port}" in str(err)


def test_missing_tables_columns_and_srids_are_explained(pg):
    assert "table 'public.nothing' does not exist" in str(_error(pg, table="public.nothing"))
    err = _error(pg, table="public.farmland", columns=["TBBH", "DLBM"])
    assert "no column 'DLBM'" in str(err) and "TBBH" in str(err) and "id_field" in str(err)
    err = _error(pg, table="public.no_srid")
    assert "has no SRID (0)" in str(err) and "UpdateGeometrySRID" in str(err)
    err = _error(pg, sql="SELECT ST_SetSRID(geom, 0) AS g FROM zones.redline")
    assert "has no SRID (0)" in str(err) and "ST_SetSRID" in str(err)
    err = _error(pg, table="public.two_geoms")
    assert "2 geometry columns (geom, centre)" in str(err) and "geometry_column" in str(err)
    centres, _ = read_postgis_layer(pg, table="public.two_geoms", geometry_column="centre", columns=["HXBH"])
    assert set(centres.geom_type) == {"Point"}
    assert "is not a geometry column" in str(_error(pg, table="public.two_geoms", geometry_column="HXBH"))
    assert "fix `sql:`" in str(_error(pg, sql="SELEC nothing"))
    assert "either `table:`" in str(_error(pg))
    err = _error(pg, table="public.farmland", password_env="REDLINE_TEST_NO_SUCH_VARIABLE")
    assert "'REDLINE_TEST_NO_SUCH_VARIABLE'" in str(err) and "is not set" in str(err)


def test_the_password_comes_from_the_environment_and_never_shows(pg, monkeypatch, tmp_path):
    add_password_role(pg, "zone_reader", "right-horse-battery")
    reader = pg.replace("postgresql://postgres@", "postgresql://zone_reader@")
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "none"))
    monkeypatch.setenv("ZONES_PW", "wrong-staple-1234")
    err = _error(reader, table="public.farmland", password_env="ZONES_PW")
    assert "wrong-staple-1234" not in str(err) and "right-horse-battery" not in str(err)
    assert "check the user name and the database name in the URL, and the password" in str(err)
    assert "zone_reader@127.0.0.1" in str(err)
    monkeypatch.setenv("ZONES_PW", "right-horse-battery")
    gdf, meta = read_postgis_layer(reader, table="public.farmland", password_env="ZONES_PW")
    assert len(gdf) == meta.rows > 0 and "right-horse-battery" not in repr(meta)
    monkeypatch.delenv("ZONES_PW")
    monkeypatch.setenv("PGPASSWORD", "right-horse-battery")
    assert postgis_fingerprint(reader, table="public.farmland") == meta.fingerprint
    monkeypatch.delenv("PGPASSWORD")
    passfile = tmp_path / "pgpass"
    passfile.write_text("127.0.0.1:*:*:zone_reader:right-horse-battery\n")
    passfile.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    assert postgis_fingerprint(reader, table="public.farmland") == meta.fingerprint
