"""Fuzz ``redline serve`` against its own OpenAPI schema with schemathesis (issue 20).

Run:  python benchmarks/schema_fuzz.py [--max-examples 25] [--max-time 300] [--layers sample]
                                       [--seed 1] [--phases examples,coverage,fuzzing,stateful]

It starts ``redline serve --layers LAYERS --port P --rate-limit off --work-dir TMP`` as a real
process (uvicorn, a free loopback port, its work dir in a temporary folder removed afterwards),
waits for ``/healthz``, then runs schemathesis's command line (``st run URL/openapi.json``) on the
live schema: at most ``--max-examples`` generated cases per operation and phase, one worker, a
fixed ``--seed``.  The checks (``--checks``) are those that matter for the service:

- ``not_a_server_error``: no 5xx answer, whatever the request;
- ``status_code_conformance``: every status is one the operation declares;
- ``content_type_conformance``: every answer has the declared content type;
- ``response_schema_conformance``: every answer body matches its declared model;
- ``response_headers_conformance``: declared headers are present and well formed;
- ``negative_data_rejection``: a request the schema forbids is refused (4xx), never coerced and
  screened (the strict API schema of issue 20).

Not among them: the checks that a schema-valid request is accepted (``positive_data_acceptance``:
the service rightly refuses, with 400, a schema-valid upload of an unknown file type or a
``site`` that is a JSON object but not GeoJSON; the schema cannot say that) and the
authentication checks (the server runs without a token, so the schema declares the token
optional).  No operation is excluded: ``POST /api/batch`` starts a job only for an upload the
service can read, and the fuzzer's uploads are refused before a job starts; those that do run
are small and bounded by the service's own job pool.

Time bound: when ``--max-time`` seconds pass before schemathesis is done, it is interrupted
(SIGINT: it stops and writes its report); the summary says the run is incomplete.  An
incomplete run with no failure still exits 0.

It prints a summary (operations tested, cases generated, failures by check and operation, the
schemathesis report's path when ``--report-dir`` is given) and exits 1 on any failure or error
(schemathesis's own, the server not starting, or no case run at all).

Not run in CI at this size (a small run is in tests/checks/app/service/test_schema_fuzz.py).
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.serve_load import free_port, start_server, stop_server, wait_ready

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "negative_data_rejection",
)
PHASES = "examples,coverage,fuzzing,stateful"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    p = argparse.ArgumentParser(
        prog="schema_fuzz.py",
        description="Run schemathesis against the OpenAPI schema of a live `redline serve`; exit 1 on any failure.",
    )
    p.add_argument("--max-examples", type=int, default=25, help="most cases per operation and phase (default 25)")
    p.add_argument(
        "--max-time",
        type=float,
        default=300.0,
        help="seconds schemathesis may run before it is interrupted (default 300)",
    )
    p.add_argument("--layers", default="sample", help="layer set the server loads (default: sample)")
    p.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    p.add_argument("--seed", type=int, default=1, help="schemathesis seed (default 1)")
    p.add_argument("--phases", default=PHASES, help=f"schemathesis phases (default {PHASES})")
    p.add_argument("--checks", default=",".join(CHECKS), help="schemathesis checks (default: the list above)")
    p.add_argument("--workers", type=int, default=1, help="schemathesis workers (default 1)")
    p.add_argument("--report-dir", type=Path, help="keep schemathesis's JSON report in this folder")
    p.add_argument("--startup-timeout", type=float, default=120.0, help="seconds to wait for /healthz (default 120)")
    return p.parse_args(argv)


def run_schemathesis(base: str, args: argparse.Namespace, report_dir: Path, cwd: Path) -> tuple[dict | None, bool]:
    """Run ``st run`` on the live schema; return its JSON report (None if it wrote none) and whether it timed out."""
    cmd = [sys.executable, "-m", "schemathesis.cli", "run", f"{base}/openapi.json"]
    cmd += ["--max-examples", str(args.max_examples), "--workers", str(args.workers), "--seed", str(args.seed)]
    cmd += ["--checks", args.checks, "--phases", args.phases, "--request-timeout", "60"]
    cmd += ["--report", "json", "--report-dir", str(report_dir), "--no-color"]
    # run in the temporary folder: schemathesis keeps a cache (.schemathesis/) in its working folder
    proc = subprocess.Popen(cmd, cwd=cwd)
    timed_out = False
    try:
        proc.wait(args.max_time)
    except subprocess.TimeoutExpired:
        timed_out = True
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    reports = sorted(report_dir.glob("*.json"))
    return (json.loads(reports[-1].read_text(encoding="utf-8")) if reports else None), timed_out


def summarize(report: dict | None, timed_out: bool) -> tuple[list[str], int]:
    """Return the summary lines of a schemathesis JSON report and the number of failures and errors."""
    if report is None:
        return ["  schemathesis wrote no report: it did not run"], 1
    ops, cases = report["operations"], report["test_cases"]
    lines = [
        f"  operations: {ops['tested']} tested of {ops['total']} ({ops['errored']} errored, {ops['skipped']} skipped)",
        f"  cases: {cases['generated']} generated, {cases['with_failures']} with failures, {cases['errored']} errored",
        f"  run: {report['running_time']:.1f} s, stopped by: {report['stop_reason']}"
        + ("  (time bound reached: incomplete)" if timed_out else ""),
    ]
    failures = report.get("failures") or []
    errors = report.get("errors") or []
    lines.append(f"  failures: {sum(f.get('count', 1) for f in failures)}   errors: {len(errors)}")
    for f in failures:
        lines.append(f"    {f['code']} {f['title']} ({f.get('count', 1)}): {', '.join(f['operations'])}")
    for e in errors:
        lines.append(f"    error: {json.dumps(e, ensure_ascii=False)[:300]}")
    bad = len(failures) + len(errors) + ops["errored"] + cases["errored"]
    if cases["generated"] == 0:
        lines.append("  no case was run")
        bad += 1
    return lines, bad


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    folder = Path(tempfile.mkdtemp(prefix="redline-schema-fuzz-"))
    report_dir = (args.report_dir or folder / "report").resolve()
    report_dir.mkdir(parents=True, exist_ok=True)
    proc = start_server(args.layers, port, folder, "off")
    try:
        t0 = time.monotonic()
        if not wait_ready(base, proc, args.startup_timeout):
            print((folder / "server.log").read_text(encoding="utf-8", errors="replace")[-3000:], file=sys.stderr)
            print("the server did not start", file=sys.stderr)
            return 1
        print(f"server ready in {time.monotonic() - t0:.1f} s at {base}", flush=True)
        report, timed_out = run_schemathesis(base, args, report_dir, folder)
    finally:
        stop_server(proc)
        shutil.rmtree(folder, ignore_errors=True)
    lines, bad = summarize(report, timed_out)
    print(f"schemathesis against redline serve --layers {args.layers} (max {args.max_examples} examples per operation)")
    print(f"  checks: {args.checks}")
    print("\n".join(lines))
    if args.report_dir is not None:
        print(f"  report: {report_dir}")
    print("result: " + ("FAIL" if bad else "ok"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
