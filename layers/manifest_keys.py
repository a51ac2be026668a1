"""The optional keys of a ``layerset.yaml`` layer entry, each read and checked on its own.

``confidential:``, ``sensitive_area:``, ``encoding:``, ``access_list:`` (and its ``access_list_*``
options) and ``coverage:``; and the rule every path of the manifest follows (inside the manifest's
folder unless ``allow_outside: true``).  Each reader appends what is wrong to the manifest's list of
problems, in English and in Chinese (:class:`~redline.zones.errors.Bilingual`), for the one
:class:`~redline.zones.errors.ManifestError` :func:`redline.layers.manifest.read_manifest` raises.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any

from redline.zones.errors import Bilingual

__all__ = ["DEFAULT_COARSENING"]


#: How coarse the service's answers about a confidential layer are, unless its manifest entry says.
DEFAULT_COARSENING: dict[str, float] = {"distance_step_m": 100.0, "area_step_m2": 10_000.0}


def _say(problems: list[str], en: str, zh: str) -> None:
    """Append a problem of the manifest, in English and in Chinese (the Chinese for :class:`ManifestError`'s ``zh``)."""
    problems.append(Bilingual(en, zh))


def _confidential(raw: Any, where: str, problems: list[str]) -> tuple[bool, dict[str, float]]:
    """Read ``confidential:``: true/false, or a mapping of the answers' coarsening steps (then true)."""
    if isinstance(raw, bool):
        return raw, dict(DEFAULT_COARSENING) if raw else {}
    if isinstance(raw, dict):
        steps = dict(DEFAULT_COARSENING)
        for key, value in raw.items():
            if key not in DEFAULT_COARSENING:
                _say(
                    problems,
                    f"{where}: confidential: unknown key {key!r}; use {', '.join(DEFAULT_COARSENING)}",
                    f"{where}：confidential：未知的键 {key!r}；请用 {'、'.join(DEFAULT_COARSENING)}",
                )
            elif not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
                _say(
                    problems,
                    f"{where}: confidential: {key} must be a positive number, got {value!r}",
                    f"{where}：confidential：{key} 须为正数，收到 {value!r}",
                )
            else:
                steps[key] = float(value)
        return True, steps
    _say(
        problems,
        f"{where}: confidential {raw!r} is not true or false; write `confidential: true` for a "
        "涉密 layer (its geometry never leaves the process), a mapping of its answers' coarsening "
        "(`confidential: {distance_step_m: 100, area_step_m2: 10000}`), or `confidential: false` (the default)",
        f"{where}：confidential {raw!r} 不是 true 或 false；涉密图层写 `confidential: true`（其几何不离开本进程），"
        "或写出其答复的粗化步长（`confidential: {distance_step_m: 100, area_step_m2: 10000}`），"
        "否则写 `confidential: false`（默认）",
    )
    return True, dict(DEFAULT_COARSENING)  # never treat a layer meant to be secret as public, even while reporting


def _inside(base: Path, value: Any, where: str, key: str, allow_outside: bool, problems: list[str]) -> Path | None:
    """Resolve a path of the manifest; refuse one outside the manifest's folder unless ``allow_outside``.

    Symbolic links are followed before the check, so a link inside the folder that points out of it
    counts as outside.
    """
    path = (base / str(value)).resolve()
    if not allow_outside and not path.is_relative_to(base.resolve()):
        _say(
            problems,
            f"{where}: {key} {str(value)!r} lies outside the manifest's folder {str(base)!r}; move the file "
            "into it, or write `allow_outside: true` at the top of the manifest to allow files elsewhere",
            f"{where}：{key} {str(value)!r} 在清单所在文件夹 {str(base)!r} 之外；请把文件移入该文件夹，"
            "或在清单顶层写 `allow_outside: true` 以允许其他位置的文件",
        )
        return None
    return path


def _sensitive_area(raw: Any, where: str, problems: list[str]) -> dict[str, str] | None:
    """Read ``sensitive_area: {group: 二, type: 重要湿地}`` (the 名录's 第三条 group and type)."""
    if raw is None:
        return None
    if not isinstance(raw, dict) or not raw.get("group") or not raw.get("type"):
        _say(
            problems,
            f"{where}: sensitive_area must name the 名录 第三条 group and type, e.g. "
            "`sensitive_area: {group: 二, type: 重要湿地}`",
            f"{where}：sensitive_area 须写明名录第三条的类别和类型，如 `sensitive_area: {{group: 二, type: 重要湿地}}`",
        )
        return None
    return {"group": str(raw["group"]), "type": str(raw["type"])}


def _check_encoding(encoding: Any, path: Path | None, where: str, problems: list[str]) -> None:
    """Report an ``encoding:`` that is not a known codec, or that is given for anything but a Shapefile."""
    if encoding is None:
        return
    try:
        codecs.lookup(str(encoding))
    except LookupError:
        _say(
            problems,
            f"{where}: encoding {encoding!r} is not a known text encoding; use e.g. gbk or utf-8",
            f"{where}：encoding {encoding!r} 不是已知的文字编码；可用 gbk 或 utf-8 等",
        )
    if path is None or path.suffix.lower() != ".shp":
        _say(
            problems,
            f"{where}: encoding applies only to Shapefile DBF text "
            f"({f'{path.suffix} files are' if path is not None else 'this source is'} always UTF-8); "
            "remove `encoding:`",
            f"{where}：encoding 只适用于 Shapefile 的 DBF 文本"
            f"（{f'{path.suffix} 文件' if path is not None else '这种数据源'}总是 UTF-8 编码）；请删去 `encoding:`",
        )


def _access_list_fields(
    raw: dict, kind: Any, base: Path, where: str, allow_outside: bool, problems: list[str]
) -> dict[str, Any]:
    """Read ``access_list:`` and its ``access_list_*`` options; return them as :class:`LayerSpec` fields."""
    access_list = None
    if raw.get("access_list"):
        access_list = _inside(base, raw["access_list"], where, "access_list", allow_outside, problems)
        if kind != "control_unit":
            _say(
                problems,
                f"{where}: access_list is only for control_unit layers",
                f"{where}：access_list 只用于 control_unit（管控单元）图层",
            )
        if access_list is not None and not access_list.exists():
            _say(
                problems,
                f"{where}: access_list file {str(access_list)!r} does not exist",
                f"{where}：access_list 文件 {str(access_list)!r} 不存在",
            )
    for key in ("access_list_columns", "access_list_sheets", "access_list_area_fields", "access_list_corrections"):
        if raw.get(key) is not None and not raw.get("access_list"):
            _say(
                problems,
                f"{where}: {key} is only for a layer with an access_list",
                f"{where}：{key} 只用于写了 access_list 的图层",
            )
    columns = raw.get("access_list_columns") or {}
    if not isinstance(columns, dict):
        _say(
            problems,
            f"{where}: access_list_columns must map a role or dimension to the header text",
            f"{where}：access_list_columns 须把列的角色或管控维度映射到表头文字",
        )
        columns = {}
    area_fields = raw.get("access_list_area_fields") or ()
    area_fields = (area_fields,) if isinstance(area_fields, str) else tuple(str(f) for f in area_fields)
    corrections = raw.get("access_list_corrections")
    if corrections not in (None, False):
        corrections = _inside(base, corrections, where, "access_list_corrections", allow_outside, problems)
    return {
        "access_list": access_list,
        "access_list_columns": columns,
        "access_list_sheets": raw.get("access_list_sheets"),
        "access_list_area_fields": area_fields,
        "access_list_corrections": corrections,
    }


def _layer_coverage(value: Any, base: Path, where: str, allow_outside: bool, problems: list[str]) -> Path | None:
    """Resolve the entry's ``coverage:`` (the outline the layer covers); report it missing."""
    if value is None:
        return None
    coverage = _inside(base, value, where, "coverage", allow_outside, problems)
    if coverage is not None and not coverage.exists():
        _say(
            problems,
            f"{where}: coverage file {str(coverage)!r} does not exist; give the outline the layer covers",
            f"{where}：coverage 文件 {str(coverage)!r} 不存在；请给出该图层覆盖范围的边界",
        )
    return coverage
