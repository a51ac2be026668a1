"""Site errors the command line prints: Chinese by default, the same English with --lang en."""

from __future__ import annotations

import pytest

from tests.conftest import run_cli


@pytest.mark.parametrize(
    ("args", "zh", "en"),
    [
        (["check", "abc"], "选址 'abc' 既不是\"经度,纬度\"也不是 WKT", "site 'abc' is neither \"lon,lat\" nor WKT"),
        (["check", "108°70'E 22°10'N"], "70 分不小于 60", "70 minutes is not below 60"),
        (["check", "999,999"], "选址 '999,999' 的坐标不是经纬度；请用 --crs 给出坐标系", "are not longitude/latitude"),
        (
            ["batch", "/no/such/sites.shp", "--out", "x"],
            "选址文件 '/no/such/sites.shp' 不存在；请检查路径",
            "does not exist",
        ),
    ],
)
def test_a_site_error_is_one_line_in_chinese_and_in_english_when_asked(args, zh, en, tmp_path):
    args = [a if a != "x" else str(tmp_path / "out") for a in args]
    proc = run_cli(*args)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("redline：错误：") and zh in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    proc = run_cli(*args, "--lang", "en")
    assert proc.returncode == 2 and proc.stderr.startswith("redline: error: ") and en in proc.stderr, proc.stderr
