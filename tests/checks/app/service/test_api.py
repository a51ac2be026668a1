"""The service's JSON API through the ASGI test client: every endpoint, every error code, known answers.

Known answers come from the sample sites (layers/sample/data/sites.geojson: each site with its
expected verdict and rule) and from ``redline batch`` run on the same files.
"""

from __future__ import annotations

import html
import io
import json
import re
import zipfile

import pyogrio
import pytest
import shapely
from pyproj import Transformer

from redline.checks.app.cli import main as cli_main
from redline.layers import sample_dir
from redline.layers.webcoords import gcj02_to_bd09, wgs84_to_gcj02
from redline.zones.labels import kind_label, relation_label
from redline.zones.tags import TAGS
from redline.zones.verdicts import VERDICTS

from .conftest import make_client, wait_job

SAMPLE = json.loads((sample_dir() / "sites.geojson").read_text("utf-8"))["features"]
S01 = "109.4015,22.4923"  # in the 一级保护区 SY450721-WL-1: H6210 is prohibited by WS01


def assert_error(response, status: int, field: str | None, pattern: str = ""):
    assert response.status_code == status, response.text
    body = response.json()
    # message: the English text; message_zh: its Chinese, when the library gives one (the page shows it)
    assert set(body) == {"error"}, body
    assert {"field", "message"} <= set(body["error"]) <= {"field", "message", "message_zh"}, body
    assert body["error"]["field"] == field, body
    assert re.search(pattern, body["error"]["message"]), body["error"]["message"]
    assert "Traceback" not in response.text and 'File "' not in response.text


# --------------------------------------------------------------------------- service and reference endpoints


def test_healthz_page_static_and_openapi(client, sample_layers):
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "version": health.json()["version"], "layerset": sample_layers.name}
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    leaflet = client.get("/static/leaflet/leaflet.js")
    assert leaflet.status_code == 200 and "Leaflet" in leaflet.text[:500]
    assert client.get("/static/leaflet/images/marker-icon.png").status_code == 200
    assert_error(client.get("/static/no-such-file.js"), 404, None)
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/healthz",
        "/api/layers",
        "/api/zones",
        "/api/industries",
        "/api/tags",
        "/api/check",
        "/api/checks/{check_id}/{name}",
        "/api/batch",
        "/api/jobs/{job_id}",
        "/api/jobs/{job_id}/files/{name}",
    ):
        assert path in paths, path
        for operation in paths[path].values():
            assert operation["summary"] and operation["description"], path
    assert {"CheckRequest", "CheckResponse", "ErrorResponse", "JobStatus"} <= set(schema["components"]["schemas"])
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert client.get("/docs").status_code == 200


def test_unknown_address_and_method_are_json_errors(client):
    assert_error(client.get("/api/nothing"), 404, None, "no such address: /api/nothing")
    assert_error(client.delete("/api/check"), 405, None, "DELETE is not allowed")


def test_layers_describe_the_sample_without_geometry(client, sample_layers):
    body = client.get("/api/layers").json()
    assert body["name"] == sample_layers.name
    assert body["illustrative"] is True and "illustrative" in body["notice"]
    assert body["buffer_m"] == 1000
    assert body["catalogs"].keys() == {"national", "qinzhou_pilot"}
    minx, miny, maxx, maxy = body["bounds"]
    assert minx < body["center"][0] < maxx and miny < body["center"][1] < maxy
    assert [layer["kind"] for layer in body["layers"]] == [layer.kind for layer in sample_layers.layers]
    water = next(layer for layer in body["layers"] if layer["kind"] == "water_source")
    assert water["kind_label"] == "饮用水水源保护区"
    assert water["source"] == "water_source.gpkg:zones"
    assert water["features"] == len(sample_layers.zones("water_source"))
    assert set(water["classes"]) == {"first", "second", "quasi"}
    assert sum(water["classes"].values()) == water["features"]
    assert water["confidential"] is False
    assert "coordinates" not in json.dumps(body)
    english = client.get("/api/layers?lang=en").json()
    assert next(la["kind_label"] for la in english["layers"] if la["kind"] == "water_source") != water["kind_label"]
    assert_error(client.get("/api/layers?lang=fr"), 422, "lang")


def test_zones_in_a_bbox(client, sample_layers):
    bbox = (109.39, 22.48, 109.41, 22.50)
    body = client.get("/api/zones", params={"bbox": ",".join(map(str, bbox))}).json()
    assert body["type"] == "FeatureCollection" and body["truncated"] is False and body["confidential"] is False
    expected = set()
    for layer in (layer for layer in sample_layers.layers if not layer.confidential):
        hits = layer.gdf[layer.gdf.intersects(shapely.box(*bbox))]
        expected |= {(layer.kind, z) for z in hits["zone_id"]}
    got = {(f["properties"]["kind"], f["properties"]["zone_id"]) for f in body["features"]}
    assert got == expected and ("water_source", "SY450721-WL-1") in got
    feature = next(f for f in body["features"] if f["properties"]["zone_id"] == "SY450721-WL-1")
    assert feature["properties"]["zone_class"] == "first"
    zone = sample_layers.zones("water_source").set_index("zone_id").geometry["SY450721-WL-1"]
    assert shapely.from_geojson(json.dumps(feature["geometry"])).equals_exact(zone, 1e-12)

    only = client.get("/api/zones", params={"bbox": ",".join(map(str, bbox)), "kind": "water_source"}).json()
    assert {f["properties"]["kind"] for f in only["features"]} == {"water_source"}
    capped = client.get("/api/zones", params={"limit": 3}).json()
    assert len(capped["features"]) == 3 and capped["truncated"] is True
    everything = client.get("/api/zones", params={"limit": 50_000}).json()
    public = [layer for layer in sample_layers.layers if not layer.confidential]
    assert len(everything["features"]) == sum(len(layer.gdf) for layer in public)


