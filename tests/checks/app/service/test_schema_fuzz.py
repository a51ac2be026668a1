"""A small run of benchmarks/schema_fuzz.py: schemathesis against the live service's schema finds nothing."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[4] / "benchmarks" / "schema_fuzz.py"


def test_schema_fuzz_small_run_finds_no_failure():
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--max-examples", "3", "--max-time", "40"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    cases = re.search(r"cases: (\d+) generated, 0 with failures", run.stdout)
    assert cases and int(cases.group(1)) > 0, run.stdout[-4000:]
    assert "failures: 0   errors: 0" in run.stdout
    assert "result: ok" in run.stdout
