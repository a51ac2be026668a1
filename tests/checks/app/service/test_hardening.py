"""The service under abuse: quotas, named tokens, the audit log, costly and slow checks, a strict schema.

(The ray-bisection attack on a confidential zone is in test_bisection.py.)
"""

from __future__ import annotations

import json
import re
import threading
import time

import numpy as np
import pytest
import shapely

from redline.checks.app.service.clients import parse_rate, token_sha256

from .conftest import make_client, wait_job

S01 = "109.4015,22.4923"
PARK_INSIDE = "109.6700,22.4900"  # inside the sample's confidential forest park


def star(n: int, lon: float = 109.5, lat: float = 22.5, r: float = 0.03) -> shapely.Polygon:
    """A valid star-shaped polygon of ``n`` vertices (about 6 km across at the default radius)."""
    th = np.linspace(0, 2 * np.pi, n, endpoint=False)
    rr = r * (1 + 0.05 * np.sin(th * 97) + 0.02 * np.sin(th * 1013))
    return shapely.Polygon(np.column_stack([lon + rr * np.cos(th), lat + rr * np.sin(th)]))


def assert_error(response, status: int, field: str | None, pattern: str = ""):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"]["field"] == field, body
    assert re.search(pattern, body["error"]["message"]), body["error"]["message"]


# --------------------------------------------------------------------------- quotas and tokens


def test_a_burst_of_300_checks_from_one_token_gets_429s_by_default(sample_layers, tmp_path):
    token = {"Authorization": "Bearer reviewer-token"}
    with make_client(sample_layers, work_dir=tmp_path, token="reviewer-token") as c:
        answers = [c.post("/api/check", json={"site": S01}, headers=token) for _ in range(300)]
        refused = [a for a in answers if a.status_code == 429]
        assert {a.status_code for a in answers} == {200, 429}
        assert len(refused) >= 250, len(refused)  # 30 at once, then one every 2 s
        first = refused[0]
        assert int(first.headers["Retry-After"]) >= 1
        assert_error(first, 429, None, r"too many screening calls from this client \(at most 30 a minute\)")
        # look-ups have their own, larger quota: the page still works
        assert c.get("/api/layers", headers=token).status_code == 200
    print(f"\nburst of 300 /api/check from one token: {len(refused)} answered 429")


def test_the_quota_is_per_client_and_a_tokens_file_names_clients(sample_layers, tmp_path):
    tokens = tmp_path / "tokens.yaml"
    tokens.write_text(
        "tokens:\n"
        f"  - name: reviewers\n    sha256: {token_sha256('page-token')}\n"
        f"  - name: approval-system\n    sha256: {token_sha256('approval-token')}\n    rate_limit: 6000/min\n",
        "utf-8",
    )
    with make_client(sample_layers, work_dir=tmp_path / "w", tokens=tokens, rate_limit="5/min") as c:
        page, system = ({"Authorization": f"Bearer {t}"} for t in ("page-token", "approval-token"))
        codes = [c.post("/api/check", json={"site": S01}, headers=page).status_code for _ in range(8)]
        assert codes == [200] * 5 + [429] * 3
        assert all(c.post("/api/check", json={"site": S01}, headers=system).status_code == 200 for _ in range(12))
        assert c.post("/api/check", json={"site": S01}).status_code == 401
        assert c.post("/api/check", json={"site": S01}, headers={"Authorization": "Bearer nope"}).status_code == 401


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tokens: []\n", "holds no `tokens:` list"),
        ("tokens:\n  - name: a\n    sha256: abc\n", "64 hex digits"),
        ("tokens:\n  - name: a b\n    sha256: " + "a" * 64 + "\n", "name 'a b'"),
        ("tokens:\n  - {name: a, sha256: " + "a" * 64 + ", rate: 5}\n", "unknown key 'rate'"),
        ("tokens:\n  - {name: a, sha256: " + "a" * 64 + ", rate_limit: lots}\n", "rate_limit 'lots'"),
        ("tokens:\n  - {name: a, sha256: " + "a" * 64 + "}\n  - {name: a, sha256: " + "b" * 64 + "}\n", "twice"),
        ("tokens: [unclosed\n", "not valid YAML"),
    ],
)
def test_a_bad_tokens_file_is_refused_with_one_message(tmp_path, text, message):
    from redline.checks.app.service.clients import load_tokens
    from redline.zones.errors import RedlineError

    path = tmp_path / "tokens.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(RedlineError) as err:
        load_tokens(path, parse_rate("30/min"))
    assert err.value.param == "tokens" and message in str(err.value)


# --------------------------------------------------------------------------- audit log of confidential layers


