"""A synthetic screening result with many sites, built directly (no screening run), for size and browser tests.

Sites are random points (and a few small squares) over the sample region; each
site gets 0-3 made-up findings against real sample zones, so the map payload
has the shape and size of a real batch of that many sites.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from redline.checks.result import ScreeningResult
from redline.layers import load_layerset

VERDICTS = np.array(["prohibited", "restricted", "review", "clear"], dtype=object)


def big_result(n: int = 100_000, *, seed: int = 7, polygons: int = 500) -> ScreeningResult:
    rng = np.random.default_rng(seed)
    layerset = load_layerset("sample")
    lon = rng.uniform(109.34, 109.70, n)
    lat = rng.uniform(22.36, 22.65, n)
    geoms = shapely.points(lon, lat)
    if polygons:
        d = 0.001
        geoms[:polygons] = shapely.box(lon[:polygons] - d, lat[:polygons] - d, lon[:polygons] + d, lat[:polygons] + d)
    verdict = VERDICTS[rng.choice(4, n, p=[0.15, 0.1, 0.35, 0.4])]
    n_findings = np.where(verdict == "clear", 0, rng.integers(1, 4, n))
    sites = gpd.GeoDataFrame(
        {
            "site_id": [f"B{i:06d}" for i in range(n)],
            "name": [f"批量选址 {i}" for i in range(n)],
            "industry": "C3360",
            "tags": "",
            "action": "new",
            "status": "ok",
            "error": "",
            "n_findings": n_findings,
            "verdict": verdict,
            "geom_type": shapely.get_type_id(geoms).astype(object),
            "site_area_m2": np.nan,
            "site_length_m": np.nan,
        },
        geometry=geoms,
        crs="EPSG:4490",
    )
    sites["geom_type"] = np.where(shapely.get_type_id(geoms) == 0, "Point", "Polygon")
    zones = layerset.zones()
    site_idx = np.repeat(np.arange(n), n_findings)
    zone_idx = rng.integers(0, len(zones), len(site_idx))
    relation = rng.choice(np.array(["inside", "overlaps", "nearby"], dtype=object), len(site_idx))
    findings = gpd.GeoDataFrame(
        {
            "site_id": sites["site_id"].to_numpy()[site_idx],
            "kind": zones["kind"].to_numpy()[zone_idx],
            "zone_id": zones["zone_id"].to_numpy()[zone_idx],
            "zone_name": zones["zone_name"].to_numpy()[zone_idx],
            "zone_class": zones["zone_class"].to_numpy()[zone_idx],
            "relation": relation,
            "overlap_area_m2": np.where(relation == "overlaps", rng.uniform(10, 5000, len(site_idx)), np.nan),
            "overlap_ratio": np.nan,
            "overlap_length_m": np.nan,
            "distance_m": np.where(relation == "nearby", rng.uniform(1, 1000, len(site_idx)), 0.0),
            "verdict": verdict[site_idx],
            "rule_id": rng.choice(np.array(["WS01", "WS02", "RL01", "CU03", "BF01"], dtype=object), len(site_idx)),
            "basis": "《中华人民共和国生态环境法典》",
            "rule_title": "",
            "rule_text": "示例规则",
            "catalog": "national",
            "matched_rules": "",
        },
        geometry=[None] * len(site_idx),
        crs="EPSG:4490",
    )
    meta = {"buffer_m": 1000.0, "tool_version": "test", "created": "2026-01-01T00:00:00+08:00", "lang": "zh"}
    return ScreeningResult(
        sites, pd.DataFrame(findings).pipe(gpd.GeoDataFrame, crs="EPSG:4490"), layerset, layerset.catalog(), meta
    )