@pytest.mark.parametrize(
    ("params", "status", "field", "pattern"),
    [
        ({"bbox": "1,2,3"}, 400, "bbox", "not four numbers"),
        ({"bbox": "a,b,c,d"}, 400, "bbox", "not four numbers"),
        ({"bbox": "110,22,109,23"}, 400, "bbox", "minx must be <= maxx"),
        ({"bbox": "nan,1,2,3"}, 400, "bbox", "not four numbers"),
        ({"kind": "forest"}, 400, "kind", "kind 'forest' is unknown; kinds: ecological_redline"),
        ({"limit": 0}, 422, "limit", "greater than or equal to 1"),
    ],
)
def test_zones_errors(client, params, status, field, pattern):
    assert_error(client.get("/api/zones", params=params), status, field, pattern)


def test_industries_search_as_you_type(client):
    def codes(q, limit=20):
        return [i["code"] for i in client.get("/api/industries", params={"q": q, "limit": limit}).json()["items"]]

    assert codes("电镀")[0] == "C3360"
    assert codes("C336") == ["C336", "C3360"]
    assert codes("3360") == ["C3360"]
    assert codes("c33", 3) == ["C33", "C331", "C3311"]
    pig = client.get("/api/industries", params={"q": "猪的饲养"}).json()["items"][0]
    assert pig == {"code": "A0313", "name": "猪的饲养", "level": "class"}
    assert len(codes("", 50)) == 20  # the 20 sections A..T
    assert codes("饲养", 2) == codes("饲养")[:2]
    assert_error(client.get("/api/industries", params={"limit": 0}), 422, "limit")
    assert_error(client.get("/api/industries", params={"q": "x" * 101}), 422, "q")


def test_tags_and_actions(client):
    zh = client.get("/api/tags").json()
    assert [i["tag"] for i in zh["items"]] == list(TAGS)
    assert zh["items"][0] == {"tag": "water_supply", "label": TAGS["water_supply"][0]}
    assert zh["actions"] == [
        {"action": "new", "label": "新建"},
        {"action": "expand", "label": "扩建"},
        {"action": "rebuild", "label": "改建"},
    ]
    en = client.get("/api/tags?lang=en").json()
    assert en["items"][0]["label"] == TAGS["water_supply"][1]


# --------------------------------------------------------------------------- /api/check


def test_check_known_answer(client):
    response = client.post("/api/check", json={"site": S01, "industry": "H6210", "site_id": "S01", "name": "农家乐"})
    assert response.status_code == 200
    body = response.json()
    assert re.fullmatch(r"[0-9a-f]{32}", body["check_id"])
    assert body["illustrative"] is True and body["notice"]
    site = body["site"]
    assert site["site_id"] == "S01" and site["name"] == "农家乐"
    assert (site["verdict"], site["verdict_label"], site["status"], site["geom_type"]) == (
        "prohibited",
        "禁止",
        "ok",
        "Point",
    )
    assert site["site_area_m2"] is None and site["site_length_m"] is None  # NaN -> null
    assert site["geometry"] == {"type": "Point", "coordinates": [109.4015, 22.4923]}
    first = body["findings"][0]
    assert (first["kind"], first["zone_id"], first["relation"], first["verdict"], first["rule_id"]) == (
        "water_source",
        "SY450721-WL-1",
        "inside",
        "prohibited",
        "WS01",
    )
    assert first["kind_label"] == "饮用水水源保护区" and first["relation_label"] == relation_label("inside")
    assert first["verdict_label"] == "禁止" and first["rule_title"] and first["rule_text"]
    assert first["catalog"] == "national" and first["confidential"] is False
    assert first["geometry"] == {"type": "Point", "coordinates": [109.4015, 22.4923]}  # site ∩ zone
    assert first["overlap_area_m2"] is None and first["distance_m"] == 0
    nearby = [f for f in body["findings"] if f["relation"] == "nearby"]
    assert nearby and all(f["geometry"] is None and f["distance_m"] > 0 for f in nearby)
    units = body["access_lists"]
    assert [u["unit"] for u in units] == [f["zone_id"] for f in body["findings"] if f["kind"] == "control_unit"]
    assert all({"clause_id", "dimension", "text", "verdict", "matched"} == set(c) for u in units for c in u["clauses"])
    base = f"/api/checks/{body['check_id']}"
    assert body["links"] == {"report": f"{base}/report.html", "map": f"{base}/map.html", "docx": f"{base}/report.docx"}


def test_concurrent_checks_each_get_their_own_answer(client):
    from concurrent.futures import ThreadPoolExecutor

    cases = [(S01, "H6210", "prohibited"), ("100.0,30.0", "C3360", "no_coverage")] * 8

    def check(case):
        site, industry, _ = case
        return client.post("/api/check", json={"site": site, "industry": industry}).json()["site"]["verdict"]

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(check, cases)) == [verdict for _, _, verdict in cases]


def _site_input(feature, i: int):
    """The site in one of the forms a client may send: "lon,lat" for points; GeoJSON, a Feature or WKT."""
    geom = shapely.from_geojson(json.dumps(feature["geometry"]))
    if geom.geom_type == "Point" and i % 2 == 0:
        return f"{geom.x},{geom.y}"
    return [feature["geometry"], {"type": "Feature", "geometry": feature["geometry"], "properties": {}}, geom.wkt][
        i % 3
    ]


def test_check_every_sample_site(client):
    """Every sample site (as "lon,lat", GeoJSON, a GeoJSON Feature or WKT): the expected verdict, rule, relations."""
    forms = set()
    for i, feature in enumerate(SAMPLE):
        p = feature["properties"]
        site = _site_input(feature, i)
        forms.add(type(site).__name__ + ("-feature" if isinstance(site, dict) and "geometry" in site else ""))
        body = {"site": site, "industry": p["industry"] or None, "tags": p["tags"], "action": p["action"]}
        answer = client.post("/api/check", json={**body, "site_id": p["site_id"]}).json()
        assert answer["site"]["verdict"] == p["expected_verdict"], (p["site_id"], site)
        rule = answer["findings"][0]["rule_id"] if answer["findings"] else ""
        assert rule == p["expected_rule"], (p["site_id"], site)
        relations = {f"{f['kind']}:{f['relation']}" for f in answer["findings"]}
        assert set(filter(None, p["expected_relations"].split(";"))) <= relations, p["site_id"]
    assert forms == {"str", "dict", "dict-feature"}


