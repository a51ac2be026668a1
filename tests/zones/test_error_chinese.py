"""Every user-facing error of the library has a Chinese text (issue 18 item 3).

An error carries its Chinese text in ``err.zh`` (marked with ``param_ref`` like its message); the
command line says it after ``redline：错误：`` (``--lang en``: the English message).  Checked here
on representative errors, through the command line, and by a scan of the code: every
``raise ...Error(...)`` of the :class:`~redline.zones.errors.RedlineError` family passes ``zh=``.
"""

from __future__ import annotations

import ast
import pickle
import re
from pathlib import Path

import pytest
import shapely

from redline.checks import options
from redline.checks.app.cli.main import error_text
from redline.checks.app.cli_args import flag_namer
from redline.zones.errors import (
    Bilingual,
    CRSError,
    LayerError,
    ManifestError,
    RedlineError,
    param_ref,
)
from tests.conftest import REPO, run_cli, write_layerset

_CJK = re.compile(r"[\u4e00-\u9fff]")
_MARK = re.compile(r"⟨\w+⟩")


def _raised(call, *args, **kwargs) -> RedlineError:
    with pytest.raises(RedlineError) as info:
        call(*args, **kwargs)
    return info.value


def _chinese(err: RedlineError, *values: str, flag: str | None = None) -> str:
    """Check ``err`` has a Chinese text naming ``values`` (and ``flag``); return it as the command line says it."""
    assert err.zh, f"no Chinese text: {err}"
    said = error_text(err, "zh", flag_namer())
    assert _CJK.search(said), said
    assert not _MARK.search(said), said  # every parameter mark rendered
    for value in values:
        assert value in said, (value, said)
    if flag is not None:
        assert flag in said, (flag, said)
    assert error_text(err, "en", flag_namer()) == err.render(flag_namer())  # English as before
    assert str(err) == err.render()
    return said


def test_bad_industry():
    from redline.zones.industry import resolve

    said = _chinese(_raised(resolve, "Z999"), "'Z999'", "GB/T 4754-2017", "C3360")
    assert said.startswith("行业 'Z999' 不是 GB/T 4754-2017 的代码")
    _chinese(_raised(resolve, "饲养"), "'饲养'", "A0313 猪的饲养")  # several entries: listed
    _chinese(_raised(resolve, "印染"), "政策分组", "C1713")  # a policy group, not for a project


def test_bad_crs_names_the_flag():
    said = _chinese(_raised(options.crs, "nope"), "'nope'", "EPSG:4490", flag="--crs")
    assert said.startswith("--crs：'nope' 不是坐标系")


@pytest.mark.parametrize(
    ("check", "value", "flag", "words"),
    [
        (options.buffer_m, "-5", "--buffer", "超出 0..100000 米的范围"),
        (options.buffer_m, "far", "--buffer", "不是以米计的数"),
        (options.lang, "fr", "--lang", "不是 zh、en 之一"),
        (options.formats, "csv,pdf", "--formats", "没有 'pdf' 这种格式"),
        (options.port, "http", "--port", "不是端口号"),
        (options.chunk_size, "0", "--chunk-size", "须不小于 1"),
        (options.encoding, "klingon", "--encoding", "不是已知的文字编码"),
        (options.on_invalid, "repair", "--on-invalid", "不是 raise、warn、fix 之一"),
        (options.token, " ", "--token", "令牌为空"),
    ],
)
def test_bad_option_names_the_flag(check, value, flag, words):
    said = _chinese(_raised(check, value), flag=flag)
    assert words in said, said


def test_missing_layer_set_and_manifest(tmp_path):
    from redline.layers import load_layerset, read_manifest

    _chinese(_raised(load_layerset, str(tmp_path / "nowhere")), "nowhere", "不存在")
    err = _raised(read_manifest, tmp_path / "layerset.yaml")
    assert isinstance(err, ManifestError)
    _chinese(err, "图层集清单", "文件不存在")


def test_bad_manifest_key_and_class_map(tmp_path):
    from redline.layers import read_manifest

    square = shapely.box(109.0, 22.0, 109.1, 22.1)
    manifest = write_layerset(
        tmp_path / "set",
        {"water_source": [("W1", "first", square)]},
        extra={"water_source": {"class_map": {"一级": "level9"}, "colour": "red"}},
        top={"colour": "blue"},
    )
    err = _raised(read_manifest, manifest)
    said = _chinese(err, "有 3 处问题")
    assert "未知的顶层键 'colour'" in said
    assert "layers[0]：未知的键 'colour'" in said
    assert "class_map 把 '一级' 映射为 'level9'，但它不是 water_source 的类别" in said
    assert err.problems == [str(p) for p in err.problems]  # the list stays English text


def test_bad_class_values_of_a_layer(tmp_path):
    from redline.layers import load_layerset

    square = shapely.box(109.0, 22.0, 109.1, 22.1)
    manifest = write_layerset(tmp_path / "set", {"water_source": [("W1", "weird", square)]})
    said = _chinese(_raised(load_layerset, manifest), "'weird'", "class_map")
    assert "没有被 class_map 映射为 water_source 的类别" in said