def test_calls_touching_a_confidential_layer_are_audited_by_name(sample_layers, tmp_path):
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps({"tokens": [{"name": "approvals", "sha256": token_sha256("s3cret-value")}]}))
    audit = tmp_path / "audit" / "audit.jsonl"
    with make_client(sample_layers, work_dir=tmp_path / "w", tokens=tokens, audit_log=audit) as c:
        auth = {"Authorization": "Bearer s3cret-value"}
        assert c.post("/api/check", json={"site": S01}, headers=auth).status_code == 200  # no confidential zone
        assert not audit.exists()
        answer = c.post("/api/check", json={"site": PARK_INSIDE, "site_id": "P"}, headers=auth).json()
        park = [f for f in answer["findings"] if f["confidential"]]
        assert park and park[0]["coarsened"]["distance_step_m"] == 100
        sites = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"site_id": "B1"},
                 "geometry": {"type": "Point", "coordinates": [109.67, 22.49]}}]}  # fmt: skip
        job = c.post(
            "/api/batch",
            files={"file": ("s.geojson", json.dumps(sites).encode())},
            data={"formats": "csv"},
            headers=auth,
        ).json()
        assert wait_job(c, job["job_id"], headers=auth)["status"] == "done"
    text = audit.read_text("utf-8")
    assert "s3cret-value" not in text
    lines = [json.loads(line) for line in text.splitlines()]
    assert [(e["call"], e["client"]) for e in lines] == [("check", "token:approvals"), ("batch", "token:approvals")]
    check, batch = lines
    assert check["ref"] == answer["check_id"] and check["site_digest"].startswith("sha256:")
    assert check["zones"] == [
        {"kind": "nature_reserve", "zone_id": park[0]["zone_id"], "relation": park[0]["relation"]}
    ]
    assert batch["ref"] == job["job_id"] and batch["zones"][0]["zone_id"] == park[0]["zone_id"]
    assert re.match(r"\d{4}-\d\d-\d\dT", check["time"])


def test_layers_say_how_coarse_the_confidential_answers_are(client):
    layers = {la["kind"]: la for la in client.get("/api/layers").json()["layers"]}
    assert layers["nature_reserve"]["coarsening"] == {
        "distance_step_m": 100.0,
        "area_step_m2": 10000.0,
        "band_m": 250.0,
    }
    assert layers["water_source"]["coarsening"] is None


def test_confidential_numbers_come_in_steps(client):
    near = client.post("/api/check", json={"site": "109.6950,22.4900", "nearby": "all", "buffer": 5000}).json()
    park = [f for f in near["findings"] if f["confidential"]]
    assert park and park[0]["relation"] == "nearby" and park[0]["distance_m"] % 100 == 0
    square = shapely.box(109.664, 22.484, 109.676, 22.496)  # inside the park and across its edge
    over = client.post(
        "/api/check", json={"site": shapely.to_geojson(square) and json.loads(shapely.to_geojson(square))}
    )
    found = [f for f in over.json()["findings"] if f["confidential"]]
    assert found and all(f["overlap_area_m2"] % 10000 == 0 for f in found)


# --------------------------------------------------------------------------- cost, lanes, time limits, size


def test_the_costly_request_of_the_issue_is_refused_before_screening(client):
    site = shapely.to_wkt(star(250_000), rounding_precision=7)
    assert len(site) > 5_000_000
    t0 = time.perf_counter()
    answer = client.post("/api/check", json={"site": site, "nearby": "all", "buffer": 100_000})
    assert_error(answer, 422, "site", r"over the limit of [\d,]+ units of one check; .* /api/batch")
    assert "250,001 vertices" in answer.json()["error"]["message"]
    assert time.perf_counter() - t0 < 15


def test_a_big_check_does_not_hold_up_the_small_ones(sample_layers, tmp_path):
    big = shapely.to_wkt(star(20_000), rounding_precision=7)
    with make_client(sample_layers, work_dir=tmp_path, rate_limit="off") as c:
        done = {}

        def post_big():
            done["big"] = c.post("/api/check", json={"site": big})
            done["big_at"] = time.perf_counter()

        thread = threading.Thread(target=post_big)
        thread.start()
        time.sleep(0.2)
        small = []
        for _ in range(10):
            t0 = time.perf_counter()
            assert c.post("/api/check", json={"site": S01}).status_code == 200
            small.append(time.perf_counter() - t0)
        small_done = time.perf_counter()
        health_t0 = time.perf_counter()
        assert c.get("/healthz").status_code == 200
        health = time.perf_counter() - health_t0
        thread.join(120)
    assert done["big"].status_code == 200, done["big"].text
    assert done["big"].json()["site"]["geom_type"] == "Polygon"
    assert small_done < done["big_at"], "the one-point checks waited for the big one"
    assert max(small) < 2.0 and health < 1.0, (small, health)


