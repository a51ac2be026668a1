"""Measure the checker's metres against pyproj.Geod on random cases across China.

Run:  python benchmarks/accuracy.py [N]

For N random squares (10 m to 20 km) and N random points at known geodesic distances
(0.5 m to 10 km) from a random zone edge, it screens through the real engine
(`checks.check_site` on a layer set written to a temporary folder) and prints the
worst relative area error and the worst distance error against pyproj's geodesic
answers, with the thresholds the project promises (0.01 % and 0.5 m).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from pyproj import Geod
from shapely import Point, box

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from redline.checks import check_site
from redline.layers import load_layerset
from tests.conftest import write_layerset

GEOD = Geod(ellps="GRS80")


def main(n: int = 200) -> int:
    rng = np.random.default_rng(20261123)
    area_err = []
    dist_err = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(n):
            lon = rng.uniform(75, 133)
            lat = rng.uniform(18, 52)
            size = 10 ** rng.uniform(-4, -0.7)  # degrees: ~10 m to ~20 km
            zone = box(lon, lat, lon + size, lat + size)
            layers = load_layerset(write_layerset(Path(tmp) / f"l{i}", {"basic_farmland": [("Z", None, zone)]}))
            # a site straddling the east edge: its overlap is the western half
            site = box(lon + size / 2, lat + size / 4, lon + size * 1.5, lat + size * 3 / 4)
            f = check_site(site, layers).findings.iloc[0]
            truth = abs(
                GEOD.polygon_area_perimeter(
                    *box(lon + size / 2, lat + size / 4, lon + size, lat + size * 3 / 4).exterior.coords.xy
                )[0]
            )
            area_err.append(abs(f["overlap_area_m2"] - truth) / truth)
            metres = 10 ** rng.uniform(-0.3, 4)
            px, py, _ = GEOD.fwd(lon + size, lat + size / 2, 90, metres)
            r = check_site(Point(px, py), layers, buffer_m=20000)
            dist_err.append(abs(r.findings.iloc[0]["distance_m"] - metres))
    elapsed = time.perf_counter() - started
    worst_area, worst_dist = max(area_err), max(dist_err)
    print(f"cases: {n} squares and {n} points across China ({elapsed:.1f} s)")
    print(f"overlap area: worst relative error {worst_area:.2e} (promise < 1e-4, i.e. 0.01 %)")
    print(f"distance:     worst absolute error {worst_dist:.4f} m (promise < 0.5 m up to 10 km)")
    ok = worst_area < 1e-4 and worst_dist < 0.5
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