def test_bad_file_arguments_name_their_flag(tmp_path):
    from redline.layers.access_grids import read_grids
    from redline.layers.outline import read_outline
    from redline.layers.tables import read_table

    _chinese(_raised(read_outline, tmp_path / "county.geojson", param="region"), "county.geojson", flag="--region")
    _chinese(_raised(read_grids, tmp_path / "list.xlsx"), "list.xlsx", "准入清单")
    _chinese(_raised(read_table, tmp_path / "sites.csv"), "sites.csv", "不存在")


def test_bad_project_tags_action_and_facts():
    from redline.zones import make_project
    from redline.zones.eia import decide
    from redline.zones.tags import check_tags

    _chinese(_raised(check_tags, ["no_such_tag"]), "'no_such_tag'", "未知的项目标签")
    _chinese(_raised(make_project, "C3360", action="demolish"), "'demolish'", "建设性质")
    _chinese(_raised(make_project, facts=["装机容量"]), "'装机容量'", "名称=值")
    said = _chinese(_raised(decide, "2021", ["D4415"], {"装机容量": "abc"}), "'abc'", flag="--fact")
    assert said == "--fact：项目事实 装机容量：'abc' 不是 6万千瓦、5000头 或 1/4 这样的数量"


def test_bad_rule_code_and_edition():
    from redline.zones.eia import load_edition
    from redline.zones.rules import bundled_catalog_path, load_catalog

    catalog = load_catalog(bundled_catalog_path("qinzhou_pilot"))
    _chinese(_raised(catalog.get, "XX99"), "'XX99'", "没有代码为")
    _chinese(_raised(load_edition, "1999"), "'1999'", "名录版本")


def test_collected_problems_are_said_in_chinese_where_they_can_be():
    err = ManifestError("layerset.yaml", [Bilingual("layers[0]: no path", "layers[0]：没有路径"), "plain"])
    assert str(err).endswith("  - layers[0]: no path\n  - plain")
    assert err.zh == "图层集清单 'layerset.yaml' 有 2 处问题：\n  - layers[0]：没有路径\n  - plain"


@pytest.mark.parametrize(
    "err",
    [
        RedlineError(f"{param_ref('crs')} is bad", param="crs", value="x", zh=f"{param_ref('crs')} 有误"),
        CRSError("bad", param="crs", zh="有误"),
        ManifestError("a.yaml", [Bilingual("no name", "没有名称")], problems_zh=None),
        LayerError("gone", zh="不见了"),
    ],
)
def test_errors_pickle_whole(err):
    """Errors cross process boundaries (the Dask engine): message, param, value and Chinese survive."""
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is type(err)
    assert (str(back), back.param, back.value, back.has_value, back.zh) == (
        str(err),
        err.param,
        err.value,
        err.has_value,
        err.zh,
    )
    if isinstance(err, ManifestError):
        assert (back.path, back.problems) == (err.path, err.problems)


def test_eia_table_error_pickles_and_speaks_chinese():
    from redline.zones.eia.catalogue import EiaTableError

    err = EiaTableError("2021", ["row 54: report: unknown condition 'x'"])
    back = pickle.loads(pickle.dumps(err))
    assert (back.edition, back.problems, back.zh) == (err.edition, err.problems, err.zh)
    assert err.zh.startswith("名录版本 '2021' 有 1 处问题：")


def test_cli_says_the_error_in_chinese_and_in_english_with_lang_en():
    zh = run_cli("check", "109.5,22.5", "--industry", "Z999")
    assert zh.returncode == 2, zh.stderr
    assert zh.stderr.strip().splitlines()[-1] == (
        "redline：错误：行业 'Z999' 不是 GB/T 4754-2017 的代码，也不是其中的名称、别名或名称的一部分；"
        "请填写代码（如 C3360）或名称（如 猪的饲养）"
    )
    en = run_cli("check", "109.5,22.5", "--industry", "Z999", "--lang", "en")
    assert en.returncode == 2, en.stderr
    assert (
        en.stderr.strip()
        .splitlines()[-1]
        .startswith("redline: error: industry 'Z999' is neither a GB/T 4754-2017 code nor the name")
    )


# --------------------------------------------------------------------------- every raise passes zh=

_FAMILY = {"RedlineError", "LayerError", "ManifestError", "CRSError", "SiteError", "RuleError"}
#: Errors that build their Chinese text themselves (a Chinese lead-in over their problems).
_BUILDS_ITS_OWN = {"ManifestError", "EiaTableError"}
#: A parameter holding the error class to raise (``error: type[RedlineError] = LayerError``); called
#: by its bare name (``log.error(...)`` is no error built).
_ERROR_PARAMS = {"error"}
#: Files whose errors do not say themselves in Chinese yet (owned by other work); remove each
#: entry once its raises pass ``zh=``.
_NOT_YET = {
    "checks/app/service/uploads.py",
    "checks/app/service/routes_batch.py:UploadError",
    "checks/register/base.py",
    "checks/register/gpkg.py",
    "checks/register/pg.py",
    "checks/register/rows.py",
}