def test_a_check_over_the_time_limit_is_stopped(sample_layers, tmp_path):
    big = shapely.to_wkt(star(150_000), rounding_precision=7)
    with make_client(sample_layers, work_dir=tmp_path, rate_limit="off", check_timeout=3.0) as c:
        c.app.state.service.lanes.big.start()
        t0 = time.perf_counter()
        assert_error(c.post("/api/check", json={"site": big}), 504, "site", r"longer than the time limit of 3 s")
        assert time.perf_counter() - t0 < 15
        small = shapely.to_wkt(star(3_000), rounding_precision=7)  # to the big lane: a new worker
        assert c.post("/api/check", json={"site": small}).status_code == 200
        assert c.post("/api/check", json={"site": S01}).status_code == 200


def test_healthz_answers_while_every_check_waits(sample_layers, tmp_path, monkeypatch):
    from redline.checks.app.service import screening

    real = screening.Screener.run
    release = threading.Event()

    def slow(self, task, lane):
        release.wait(20)
        return real(self, task, lane)

    client = make_client(sample_layers, work_dir=tmp_path, rate_limit="off")  # (its warm-up check runs now)
    monkeypatch.setattr(screening.Screener, "run", slow)
    with client as c:
        threads = [
            threading.Thread(target=c.post, args=("/api/check",), kwargs={"json": {"site": S01}}) for _ in range(8)
        ]
        for t in threads:
            t.start()
        time.sleep(0.3)
        t0 = time.perf_counter()
        assert c.get("/healthz").status_code == 200
        assert time.perf_counter() - t0 < 1.0
        release.set()
        for t in threads:
            t.join(60)


def test_answers_are_capped_in_findings_and_vertices(client):
    many = client.post("/api/check", json={"site": "109.5,22.5", "nearby": "all", "buffer": 100_000}).json()
    assert many["truncated"] is True and many["findings_total"] > 500 and len(many["findings"]) == 500
    polygon = json.loads(shapely.to_geojson(star(1_500, r=0.001)))
    small = client.post("/api/check", json={"site": polygon}).json()
    assert small["site"]["geometry"] is not None and small["geometries_omitted"] == 0


# --------------------------------------------------------------------------- a strict schema, short messages


@pytest.mark.parametrize(
    ("body", "field", "pattern"),
    [
        ({"site": S01, "buffer": False}, "buffer", "false is not a number"),
        ({"site": S01, "buffer": True}, "buffer", "true is not a number"),
        ({"site": S01, "buffer": "500"}, "buffer", '"500" is not a number; give a JSON number'),
        ({"site": ""}, "site", "site is empty"),
        ({"site": "   "}, "site", "site is empty"),
        ({"site": 5}, "site", "5 is not a site"),
        ({"site": S01, "site_id": 7}, "site_id", "7 is not text"),
    ],
)
def test_the_schema_does_not_coerce(client, body, field, pattern):
    assert_error(client.post("/api/check", json=body), 422, field, pattern)


def test_nan_is_not_a_number(client):
    raw = b'{"site": "109.4015,22.4923", "buffer": NaN}'
    answer = client.post("/api/check", content=raw, headers={"Content-Type": "application/json"})
    assert_error(answer, 422, "buffer", "NaN and infinity are not numbers")
    form = client.post("/api/batch", files={"file": ("s.csv", b"lon,lat\n109.4,22.5\n")}, data={"buffer": "nan"})
    assert_error(form, 400, "buffer", "'nan' is not a number")


def test_blank_kind_means_every_kind(client):
    assert client.get("/api/zones", params={"kind": "", "limit": 3}).json()["truncated"] is True


def test_a_swapped_pair_is_reported(client):
    answer = client.post("/api/check", json={"site": "22.4923,109.4015", "industry": "H6210"}).json()
    assert answer["site"]["verdict"] == "prohibited"
    assert any("read as latitude,longitude" in w for w in answer["warnings"]), answer["warnings"]
    assert client.post("/api/check", json={"site": S01}).json()["warnings"] == []


def test_a_long_site_is_not_echoed(client):
    wkt = "POLYGON ((" + ", ".join(f"{109 + i * 1e-6:.6f} 22.5" for i in range(40_000)) + "))"
    answer = client.post("/api/check", json={"site": wkt})
    assert answer.status_code == 400 and len(wkt) > 500_000
    assert len(answer.json()["error"]["message"]) <= 400


def test_job_errors_name_no_server_path(client, work_dir):
    accepted = client.post("/api/batch", files={"file": ("sites.gpkg", b"not a geopackage" * 100)})
    job = wait_job(client, accepted.json()["job_id"])
    assert job["status"] == "error"
    assert str(work_dir) not in job["error"] and "/jobs/" not in job["error"] and "/input/" not in job["error"]
    assert "upload.gpkg" in job["error"], job["error"]
