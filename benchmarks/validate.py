"""Time ``redline layers validate`` on the 1M-parcel benchmark layer set (target: under 60 s on 2 cores).

Run:  python benchmarks/validate.py [N_PARCELS]

Builds the layer set on first use (``benchmarks/_data.py``, cached in ``benchmarks/.data/``, about
20 s for 1M parcels), then validates it against its region outline through the public API
(:func:`layers.validate.validate_layerset`: reading every layer leniently, then every check) and
prints the time of each phase against the target.  Exit 1 when over the target or when the clean
benchmark set reports any problem.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._data import build_layerset
from redline.layers.validate import validate_layerset

TARGET_S = 60.0


def main(n_parcels: int = 1_000_000) -> int:
    t0 = time.perf_counter()
    manifest = build_layerset(n_parcels=n_parcels)
    print(f"layer set: {manifest} (ready in {time.perf_counter() - t0:.1f} s)")
    started = time.perf_counter()
    report = validate_layerset(manifest, region=manifest.parent / "region.geojson", lang="en")
    elapsed = time.perf_counter() - started
    for layer in report.layers:
        print(f"  {layer.kind:<19} {layer.n_features:>10,} features")
    print("phases: " + ", ".join(f"{k} {v:.1f} s" for k, v in report.timings.items()))
    print(f"problems: {len(report.problems)}")
    verdict = "OK" if elapsed < TARGET_S else "OVER TARGET"
    cores = os.cpu_count()
    print(
        f"validation of {n_parcels:,} parcels: {elapsed:.1f} s on {cores} cores (target < {TARGET_S:.0f} s) {verdict}"
    )
    return 0 if elapsed < TARGET_S and not report.problems else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000))
