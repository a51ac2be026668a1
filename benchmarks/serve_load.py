"""Load benchmark of ``redline serve``: many ``POST /api/check`` requests from concurrent clients.

Run:  python benchmarks/serve_load.py [--requests 2000] [--clients 8] [--port 0] [--layers sample]
                                     [--rate-limit off] [--big]

It starts ``redline serve`` as a real process (uvicorn) on a free loopback port with the given
layer set, its work dir (jobs, audit log) in a temporary folder and, by default, no quota
(``--rate-limit off``: every client of the benchmark comes from 127.0.0.1, so under the service's
default quota of 30 checks a minute per client nearly every request would be answered 429 and the
benchmark would measure the quota, not the screening; ``--rate-limit 30/min`` shows the quota at
work, its 429s counted as failures).  It waits for ``/healthz``, then sends N ``/api/check`` requests
from C client threads
(each with its own ``httpx.Client``, keep-alive).  The requests are a fixed mix (``--seed``): half
are the sample sites (points as ``"lon,lat"``, polygons and lines as GeoJSON, each with its own
industry, tags and action), half random points in the layer set's bounds with an industry drawn
from a short list.  It prints throughput (requests/s over the whole run), latency percentiles
(p50/p95/p99/max, client side), the number of failed requests (anything but HTTP 200 with a
verdict), the server's CPU time per request (from ``/proc``, which does not depend on what else
the machine runs) and its peak resident memory (``VmHWM`` from ``/proc``; sampled with psutil where
``/proc`` is missing).  Exit status 1 when any request failed or the server did not start.

With ``--big``, one more client sends the costly request of issue 20 (a polygon of 250,000
vertices, ``nearby: all``, a 100 km buffer) again and again while the checks run, and the report
says how it was answered (refused by the cost limit: 422) and the checks' p95 beside it (the
issue's target: under 1 s).

Not run in CI (a tiny run is in tests/checks/app/service/test_api.py).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

INDUSTRIES = [None, "C3360", "H6210", "G5990", "A0313", "D4411", "C2221", "E4812", "K7010"]
#: Every verdict of an answer (a random point may lie outside the layers' coverage: no_coverage).
VERDICTS = ("prohibited", "restricted", "review", "no_coverage", "clear")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_server(proc: subprocess.Popen) -> None:
    """Stop the server: terminate, then kill if it has not gone within 15 s."""
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def start_server(layers: str, port: int, folder: Path, rate_limit: str) -> subprocess.Popen:
    """Start ``redline serve`` on ``port``; its log and work dir in ``folder``."""
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    cmd = [sys.executable, "-m", "redline.checks.app.cli", "serve", "--layers", layers, "--port", str(port)]
    cmd += ["--work-dir", str(folder / "work"), "--rate-limit", rate_limit, "--quiet"]
    with open(folder / "server.log", "wb") as out:
        return subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)


def wait_ready(base: str, proc: subprocess.Popen, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    return False


def peak_rss_mb(pid: int) -> float | None:
    """The process's resident-set high-water mark (VmHWM) in MB, or None when /proc is not there."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) the process has used so far, or None when /proc is not there."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class RssSampler(threading.Thread):
    """Sample the server's RSS with psutil, for systems without /proc."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop = pid, 0.0, threading.Event()

    def run(self) -> None:
        try:
            import psutil

            proc = psutil.Process(self.pid)
        except Exception:
            return
        while not self.stop.is_set():
            try:
                self.peak = max(self.peak, proc.memory_info().rss / 1024**2)
            except Exception:
                return
            time.sleep(0.05)


def request_mix(n: int, bounds: list[float], seed: int) -> list[dict]:
    """Half sample sites (with their projects), half random points in the bounds with an industry."""
    from redline.layers import sample_dir

    features = json.loads((sample_dir() / "sites.geojson").read_text("utf-8"))["features"]
    rng = random.Random(seed)
    minx, miny, maxx, maxy = bounds
    bodies = []
    for i in range(n):
        if i % 2 == 0:
            f = features[rng.randrange(len(features))]
            p, g = f["properties"], f["geometry"]
            site = f"{g['coordinates'][0]},{g['coordinates'][1]}" if g["type"] == "Point" else g
            bodies.append(
                {"site": site, "industry": p["industry"] or None, "tags": p["tags"], "action": p["action"] or None}
            )
        else:
            lon, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            bodies.append({"site": f"{lon:.6f},{lat:.6f}", "industry": rng.choice(INDUSTRIES)})
    return bodies


def big_body(bounds: list[float], vertices: int = 250_000) -> dict:
    """The costly request of issue 20: a star-shaped polygon about 6 km across, every zone within 100 km."""
    import numpy as np

    lon, lat = (bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2
    th = np.linspace(0, 2 * np.pi, vertices, endpoint=False)
    r = 0.03 * (1 + 0.05 * np.sin(th * 97) + 0.02 * np.sin(th * 1013))
    ring = [f"{x:.7f} {y:.7f}" for x, y in zip(lon + r * np.cos(th), lat + r * np.sin(th), strict=True)]
    return {"site": f"POLYGON (({', '.join([*ring, ring[0]])}))", "nearby": "all", "buffer": 100_000}


class BigSender(threading.Thread):
    """Send one request again and again until stopped; keep each answer's status and seconds."""

    def __init__(self, base: str, body: dict) -> None:
        super().__init__(daemon=True)
        self.base, self.body, self.stop = base, body, threading.Event()
        self.answers: list[tuple[str, float]] = []

    def run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=120) as http:
            while not self.stop.is_set():
                t0 = time.perf_counter()
                try:
                    status = str(http.post("/api/check", json=self.body).status_code)
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                self.answers.append((status, time.perf_counter() - t0))

    def report(self) -> str:
        """One line: how often it was sent, its answers, the median seconds each took."""
        statuses = dict(sorted(Counter(s for s, _ in self.answers).items()))
        median = statistics.median(t for _, t in self.answers) if self.answers else float("nan")
        return (
            f"  beside them, the costly request of issue 20 (250,000 vertices, nearby all, 100 km): sent "
            f"{len(self.answers)} times, answers {statuses}, {median:.1f} s each (median)"
        )