def test_the_answer_gives_the_eia_category_of_the_minglu(client):
    # a hotel (K7010) on permanent basic farmland: 名录第97项, 报告表 because it touches a sensitive area
    s21 = next(f for f in SAMPLE if f["properties"]["site_id"] == "S21")
    site = client.post("/api/check", json={"site": s21["geometry"], "industry": "K7010"}).json()["site"]
    assert site["eia_category"] == "form" and site["eia_item"].startswith("名录第97项"), site
    assert "永久基本农田" in site["eia_basis"]


def test_polygon_site_measures_and_overlap_geometry(client):
    s04 = next(f for f in SAMPLE if f["properties"]["site_id"] == "S04")
    p = s04["properties"]
    answer = client.post(
        "/api/check", json={"site": s04["geometry"], "industry": p["industry"], "tags": p["tags"].split(";")}
    ).json()
    site = answer["site"]
    polygon = shapely.from_geojson(json.dumps(s04["geometry"]))
    assert site["geom_type"] == "Polygon" and site["site_area_m2"] > 0 and site["site_length_m"] is None
    overlaps = [f for f in answer["findings"] if f["kind"] == "water_source" and f["relation"] == "overlaps"]
    assert overlaps
    for finding in overlaps:
        part = shapely.from_geojson(json.dumps(finding["geometry"]))
        assert 0 < finding["overlap_ratio"] < 1
        assert polygon.buffer(1e-9).covers(part)


def test_gcj02_and_bd09_input_is_converted(client):
    lon, lat = 109.4015, 22.4923
    glon, glat = (float(v) for v in wgs84_to_gcj02(lon, lat))
    assert abs(glon - lon) > 1e-3  # the offset is hundreds of metres
    answer = client.post("/api/check", json={"site": f"{glon},{glat}", "crs": "gcj02", "industry": "H6210"}).json()
    assert answer["site"]["verdict"] == "prohibited" and answer["findings"][0]["rule_id"] == "WS01"
    x, y = answer["site"]["geometry"]["coordinates"]
    assert abs(x - lon) < 1e-7 and abs(y - lat) < 1e-7
    blon, blat = (float(v) for v in gcj02_to_bd09(glon, glat))
    bd = client.post("/api/check", json={"site": f"{blon},{blat}", "crs": "bd09", "industry": "H6210"}).json()
    x, y = bd["site"]["geometry"]["coordinates"]
    assert abs(x - lon) < 1e-7 and abs(y - lat) < 1e-7
    # the same point taken as GCJ-02 while it is not: moved by the offset, so no longer the same place
    moved = client.post("/api/check", json={"site": S01, "crs": "gcj02"}).json()["site"]["geometry"]["coordinates"]
    assert abs(moved[0] - lon) > 1e-3


def test_projected_crs_input(client):
    x, y = Transformer.from_crs("EPSG:4490", "EPSG:4545", always_xy=True).transform(109.4015, 22.4923)
    answer = client.post("/api/check", json={"site": f"{x:.3f},{y:.3f}", "crs": "EPSG:4545", "industry": "H6210"})
    assert answer.json()["site"]["verdict"] == "prohibited"


def test_english_labels(client):
    answer = client.post("/api/check", json={"site": S01, "industry": "H6210", "lang": "en"}).json()
    assert answer["site"]["verdict_label"] == "prohibited"
    assert answer["findings"][0]["kind_label"] == kind_label("water_source", "en") != kind_label("water_source")
    assert answer["findings"][0]["relation_label"] == relation_label("inside", "en")


@pytest.mark.parametrize(
    ("body", "status", "field", "pattern"),
    [
        ({"site": "nonsense"}, 400, "site", r"neither \"lon,lat\" nor WKT"),
        ({"site": "  "}, 422, "site", "site is empty"),
        ({"site": "100.0,30.0"}, 200, None, ""),
        ({"site": "0,0"}, 400, "site", "outside China"),
        ({"site": {"type": "Point", "coordinates": "x"}}, 400, "site", "not a GeoJSON geometry"),
        ({"site": {"type": "Polygon", "coordinates": []}}, 400, "site", "empty GeoJSON geometry"),
        ({"site": "POLYGON ((109.4 22.4, 109.5 22.5, 109.5 22.4, 109.4 22.5, 109.4 22.4))"}, 400, "site", "invalid"),
        ({"site": S01, "industry": "XX"}, 400, "industry", "industry 'XX' is neither"),
        ({"site": S01, "industry": ["C3360", "饲养"]}, 400, "industry", "matches .* entries"),
        ({"site": S01, "tags": ["water_suply"]}, 400, "tags", "unknown project tag 'water_suply'"),
        ({"site": S01, "tags": "water_supply;nope"}, 400, "tags", "'nope'"),
        ({"site": S01, "crs": "EPSG:999999"}, 400, "crs", ""),
        ({"site": "500000,2500000"}, 400, "site", "not longitude/latitude.* give their CRS with crs "),
        ({"site": S01, "action": "demolish"}, 422, "action", "new.*expand.*rebuild"),
        ({"site": S01, "buffer": -1}, 422, "buffer", "greater than or equal to 0"),
        ({"site": S01, "buffer": 200_000}, 422, "buffer", "less than or equal to 100000"),
        ({"site": S01, "lang": "fr"}, 422, "lang", ""),
        ({"site": S01, "industy": "C3360"}, 422, "industy", "Extra inputs are not permitted"),
        ({"industry": "C3360"}, 422, "site", "Field required"),
        ({"site": 5}, 422, "site", ""),
    ],
)
def test_check_errors_name_the_field(client, body, status, field, pattern):
    response = client.post("/api/check", json=body)
    if status == 200:
        assert response.status_code == 200 and response.json()["site"]["verdict"] == "no_coverage"
        return
    assert_error(response, status, field, pattern)


