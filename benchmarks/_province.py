"""Province scale: a layer set of millions of parcels, and what loading and screening it costs.

Run:  python benchmarks/batch.py --province [--province-parcels N] [--sites N] [--keep] [--json FILE]

A province's permanent basic farmland is several million patches.  This builds the benchmark's set
(``benchmarks/_data.py``) at ``--province-parcels`` (default 5,000,000) over the same 100 km square,
deterministically and in tiles (the memory of one tile), in a child process, once: it is cached in
``benchmarks/.data/parcels-<n>-<seed>/`` (generated, never committed).  Then, each as its own
process with its own peak memory, in a fresh layer cache:

- the layer set loaded twice: the first run reads the sources and writes the layer stores and the
  engine's indexes, the second opens them (the ``load`` phase of ``benchmarks/batch.py``);
- ``redline check LON,LAT`` of one point, twice (the second is the warm figure);
- ``redline batch POINTS.csv --formats csv`` of ``--sites`` points (default 100,000), with
  ``--buffer 0`` (the target's) and with the default 1000 m.

Targets (issue 19, for a set of 5 million parcels or more): the batch's peak RSS under 2 GiB, the
warm one-point check under 1.5 s.  A smaller set is reported against them for reference only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

__all__ = ["PROVINCE_PARCELS", "TARGETS", "main"]

#: The province set's default size (``--province-parcels``).
PROVINCE_PARCELS = 5_000_000
#: The size from which the targets below apply.
_TARGET_PARCELS = 5_000_000
TARGETS = {"batch_peak_bytes": 2 * 1024**3, "check_s": 1.5}

_BUILD = "import sys; from benchmarks._data import build_layerset; print(build_layerset(n_parcels=int(sys.argv[1])))"


def build(n_parcels: int, say) -> Path:
    """Build (or reuse) the province set in a child process (its memory never enters this one); return its manifest."""
    from benchmarks.batch import ROOT, fmt_s

    say(f"[data: {n_parcels:,} parcels (built once, then cached)]")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", _BUILD, str(n_parcels)], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"building the province set failed: {done.stderr.strip()[-2000:]}")
    manifest = Path(done.stdout.strip().splitlines()[-1])
    meta = json.loads((manifest.parent / "build.json").read_text())
    tiles = meta["stamp"].get("tiles", 1)
    say(f"  {manifest.parent} ({meta['counts']}; {tiles}×{tiles} tiles; built in {fmt_s(meta['build_s'])})")
    return manifest


def _run(manifest: Path, n_points: int, seed: int, work: Path, say) -> dict:
    """The province's processes (see the module's notes); their results by name."""
    from benchmarks.batch import points_csv, run_batch, run_check, run_env, run_loads

    env = run_env(work)
    sites = points_csv(manifest.parent, n_points, seed)
    results: dict[str, dict] = {}
    run_loads({"manifest": str(manifest)}, env, results, say)
    say("[one point: redline check, warm cache]")
    results["check_first"], results["check"] = run_check(manifest, env, say)
    say(f"[{n_points:,} points: redline batch --formats csv, warm cache]")
    for buffer_m in ("0", "1000"):
        results[f"batch_{buffer_m}"] = run_batch(
            sites, manifest, work / f"batch-{buffer_m}", buffer_m, n_points, env, say
        )
    return results


def report(r: dict, n_parcels: int, n_points: int) -> tuple[str, list[tuple[str, bool | None, str]]]:
    """The province's table and its targets (``None`` when not measured)."""
    from benchmarks.batch import GIB, checks_text, fmt_bytes, fmt_s, table

    get = lambda name: r.get(name, {})  # noqa: E731
    rows = [
        ["load layer set, 1st run (sources → stores, indexes)", *_cells(get("load_cold"))],
        ["load layer set, 2nd run (opens the stores)", *_cells(get("load_warm"))],
        ["    of which the engine's indexes (prepare_layer)", fmt_s(get("load_warm").get("prepare_seconds")), ""],
        ["redline check LON,LAT: one point, 1st run", *_cells(get("check_first"))],
        ["    2nd run (warm)", *_cells(get("check"))],
        [f"redline batch {n_points:,} points --buffer 0", *_cells(get("batch_0"))],
        [f"redline batch {n_points:,} points (default buffer 1000 m)", *_cells(get("batch_1000"))],
    ]
    text = [f"province: {n_parcels:,} parcels", table(rows, ["each in its own process", "time", "peak RSS"])]
    batch, check = get("batch_0"), get("check")
    checks = [
        (
            f"peak RSS of redline batch --buffer 0 < {TARGETS['batch_peak_bytes'] / GIB:.0f} GiB",
            None if not batch.get("peak") or batch.get("code") else batch["peak"] < TARGETS["batch_peak_bytes"],
            fmt_bytes(batch.get("peak")) or "not measured",
        ),
        (
            f"one-point redline check, warm, < {TARGETS['check_s']:.1f} s",
            None if not check.get("seconds") or check.get("code") else check["seconds"] < TARGETS["check_s"],
            fmt_s(check.get("seconds")),
        ),
    ]
    note = "" if n_parcels >= _TARGET_PARCELS else f" (for {_TARGET_PARCELS:,}+ parcels; here for reference)"
    text.extend(checks_text(checks, note))
    return "\n".join(text), checks


def _cells(d: dict) -> list[str]:
    from benchmarks.batch import fmt_bytes, fmt_s

    failed = f" (exit {d['code']})" if d.get("code") else ""
    return [fmt_s(d.get("seconds")) + failed, fmt_bytes(d.get("peak"))]


def main(args, say) -> int:
    """Build the province set and run its processes; print the table; exit 1 when a full-size target is missed."""
    from benchmarks.batch import run_folder, write_json

    n_parcels = args.province_parcels or PROVINCE_PARCELS
    n_points = args.sites or 100_000
    manifest = build(n_parcels, say)
    with run_folder(manifest.parent, "province-", args.keep, say) as work:
        results = _run(manifest, n_points, args.seed, work, say)
    say()
    text, checks = report(results, n_parcels, n_points)
    say(text)
    if args.json:
        write_json(args.json, {"parcels": n_parcels, "points": n_points}, results)
    missed = any(ok is False for _, ok, _ in checks)
    return 1 if missed and n_parcels >= _TARGET_PARCELS else 0