def _scanned() -> list[Path]:
    return [p for top in ("zones", "layers", "checks", "maps") for p in sorted((REPO / top).rglob("*.py"))]


def _family(trees: dict[str, ast.Module]) -> set[str]:
    """The family's names, with every subclass the scanned code defines."""
    names = set(_FAMILY)
    grown = True
    while grown:
        grown = False
        for tree in trees.values():
            for node in ast.walk(tree):
                bases = {getattr(b, "id", getattr(b, "attr", None)) for b in getattr(node, "bases", [])}
                if isinstance(node, ast.ClassDef) and node.name not in names and bases & names:
                    names.add(node.name)
                    grown = True
    return names


def _without_zh(trees: dict[str, ast.Module]) -> list[str]:
    """Every error of the family built without ``zh=`` (``raise X(...)``, ``return X(...)``, ``error(...)``).

    A re-raise (``raise``, ``raise exc``, or ``raise type(exc)(..., zh=exc.zh)`` keeping its text)
    builds no new error and is let be.
    """
    family = _family(trees)
    missing = []
    for where, tree in trees.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            bare = isinstance(node.func, ast.Name)
            if name in _BUILDS_ITS_OWN or not (name in family or (bare and name in _ERROR_PARAMS)):
                continue
            if where in _NOT_YET or f"{where}:{name}" in _NOT_YET:
                continue
            if not any(k.arg == "zh" for k in node.keywords):
                missing.append(f"{where}:{node.lineno} {name}(...)")
    return missing


def test_every_error_raised_has_a_chinese_text():
    trees = {str(path.relative_to(REPO)): ast.parse(path.read_text("utf-8")) for path in _scanned()}
    assert len(trees) > 150  # the scan saw the packages (zones, layers, checks, maps)
    assert {"checks", "maps"} <= {where.split("/")[0] for where in trees}
    missing = _without_zh(trees)
    assert not missing, "errors without a Chinese text (zh=):\n" + "\n".join(missing)


def test_the_scan_sees_an_error_without_zh():
    source = """
class OwnError(RuleError):
    pass
try:
    f()
except RuleError as exc:
    raise
except OSError as exc:
    raise exc
raise RuleError("said", zh="说了")
raise RuleError("not said", param="p")
raise OwnError("own")
raise error("a class given as a parameter")
raise ManifestError("a.yaml", ["its own lead-in"])
log.error("a log line, no error")
"""
    assert _without_zh({"m.py": ast.parse(source)}) == [
        "m.py:11 RuleError(...)",
        "m.py:12 OwnError(...)",
        "m.py:13 error(...)",
    ]


def test_manifest_lead_in_when_details_are_english():
    """A problem without a Chinese text is listed as it is, under the Chinese lead-in."""
    err = ManifestError("layerset.yaml", ["something only said in English"])
    assert err.zh.splitlines() == ["图层集清单 'layerset.yaml' 有 1 处问题：", "  - something only said in English"]


@pytest.mark.parametrize(
    ("args", "zh", "en"),
    [
        (
            ("batch", "/no/such.shp", "--out", "x"),
            "redline：错误：选址文件 '/no/such.shp' 不存在；请检查路径",
            "redline: error: sites file '/no/such.shp' does not exist; check the path",
        ),
        (
            ("check", "999,999"),
            "redline：错误：选址 '999,999' 的坐标不是经纬度；请用 --crs 给出坐标系（如 --crs EPSG:4545）",
            "redline: error: site '999,999': 999.0, 999.0 are not longitude/latitude; "
            "give their CRS with --crs (e.g. --crs EPSG:4545)",
        ),
        (
            ("rules", "validate", "/no/such.yaml"),
            "redline：错误：'/no/such.yaml' 不存在；请给出规则目录（.yaml）或准入清单（.csv/.xlsx）",
            "redline: error: '/no/such.yaml' does not exist; give a rule catalogue (.yaml) or an access list "
            "(.csv/.xlsx)",
        ),
        (
            ("rules", "access", "--out", "table.pdf"),
            "redline：错误：--out：'table.pdf' 须以 .xlsx 或 .csv 结尾",
            "redline: error: --out: 'table.pdf' must end in .xlsx or .csv",
        ),
    ],
    ids=["missing-sites-file", "not-lonlat", "missing-catalogue", "access-out-suffix"],
)
def test_cli_errors_of_checks_in_chinese_and_english(args, zh, en, tmp_path):
    said = run_cli(*args, cwd=tmp_path)
    assert said.returncode == 2, said.stderr
    assert said.stderr.strip().splitlines()[-1] == zh
    said = run_cli(*args, "--lang", "en", cwd=tmp_path)
    assert said.returncode == 2, said.stderr
    assert said.stderr.strip().splitlines()[-1] == en