def test_check_body_over_the_limit(sample_layers, tmp_path):
    with make_client(sample_layers, work_dir=tmp_path, max_upload_bytes=1000) as c:
        huge = {"site": "POINT (109.4 22.4)", "name": "x" * 100_000}
        assert_error(
            c.post("/api/check", json=huge),
            413,
            "body",
            "larger than 66,536 bytes; send large sets of sites to /api/batch",
        )


def test_check_body_that_is_not_json(client):
    bad = client.post("/api/check", content=b"{bad json", headers={"Content-Type": "application/json"})
    assert_error(bad, 422, "body", "JSON decode error")


def test_internal_errors_are_json_without_traceback(sample_layers, tmp_path, monkeypatch):
    import redline.checks.app.service.screening

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals /etc/shadow")

    with make_client(sample_layers, work_dir=tmp_path, raise_server_exceptions=False) as c:
        monkeypatch.setattr(redline.checks.app.service.screening, "check_payload", broken)
        response = c.post("/api/check", json={"site": S01})
    assert_error(response, 500, None, r"^internal error \(details are in the server log\)$")
    assert "secret" not in response.text


def test_check_report_files_are_written_on_first_request(client, work_dir):
    answer = client.post("/api/check", json={"site": S01, "industry": "H6210", "site_id": "S01"}).json()
    folder = work_dir / "checks" / answer["check_id"]
    assert not folder.exists()  # nothing written by the check itself
    html = client.get(answer["links"]["report"])
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "S01" in html.text and "WS01" in html.text
    assert (folder / "report.html").is_file() and not (folder / "map.html").exists()
    again = client.get(answer["links"]["report"])
    assert again.content == html.content
    page = client.get(answer["links"]["map"])
    assert page.status_code == 200 and "leaflet" in page.text.lower()
    docx = client.get(answer["links"]["docx"])
    assert docx.status_code == 200 and docx.headers["content-type"].endswith("wordprocessingml.document")
    with zipfile.ZipFile(io.BytesIO(docx.content)) as zf:
        assert "S01" in zf.read("word/document.xml").decode("utf-8")
    assert_error(client.get(f"/api/checks/{answer['check_id']}/secrets.txt"), 404, "name", "no file 'secrets.txt'")
    assert_error(client.get(f"/api/checks/{'0' * 32}/report.html"), 404, "check_id", "unknown or expired")
    assert_error(client.get("/api/checks/..%2F..%2Fetc/report.html"), 404, None)


def test_old_checks_expire_from_the_lru(sample_layers, tmp_path):
    with make_client(sample_layers, work_dir=tmp_path, check_cache=2) as c:
        ids = [c.post("/api/check", json={"site": S01}).json()["check_id"] for _ in range(2)]
        assert c.get(f"/api/checks/{ids[0]}/map.html").status_code == 200
        assert (tmp_path / "checks" / ids[0] / "map.html").is_file()
        ids.append(c.post("/api/check", json={"site": S01}).json()["check_id"])  # evicts ids[1], used least recently
        assert_error(c.get(f"/api/checks/{ids[1]}/report.html"), 404, "check_id", "unknown or expired")
        ids.append(c.post("/api/check", json={"site": S01}).json()["check_id"])  # evicts ids[0] and its files
        assert_error(c.get(f"/api/checks/{ids[0]}/map.html"), 404, "check_id")
        assert not (tmp_path / "checks" / ids[0]).exists()
        assert c.get(f"/api/checks/{ids[3]}/map.html").status_code == 200


# --------------------------------------------------------------------------- token


def test_token_guards_every_api_call(sample_layers, tmp_path):
    with make_client(sample_layers, work_dir=tmp_path, token="s3cret-Token") as c:
        for response in (
            c.get("/api/layers"),
            c.get("/api/layers", headers={"Authorization": "Bearer wrong"}),
            c.get("/api/layers", headers={"Authorization": "Basic s3cret-Token"}),
            c.get("/api/layers", headers={"Authorization": "s3cret-Token"}),
            c.post("/api/check", json={"site": S01}),
            c.get(f"/api/jobs/{'0' * 32}"),
            c.post("/api/batch", files={"file": ("a.csv", b"x" * 100_000)}),
        ):
            assert_error(response, 401, "Authorization", "Bearer")
            assert response.headers["WWW-Authenticate"] == "Bearer"
        good = {"Authorization": "Bearer s3cret-Token"}
        assert c.get("/api/layers", headers=good).status_code == 200
        assert c.get("/api/layers", headers={"Authorization": "bearer s3cret-Token"}).status_code == 200
        assert c.post("/api/check", json={"site": S01}, headers=good).json()["site"]["verdict"] == "prohibited"
        for open_path in ("/healthz", "/", "/openapi.json", "/docs", "/static/leaflet/leaflet.css"):
            assert c.get(open_path).status_code == 200, open_path
    assert not any((tmp_path / "jobs").iterdir())  # the refused upload wrote nothing


def test_without_token_the_api_is_open(client):
    assert client.get("/api/layers").status_code == 200


# --------------------------------------------------------------------------- batch


def cli_tables(tmp_path, sites_file, *args) -> dict[str, bytes]:
    out = tmp_path / "cli-out"
    assert cli_main(["batch", str(sites_file), "--out", str(out), "--formats", "csv", "--quiet", *args]) == 0
    return {name: (out / name).read_bytes() for name in ("sites.csv", "findings.csv")}


