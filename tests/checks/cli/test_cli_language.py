"""The command line speaks Chinese by default and English with --lang en: help, argparse, errors, summaries."""

from __future__ import annotations

import subprocess
import sys

import pytest

from redline.checks.app.cli.console import summary_line
from redline.checks.app.cli.i18n import argparse_language
from redline.checks.app.cli.main import error_text
from redline.checks.app.cli.table import format_table, text_width
from redline.checks.app.cli_args import flag_namer
from redline.zones.errors import RedlineError, RuleError, param_ref


def test_help_is_chinese_by_default_and_english_with_lang_en(cli):
    status, out, _ = cli("check", "-h")
    assert status == 0 and out.startswith("用法：redline check")
    assert "显示本帮助并退出" in out and "报告此距离（米）以内的相邻区域" in out
    status, out, _ = cli("check", "-h", "--lang", "en")
    assert status == 0 and out.startswith("usage: redline check") and "report zones within this distance" in out
    status, out, _ = cli("--help")
    for command in ("eia", "industry", "register", "rescreen"):
        assert f"\n    {command} " in out


def test_help_lines_fit_the_terminal_by_width(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    _, out, _ = cli("batch", "-h")
    assert max(text_width(line) for line in out.splitlines()) <= 80


@pytest.mark.parametrize(
    ("args", "zh", "en"),
    [
        (["check"], "缺少必需的参数：SITE", "the following arguments are required: SITE"),
        (["check", "1,2", "--nearby", "some"], "无效的选项值 'some'", "invalid choice: 'some'"),
        (
            ["check", "1,2", "--buffer", "-5"],
            "参数 --buffer：--buffer：-5 超出 0..100000 米的范围",
            "argument --buffer: --buffer: -5",
        ),
        (["rules", "tags", "--nope"], "无法识别的参数：--nope", "unrecognized arguments: --nope"),
    ],
)
def test_argparse_errors_in_the_language_asked(cli, args, zh, en):
    status, _, err = cli(*args)
    assert status == 2 and zh in err and "：错误：" in err and "用法：" in err
    status, _, err = cli(*args, "--lang", "en")
    assert status == 2 and en in err and ": error: " in err


def test_argparse_is_left_as_it_was():
    import argparse

    with argparse_language("zh"):
        assert argparse.ArgumentParser(prog="x").format_usage() == "用法：x [-h]\n"
    assert argparse.ArgumentParser(prog="x").format_usage() == "usage: x [-h]\n"


def test_library_errors_say_their_chinese_text_when_they_have_one():
    err = RuleError(f"{param_ref('buffer_m')} must be >= 0", param="buffer_m")
    assert error_text(err, "zh", flag_namer()) == "--buffer must be >= 0"
    err.zh = f"{param_ref('buffer_m')} 不能为负数"
    assert error_text(err, "zh", flag_namer()) == "--buffer 不能为负数"
    assert error_text(err, "en", flag_namer()) == "--buffer must be >= 0"


def test_an_error_is_one_line_in_chinese(cli):
    status, _, err = cli("check", "109.3,22.2", "--industry", "Z123")
    assert status == 2 and err.startswith("redline：错误：") and "Z123" in err and "Traceback" not in err
    status, _, err = cli("check", "109.3,22.2", "--industry", "Z123", "--lang", "en")
    assert err.startswith("redline: error: ")


def test_summary_counts_every_verdict_with_no_coverage():
    counts = {"prohibited": 1, "restricted": 2, "review": 3, "no_coverage": 4, "clear": 5, "error": 6}
    assert summary_line(21, counts) == (
        "共检查 21 个选址：禁止 1，限制/需论证 2，需关注 3，超出图层覆盖范围 4，未发现冲突 5，无法检查 6"
    )
    assert "outside the layers' coverage 4, clear 5, error 6" in summary_line(21, counts, "en")


def test_tables_pad_chinese_by_terminal_width():
    text = format_table(["编号", "结论"], [["S01", "禁止"], ["S0002", "未发现冲突"]])
    lines = text.splitlines()
    assert lines[2].index("禁止") == lines[3].index("未发现冲突")  # (the ids before them are ASCII)
    assert text_width(lines[0]) == text_width("  编号   结论")


@pytest.mark.parametrize("args", [["demo", "--formats", "csv"], ["rules", "tags"], ["rules", "list"]])
def test_a_closed_pipe_ends_quietly(args, tmp_path):
    command = [sys.executable, "-m", "redline.checks.app.cli", *args]
    if args[0] == "demo":
        command += ["--out", str(tmp_path / "demo")]
    shell = f"{' '.join(command)} | head -1"
    proc = subprocess.run(["bash", "-c", f"set -o pipefail; {shell}"], capture_output=True, text=True, timeout=300)
    assert proc.stdout.count("\n") == 1
    assert (
        "Traceback" not in proc.stderr
        and "BrokenPipeError" not in proc.stderr
        and "Exception ignored" not in proc.stderr
    )


def test_a_redline_error_raised_by_a_command_is_rendered_with_flags(cli):
    status, _, err = cli("rescreen", "--register", "x.gpkg", "--out", "o", "--since", "2025-13-40")
    assert status == 2 and "--since：'2025-13-40' 不是日期" in err
    assert isinstance(RedlineError("x"), ValueError)