def run_load(base: str, bodies: list[dict], clients: int) -> tuple[list[float], list[str], float]:
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    counter = itertools.count()

    def client() -> None:
        with httpx.Client(base_url=base, timeout=60) as http:
            while (i := next(counter)) < len(bodies):
                t0 = time.perf_counter()
                try:
                    r = http.post("/api/check", json=bodies[i])
                    ok = r.status_code == 200 and r.json()["site"]["verdict"] in VERDICTS
                    why = "" if ok else f"request {i}: HTTP {r.status_code} {r.text[:200]}"
                except (httpx.HTTPError, ValueError, KeyError) as exc:
                    why = f"request {i}: {type(exc).__name__}: {exc}"
                elapsed = time.perf_counter() - t0
                with lock:
                    latencies.append(elapsed)
                    if why:
                        failures.append(why)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, failures, time.perf_counter() - start


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests to send (default 2000)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--port", type=int, default=0, help="port of the server (default: a free one)")
    parser.add_argument("--layers", default="sample", help="layer set to serve (default: sample)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the request mix (default 1)")
    parser.add_argument("--startup-timeout", type=float, default=120.0, help="seconds to wait for the server")
    parser.add_argument(
        "--rate-limit",
        default="off",
        metavar="RATE",
        help="the server's quota per client (redline serve --rate-limit; default off: the benchmark measures "
        "throughput, and all its clients share one address; e.g. 30/min, the service's default, to see the "
        "quota at work, its 429 answers counted as failed)",
    )
    parser.add_argument(
        "--big",
        action="store_true",
        help="send the costly request of issue 20 (250,000 vertices, nearby all, 100 km) again and again "
        "beside the checks, and say how it was answered",
    )
    args = parser.parse_args(argv)
    if args.requests < 1 or args.clients < 1:
        parser.error("--requests and --clients must be at least 1")

    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    folder = Path(tempfile.mkdtemp(prefix="redline-serve-load-"))
    log = folder / "server.log"
    t0 = time.perf_counter()
    proc = start_server(args.layers, port, folder, args.rate_limit)
    sampler = RssSampler(proc.pid)
    sampler.start()
    try:
        if not wait_ready(base, proc, args.startup_timeout):
            print(f"redline serve did not start on {base}; its log ({log}):", file=sys.stderr)
            print(log.read_text("utf-8", "replace")[-4000:], file=sys.stderr)
            return 1
        startup = time.perf_counter() - t0
        layers = httpx.get(f"{base}/api/layers", timeout=30).json()
        bodies = request_mix(args.requests, layers["bounds"], args.seed)
        run_load(base, request_mix(args.clients, layers["bounds"], args.seed + 1), args.clients)  # warm-up
        big = BigSender(base, big_body(layers["bounds"])) if args.big else None
        if big is not None:
            big.start()
            time.sleep(0.5)  # (its body is on its way when the checks start)
        cpu_before = cpu_seconds(proc.pid)
        latencies, failures, wall = run_load(base, bodies, args.clients)
        cpu_after = cpu_seconds(proc.pid)
        if big is not None:
            big.stop.set()
            big.join(150)
        peak = peak_rss_mb(proc.pid) or sampler.peak or None
    finally:
        sampler.stop.set()
        stop_server(proc)

    ms = [v * 1000 for v in latencies]
    print(f"redline serve load benchmark: {layers['name']}")
    print(f"  server start (load layers, warm up, listen): {startup:.1f} s")
    print(f"  requests: {len(latencies)}   clients: {args.clients}   wall time: {wall:.2f} s")
    print(f"  server quota per client: {args.rate_limit}")
    print(f"  throughput: {len(latencies) / wall:.1f} req/s")
    print(
        f"  latency ms: p50 {percentile(ms, 50):.1f}   p95 {percentile(ms, 95):.1f}   "
        f"p99 {percentile(ms, 99):.1f}   max {max(ms):.1f}   mean {statistics.fmean(ms):.1f}"
    )
    if cpu_before is not None and cpu_after is not None:
        used = cpu_after - cpu_before
        print(
            f"  server CPU: {used:.1f} s, {1000 * used / len(latencies):.1f} ms per request "
            f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
        )
    if big is not None:
        print(big.report())
    print(f"  failed: {len(failures)}")
    print(f"  server peak RSS: {peak:.0f} MB" if peak else "  server peak RSS: unknown")
    for line in failures[:10]:
        print(f"    {line}", file=sys.stderr)
    if failures:
        print(f"  the server's log: {log}", file=sys.stderr)
        return 1
    shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