def same_tables(job: dict[str, bytes], cli: dict[str, bytes]) -> bool:
    """The job's tables are the command line's, but for the findings of the confidential forest park.

    The service screens against a confidential layer coarsened to its step (the command line, run
    by whoever holds the layer, against the zones themselves): the park is named for every site
    the command line names it for, with numbers in steps, and for sites within a band of it.
    """
    secret = b'"nature_reserve"'

    def split(table: bytes) -> tuple[list[bytes], set[bytes]]:
        lines = table.split(b"\r\n")
        return [r for r in lines if secret not in r], {r.split(b",")[0] for r in lines if secret in r}

    (job_rows, job_secret), (cli_rows, cli_secret) = split(job["findings.csv"]), split(cli["findings.csv"])
    return job["sites.csv"] == cli["sites.csv"] and job_rows == cli_rows and job_secret >= cli_secret


def job_tables(client, job) -> dict[str, bytes]:
    return {name: client.get(job["files"][name]).content for name in ("sites.csv", "findings.csv")}


def verdicts_of(sites_csv: bytes) -> dict[str, str]:
    import csv

    rows = csv.DictReader(io.StringIO(sites_csv.decode("utf-8-sig")))
    return {r["site_id"]: r["verdict"] for r in rows}


EXPECTED = {f["properties"]["site_id"]: f["properties"]["expected_verdict"] for f in SAMPLE}


def submit(client, name: str, data: bytes, headers=None, **form):
    return client.post("/api/batch", files={"file": (name, data)}, data=form, headers=headers or {})


def test_batch_of_the_sample_geojson_matches_the_cli(client, tmp_path):
    sites_file = sample_dir() / "sites.geojson"
    accepted = submit(client, "sites.geojson", sites_file.read_bytes(), formats="csv")
    assert accepted.status_code == 202
    body = accepted.json()
    assert body["status"] == "queued" and body["links"] == {"self": f"/api/jobs/{body['job_id']}"}
    job = wait_job(client, body["job_id"])
    assert job["status"] == "done", job
    assert job["stage"] == "done" and job["error"] is None and job["finished"]
    assert job["progress"] == {"done": len(SAMPLE), "total": len(SAMPLE)}
    assert set(job["files"]) == {"sites.csv", "findings.csv", "summary.json"}
    tables = job_tables(client, job)
    assert verdicts_of(tables["sites.csv"]) == EXPECTED
    assert same_tables(tables, cli_tables(tmp_path, sites_file))
    counts = {v: list(EXPECTED.values()).count(v) for v in VERDICTS}
    assert counts["no_coverage"] and job["counts"] == {**counts, "error": 0}
    summary = client.get(job["files"]["summary.json"]).json()
    assert summary["n_sites"] == len(SAMPLE) and summary["source"] == "upload.geojson"


def test_batch_of_a_zipped_shapefile_matches_the_cli(client, tmp_path):
    polygons = [f for f in SAMPLE if f["geometry"]["type"] == "Polygon"]
    import geopandas as gpd

    gdf = gpd.GeoDataFrame.from_features(polygons, crs="EPSG:4490")[
        ["site_id", "name", "industry", "tags", "action", "geometry"]
    ]
    folder = tmp_path / "shp"
    folder.mkdir()
    pyogrio.write_dataframe(gdf, folder / "地块.shp", encoding="UTF-8")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for part in sorted(folder.iterdir()):
            zf.write(part, f"红线/{part.name}")
    accepted = submit(client, "../../地块.zip", archive.getvalue(), formats="csv,gpkg")
    assert accepted.status_code == 202, accepted.text
    job = wait_job(client, accepted.json()["job_id"])
    assert job["status"] == "done", job
    assert job["progress"]["total"] == len(polygons)
    tables = job_tables(client, job)
    assert verdicts_of(tables["sites.csv"]) == {
        f["properties"]["site_id"]: EXPECTED[f["properties"]["site_id"]] for f in polygons
    }
    assert same_tables(tables, cli_tables(tmp_path, folder / "地块.shp"))
    gpkg = client.get(job["files"]["results.gpkg"])
    assert gpkg.status_code == 200 and gpkg.content[:16] == b"SQLite format 3\x00"


def test_batch_of_a_csv_with_wkt_and_form_defaults_matches_the_cli(client, tmp_path):
    lines = ["编号,项目名称,行业,wkt"]
    for f in SAMPLE:
        p = f["properties"]
        wkt = shapely.from_geojson(json.dumps(f["geometry"])).wkt
        lines.append(f'{p["site_id"]},{p["name"]},{p["industry"]},"{wkt}"')
    csv_bytes = ("\n".join(lines) + "\n").encode("gbk")
    sites_file = tmp_path / "sites.csv"
    sites_file.write_bytes(csv_bytes)
    form = {
        "id_field": "编号",
        "name_field": "项目名称",
        "industry_field": "行业",
        "encoding": "gbk",
        "tags": "discharges_wastewater",
        "action": "expand",
        "formats": "csv",
        "lang": "en",
    }
    job = wait_job(client, submit(client, "地块清单.CSV", csv_bytes, **form).json()["job_id"])
    assert job["status"] == "done", job
    cli = cli_tables(
        tmp_path,
        sites_file,
        "--id-field",
        "编号",
        "--name-field",
        "项目名称",
        "--industry-field",
        "行业",
        "--encoding",
        "gbk",
        "--tag",
        "discharges_wastewater",
        "--action",
        "expand",
        "--lang",
        "en",
    )
    assert same_tables(job_tables(client, job), cli)
    assert set(verdicts_of(cli["sites.csv"])) == set(EXPECTED)


def test_batch_with_every_output_format(client):
    """Two jobs at once, every format: their report maps are drawn one at a time (matplotlib's fonts are global)."""
    ids = [
        submit(client, "few.json", collection).json()["job_id"]
        for collection in (
            json.dumps({"type": "FeatureCollection", "features": SAMPLE[:1]}).encode(),
            json.dumps({"type": "FeatureCollection", "features": SAMPLE[12:13]}).encode(),
        )
    ]
    jobs = [wait_job(client, job_id) for job_id in ids]
    assert [j["status"] for j in jobs] == ["done", "done"], jobs
    job = jobs[0]
    assert set(job["files"]) == {
        "sites.csv",
        "findings.csv",
        "results.gpkg",
        "report.html",
        "map.html",
        "report.docx",
        "results.xlsx",
        "summary.json",
    }
    types = {name: client.get(url).headers["content-type"] for name, url in job["files"].items()}
    assert types["sites.csv"].startswith("text/csv") and types["report.html"].startswith("text/html")
    assert types["results.xlsx"].endswith("spreadsheetml.sheet") and types["summary.json"] == "application/json"
    assert_error(client.get(f"/api/jobs/{job['job_id']}/files/job.json"), 404, "name", "has no file 'job.json'")
    assert_error(client.get(f"/api/jobs/{job['job_id']}/files/..%2Fjob.json"), 404, None)


@pytest.mark.parametrize(
    ("name", "form", "status", "field", "pattern"),
    [
        ("sites.exe", {}, 400, "file", r"unknown file type '\.exe'"),
        ("sites.shp", {}, 400, "file", "zip them together"),
        ("sites.geojson", {"formats": "pdf"}, 400, "formats", "unknown format 'pdf'"),
        ("sites.geojson", {"buffer": "far"}, 400, "buffer", "not a number"),
        ("sites.geojson", {"buffer": "-5"}, 400, "buffer", "outside 0..100000"),
        ("sites.geojson", {"industry": "XX"}, 400, "industry", "'XX'"),
        ("sites.geojson", {"tags": "nope"}, 400, "tags", "'nope'"),
        ("sites.geojson", {"action": "demolish"}, 400, "action", "demolish"),
        ("sites.geojson", {"crs": "EPSG:999999"}, 400, "crs", ""),
        ("sites.geojson", {"encoding": "klingon"}, 400, "encoding", "unknown"),
        ("sites.geojson", {"lang": "fr"}, 400, "lang", "'fr'"),
        ("sites.geojson", {"on_invalid": "ignore"}, 400, "on_invalid", "'ignore'"),
        ("sites.zip", {}, 400, "file", "not a readable zip archive"),
    ],
)
def test_batch_errors_name_the_field(client, work_dir, name, form, status, field, pattern):
    before = set((work_dir / "jobs").iterdir())
    assert_error(submit(client, name, b'{"type": "FeatureCollection", "features": []}', **form), status, field, pattern)
    assert set((work_dir / "jobs").iterdir()) == before  # nothing left behind


def test_batch_request_shape_errors(client):
    assert_error(client.post("/api/batch", data={"industry": "C3360"}), 422, "file", "Field required")
    assert_error(submit(client, "sites.csv", b""), 400, "file", "empty")


def test_a_file_that_cannot_be_read_fails_the_job_with_its_message(client):
    accepted = submit(client, "sites.csv", "名称,备注\n甲,乙\n".encode())
    assert accepted.status_code == 202
    job = wait_job(client, accepted.json()["job_id"])
    assert job["status"] == "error" and job["files"] == {} and job["counts"] is None
    assert "lon" in job["error"] or "WKT" in job["error"] or "coordinates" in job["error"], job["error"]
    assert_error(client.get(f"/api/jobs/{job['job_id']}/files/sites.csv"), 404, "name")
    assert_error(client.get(f"/api/jobs/{'f' * 32}"), 404, "job_id", "unknown")
    assert_error(client.get("/api/jobs/not-an-id"), 404, "job_id")


def _evil_archives() -> dict[str, bytes]:
    import stat

    def archive(entries) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in entries:
                zf.writestr(name, data)
        return buffer.getvalue()

    link = zipfile.ZipInfo("sites.csv")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    encrypted = bytearray(archive([("sites.csv", b"lon,lat\n109.4,22.5\n")]))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        encrypted[encrypted.find(signature) + offset] |= 1
    return {
        "zip-slip": archive([("sites.csv", b"lon,lat\n109.4,22.5\n"), ("../../../evil.csv", b"pwned")]),
        "absolute": archive([("/tmp/redline-evil-absolute.csv", b"pwned")]),
        "symlink": archive([(link, b"/etc/passwd")]),
        "encrypted": bytes(encrypted),
        "bomb": archive([("sites.csv", b"\0" * (20 * 1024**2))]),
        "too-many": archive([(f"f{i}.csv", b"") for i in range(1001)]),
    }


@pytest.mark.parametrize("kind", ["zip-slip", "absolute", "symlink", "encrypted", "bomb", "too-many"])
def test_dangerous_archives_are_refused_and_write_nothing(client, work_dir, tmp_path, kind):
    from pathlib import Path

    before = {p for p in work_dir.rglob("*")}
    response = submit(client, "sites.zip", _evil_archives()[kind])
    assert_error(
        response,
        400,
        "file",
        {
            "zip-slip": "climbs out",
            "absolute": "absolute path",
            "symlink": "symbolic link",
            "encrypted": "encrypted",
            "bomb": "zip bomb",
            "too-many": "more than 1,000",
        }[kind],
    )
    after = {p for p in work_dir.rglob("*") if not p.name.startswith(".")}
    assert after - before == set()
    assert not any(p.name == "evil.csv" for p in work_dir.parent.rglob("evil.csv"))
    assert not Path("/tmp/redline-evil-absolute.csv").exists()


def test_upload_limit(sample_layers, tmp_path):
    limit = 10_000
    good = json.dumps({"type": "FeatureCollection", "features": SAMPLE[:1]}).encode()
    assert len(good) < limit
    with make_client(sample_layers, work_dir=tmp_path, max_upload_bytes=limit) as c:
        # a Content-Length over the limit is refused before the body is read
        assert_error(
            submit(c, "sites.csv", b"x" * 200_000), 413, "file", r"larger than the upload limit of 10,000 bytes"
        )
        boundary = "redline-test-boundary"

        def multipart(payload: bytes):
            yield (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="s.csv"\r\n'
                "Content-Type: text/csv\r\n\r\n"
            ).encode()
            for i in range(0, len(payload), 4096):
                yield payload[i : i + 4096]
            yield f"\r\n--{boundary}--\r\n".encode()

        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        # streamed (no Content-Length): a little over the limit is stopped while copying the file ...
        over = c.post("/api/batch", content=multipart(b"y" * 40_000), headers=headers)
        assert "content-length" not in {k.lower() for k in over.request.headers}
        assert_error(over, 413, "file", "larger than the limit")
        # ... and far over it while the body streams in
        assert_error(c.post("/api/batch", content=multipart(b"z" * 300_000), headers=headers), 413, "file")
        assert not any((tmp_path / "jobs").iterdir())
        accepted = submit(c, "ok.geojson", good)
        assert accepted.status_code == 202
        assert wait_job(c, accepted.json()["job_id"])["status"] == "done"


# --------------------------------------------------------------------------- confidential (涉密) layers

#: vertices of the confidential zone, with digits no other number in the outputs has
SECRET = [(109.1234567, 22.2345671), (109.1434561, 22.2345673), (109.1434563, 22.2545677), (109.1234569, 22.2545679)]
PUBLIC = [(109.30, 22.30), (109.32, 22.30), (109.32, 22.32), (109.30, 22.32)]
SECRET_SITES = [
    ("A", "POLYGON ((109.13 22.24, 109.16 22.24, 109.16 22.26, 109.13 22.26, 109.13 22.24))"),  # holds a vertex
    ("B", "POINT (109.133 22.245)"),  # inside
    ("C", "LINESTRING (109.11 22.25, 109.15 22.25)"),  # across
    ("D", "POINT (109.1270 22.2600)"),  # nearby, about 600 m north
    ("E", "POLYGON ((109.31 22.31, 109.33 22.31, 109.33 22.33, 109.31 22.33, 109.31 22.31))"),  # public zone
]


def _secret_patterns() -> list[re.Pattern]:
    """Each vertex's lon and lat as JSON writes them, rounded to 6 decimals, and as integer micro-degrees.

    (map.html stores coordinates as integers in units of 1e-6 degree, delta-encoded after the first.)
    """
    texts = set()
    for lon, lat in SECRET:
        for v in (lon, lat):
            texts |= {repr(v), repr(round(v, 6)), f"{v:.6f}", str(round(v * 1e6)), str(round(v * 1e7))}
    return [re.compile(r"(?<![\d.])" + re.escape(t) + r"(?!\d)") for t in sorted(texts)]


def assert_no_secret(text: str, where: str) -> None:
    leaks = [p.pattern for p in _secret_patterns() if p.search(text)]
    assert not leaks, f"{where} holds coordinates of the confidential zone: {leaks}"


def _zip_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return "\n".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist() if n.endswith((".xml", ".rels")))


@pytest.fixture(scope="module")
def secret_layers(tmp_path_factory):
    from shapely import Polygon

    from redline.layers import load_layerset
    from tests.conftest import write_layerset

    manifest = write_layerset(
        tmp_path_factory.mktemp("secret-layers"),
        {
            "water_source": [("SECRET-1", "first", Polygon(SECRET))],
            "ecological_redline": [("PUBLIC-1", "core", Polygon(PUBLIC))],
        },
        extra={"water_source": {"confidential": True}},
    )
    layerset = load_layerset(manifest)
    assert [layer.confidential for layer in layerset.layers] == [True, False]
    return layerset


def test_confidential_zones_never_leave_the_service(secret_layers, tmp_path):
    with make_client(secret_layers, work_dir=tmp_path) as c:
        layers = c.get("/api/layers")
        assert_no_secret(layers.text, "/api/layers")
        body = layers.json()
        assert [la["confidential"] for la in body["layers"]] == [True, False]
        assert body["bounds"] == [109.30, 22.30, 109.32, 22.32]  # the public layer's extent only

        for params in ({}, {"kind": "water_source"}, {"bbox": "109,22,110,23"}, {"kind": "ecological_redline"}):
            zones = c.get("/api/zones", params=params)
            assert_no_secret(zones.text, f"/api/zones {params}")
            assert "SECRET-1" not in zones.text
        assert c.get("/api/zones", params={"kind": "water_source"}).json() == {
            "type": "FeatureCollection",
            "features": [],
            "truncated": False,
            "confidential": True,
        }
        assert [f["properties"]["zone_id"] for f in c.get("/api/zones").json()["features"]] == ["PUBLIC-1"]

        for site_id, wkt in SECRET_SITES:
            answer = c.post("/api/check", json={"site": wkt, "site_id": site_id})
            assert answer.status_code == 200, answer.text
            assert_no_secret(answer.text, f"/api/check {site_id}")
            findings = answer.json()["findings"]
            secret = [f for f in findings if f["kind"] == "water_source"]
            assert bool(secret) == (site_id != "E"), site_id
            assert all(f["confidential"] is True and f["geometry"] is None for f in secret)
            assert all(f["confidential"] is False for f in findings if f["kind"] != "water_source")
            if site_id == "A":  # (report.html and report.docx are checked in the batch's files below)
                assert_no_secret(c.get(answer.json()["links"]["map"]).text, "check map.html")
        public = c.post("/api/check", json={"site": SECRET_SITES[4][1]}).json()["findings"]
        assert public[0]["zone_id"] == "PUBLIC-1" and public[0]["geometry"] is not None

        sites = {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {"site_id": sid}, "geometry": json.loads(shapely.to_geojson(g))}
                for sid, g in ((sid, shapely.from_wkt(w)) for sid, w in SECRET_SITES if sid in "ACE")
            ],
        }
        job = wait_job(c, submit(c, "secret.geojson", json.dumps(sites).encode()).json()["job_id"])
        assert job["status"] == "done", job
        assert len(job["files"]) == 8
        for name, url in job["files"].items():
            data = c.get(url).content
            if name.endswith((".docx", ".xlsx")):
                assert_no_secret(_zip_text(data), f"job {name}")
            elif name.endswith(".gpkg"):
                path = tmp_path / name
                path.write_bytes(data)
                for layer_name, _ in pyogrio.list_layers(path):
                    frame = pyogrio.read_dataframe(path, layer=layer_name)
                    for geom in frame.geometry:
                        if geom is None:
                            continue
                        coords = shapely.get_coordinates(geom)
                        for vertex in SECRET:
                            assert not ((abs(coords - vertex) < 1e-9).all(axis=1)).any(), (layer_name, vertex)
                        assert not geom.equals(shapely.Polygon(SECRET))
                    assert_no_secret(frame.drop(columns="geometry").to_csv(), f"job results.gpkg:{layer_name}")
            else:
                assert_no_secret(data.decode("utf-8-sig"), f"job {name}")


# --------------------------------------------------------------------------- redline serve, the process


def test_redline_serve_runs_as_a_process(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    import httpx

    from .conftest import free_port

    port = free_port()
    env = dict(os.environ, PYTHONIOENCODING="utf-8", REDLINE_TOKEN="from-the-environment")
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "redline.checks.app.cli",
                "serve",
                "--port",
                str(port),
                "--work-dir",
                str(tmp_path / "w"),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, log.read_text("utf-8")
            try:
                health = httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, log.read_text("utf-8")
                time.sleep(0.1)
        assert health.json()["status"] == "ok"
        assert httpx.get(f"{base}/api/layers").status_code == 401  # the token came from REDLINE_TOKEN
        layers = httpx.get(f"{base}/api/layers", headers={"Authorization": "Bearer from-the-environment"})
        assert layers.status_code == 200 and layers.json()["illustrative"] is True
    finally:
        proc.terminate()
        proc.wait(20)
    text = log.read_text("utf-8")
    # uvicorn shuts down cleanly on SIGTERM, then ends by that signal again (its exit status)
    assert proc.returncode in (0, -signal.SIGTERM), text
    assert "Application shutdown complete" in text
    assert f"http://127.0.0.1:{port}/" in text and "令牌：需要" in text  # (in Chinese, like every command)
    assert (tmp_path / "w" / "jobs").is_dir()  # a given work dir is kept


def _serve_option_errors():
    from redline.checks import options
    from redline.checks.app.service import cli as serve_cli
    from redline.layers import load_layerset

    return [
        (["--layers", "no/such/layers"], lambda: load_layerset("no/such/layers")),
        (["--port", "1", "--token", " "], lambda: options.token(" ")),
        (
            ["--work-dir", "/proc/redline-cannot-write-here"],
            lambda: serve_cli._work_dir("/proc/redline-cannot-write-here"),
        ),
    ]


@pytest.mark.parametrize(("args", "raise_it"), _serve_option_errors())
def test_serve_refuses_bad_options_with_one_message(capsys, args, raise_it):
    """As every command: one line, in Chinese by default (the error's Chinese text), in English with --lang en."""
    from redline.checks.app.cli.main import error_text
    from redline.checks.app.cli_args import flag_namer
    from redline.zones.errors import RedlineError

    with pytest.raises(RedlineError) as raised:
        raise_it()
    for extra, lang, prefix in (([], "zh", "redline：错误："), (["--lang", "en"], "en", "redline: error: ")):
        assert cli_main(["serve", *args, *extra]) == 2
        err = capsys.readouterr().err
        assert err == prefix + error_text(raised.value, lang, flag_namer()) + "\n"


def test_serve_says_its_own_messages_in_chinese_by_default(capsys):
    assert cli_main(["serve", "--work-dir", "/proc/redline-cannot-write-here"]) == 2
    assert capsys.readouterr().err.startswith("redline：错误：--work-dir：无法写入 '/proc/redline-cannot-write-here'（")
    assert cli_main(["serve", "--work-dir", "/proc/redline-cannot-write-here", "--lang", "en"]) == 2
    assert capsys.readouterr().err.startswith("redline: error: --work-dir: cannot write into '/proc/redline-")
    with pytest.raises(SystemExit) as exit_:
        cli_main(["serve", "--check-timeout", "0"])
    assert exit_.value.code == 2
    assert "参数 --check-timeout：--check-timeout：'0' 不是 1 到 3600 之间的秒数" in capsys.readouterr().err


def test_serve_refuses_a_port_in_use_and_bad_numbers(capsys):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert cli_main(["serve", "--port", str(port)]) == 2
        assert f"--port：无法在 127.0.0.1:{port} 上监听" in capsys.readouterr().err
        assert cli_main(["serve", "--port", str(port), "--lang", "en"]) == 2
    assert f"--port: cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err
    for bad in (["--port", "70000"], ["--port", "http"], ["--jobs", "0"], ["--max-upload-mb", "-1"]):
        with pytest.raises(SystemExit) as exit_:
            cli_main(["serve", *bad])
        assert exit_.value.code == 2
        assert bad[0] in capsys.readouterr().err


def test_serve_help_is_chinese_by_default(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli_main(["serve", "-h"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("用法：redline serve") and "单次 /api/check 的时限（秒，默认 30）" in out


def test_the_load_benchmark_runs(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[4] / "benchmarks" / "serve_load.py"
    proc = subprocess.run(
        [sys.executable, str(script), "--requests", "40", "--clients", "4"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "requests: 40   clients: 4" in out and "failed: 0" in out
    assert "server quota per client: off" in out  # (throughput, not the quota: all its clients share 127.0.0.1)
    assert not any(tmp_path.iterdir())  # its audit log and jobs went into its own folder, not here
    assert re.search(r"throughput: \d+\.\d req/s", out) and re.search(r"p95 \d+\.\d", out)
    assert re.search(r"server peak RSS: \d+ MB", out)


def test_docs_page_lists_every_operation_offline(client):
    """/docs is rendered from the schema: every path is there, and nothing is loaded from elsewhere."""
    page = client.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    for path in client.get("/openapi.json").json()["paths"]:
        assert html.escape(path) in text, path
    assert "<script" not in text and "http://" not in text and "https://" not in text
    assert 'id="schema-CheckRequest"' in text
    assert client.get("/redoc").status_code == 404
