"""Read an access list (生态环境准入清单) as bureaus publish it into the canonical long table.

Lists come wide (one row per unit, a column per dimension, often under a two-row header with
管控要求 merged over the four dimensions) or long (unit, dimension, text), in XLSX, XLS, CSV or a
DOCX table, often with several sheets (a county's 总体管控要求 beside the per-unit sheet).
Columns are found by their usual Chinese and English names (编码, 单元名称, 管控单元类别, 省, 市,
县（区）, 管控维度, 管控要求, 空间布局约束 ...); the manifest may name the rest
(``access_list_columns``) and choose and scope sheets (``access_list_sheets``).  The result is
one row per cell: :data:`redline.zones.access_build.CANONICAL_COLUMNS`.

:func:`read_access_list` is the entry point the layer reader uses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from redline.layers.access_grids import Grid, read_grids
from redline.zones.access_build import CANONICAL_COLUMNS, STRUCTURED_COLUMNS, build_access_list
from redline.zones.access_list import AccessList, AccessProblem
from redline.zones.access_scope import canonical_dimension, parse_scope
from redline.zones.errors import RuleError
from redline.zones.yaml_text import load_yaml

__all__ = ["ROLES", "read_access_list", "read_access_table", "read_corrections"]

#: What each role's column is usually called (compared without spaces, parentheses made ASCII).
ROLES: dict[str, tuple[str, ...]] = {
    "unit_code": ("环境管控单元编码", "管控单元编码", "单元编码", "环境管控单元代码", "管控单元代码", "单元代码",
                  "编码", "代码", "单元编号", "管控单元编号", "unit_code", "code", "unitcode"),
    "unit_name": ("环境管控单元名称", "管控单元名称", "单元名称", "名称", "unit_name", "name"),
    "unit_class": ("管控单元类别", "环境管控单元类别", "管控单元分类", "环境管控单元分类", "单元类别", "单元分类",
                   "管控类别", "单元类型", "管控单元类型", "类别", "分类", "类型", "unit_class", "class", "category"),
    "province": ("省", "省份", "省(区、市)", "省(自治区)", "province"),
    "city": ("市", "地市", "城市", "地级市", "市(州)", "市(州、盟)", "设区市", "city"),
    "county": ("县(区)", "县", "区县", "县区", "县(市、区)", "县(市)", "区(县)", "区", "county", "district"),
    "scope": ("适用范围", "范围", "管控范围", "适用区域", "scope"),
    "dimension": ("管控维度", "维度", "准入维度", "管控要求类别", "管控类型", "dimension"),
    "text": ("管控要求", "准入要求", "生态环境准入清单", "生态环境准入要求", "管控内容", "准入清单", "要求", "内容",
             "clause", "text", "requirement"),
    "skip": ("序号", "编号", "备注", "面积", "面积(km2)", "面积(平方公里)", "no", "index"),
    **{c: (c,) for c in STRUCTURED_COLUMNS},
}  # fmt: skip
_SCOPE_ROLES = ("unit_code", "scope", "unit_class", "county", "city", "province")
_KEEP = ("unit_code", "unit_name", "unit_class", "province", "city", "county")


def _norm(text: Any) -> str:
    value = str(text or "").translate(str.maketrans({"（": "(", "）": ")", "　": ""}))
    return re.sub(r"\s+", "", value).lower()


def _role(cell: str, mapping: Mapping[str, tuple[str, ...]]) -> str | None:
    """Return the role of a header cell: a role name, ``dim:<canonical>``, or None."""
    key = _norm(cell)
    if not key or len(key) > 20 or re.search(r"[。，；;]", key):
        return None
    for role, names in mapping.items():
        if key in {_norm(n) for n in names}:
            return role
    for role, names in ROLES.items():
        if key in {_norm(n) for n in names}:
            return role
    dim = canonical_dimension(cell) if len(key) <= 14 else None
    if dim:
        return f"dim:{dim}"
    if re.search(r"编码|代码", key) and "行政" not in key:
        return "unit_code"
    if "名称" in key:
        return "unit_name"
    if re.search(r"(类别|分类)$", key):
        return "unit_class"
    if "维度" in key:
        return "dimension"
    if re.search(r"要求|清单|内容", key):
        return "text"
    return None


@dataclass
class _Header:
    row: int
    height: int
    roles: dict[int, str]
    labels: dict[int, str]

    @property
    def score(self) -> int:
        found = set(self.roles.values()) - {"skip"}
        dims = sum(1 for r in found if r.startswith("dim:"))
        usable = "text" in found or dims > 0
        return len(found) + (3 if usable else 0) + (1 if set(_SCOPE_ROLES) & found else 0)

    @property
    def usable(self) -> bool:
        found = set(self.roles.values())
        scoped = bool(found & set(_SCOPE_ROLES))
        dims = any(r.startswith("dim:") for r in found)
        return (dims and scoped) or ("text" in found and (scoped or "dimension" in found))


def _is_banner(row: list[str]) -> bool:
    """Return True for a title or section row: one value, merged across (or alone on) the row."""
    values = [v for v in row if v]
    return len(values) >= 1 and len(set(values)) == 1 and (len(values) > 1 or len(row) > 1)


def _header_at(rows: list[list[str]], r: int, mapping: Mapping[str, tuple[str, ...]]) -> list[_Header]:
    top = rows[r]
    single = {c: role for c, v in enumerate(top) if (role := _role(v, mapping))}
    out = [_Header(r, 1, single, {c: top[c] for c in single})]
    if r + 1 < len(rows):
        bottom = rows[r + 1]
        roles, labels = dict(single), {c: top[c] for c in single}
        for c, v in enumerate(bottom):
            role = _role(v, mapping)
            if (role and role.startswith("dim:") and v != top[c]) or (c not in roles and role):
                roles[c], labels[c] = role, v
        if sum(r_.startswith("dim:") for r_ in roles.values()) > sum(r_.startswith("dim:") for r_ in single.values()):
            out.append(_Header(r, 2, roles, labels))
    return out


def _find_header(rows: list[list[str]], mapping: Mapping[str, tuple[str, ...]]) -> tuple[_Header | None, int]:
    """Return the best header among the first rows, and the row looked at (for messages)."""
    best: _Header | None = None
    looked = next((i for i, row in enumerate(rows) if any(row)), 0)
    for r in range(min(len(rows), 20)):
        if _is_banner(rows[r]) or not any(rows[r]):
            continue
        for header in _header_at(rows, r, mapping):
            if best is None or header.score > best.score:
                best = header
    if best is not None:
        looked = best.row
    return (best if best is not None and best.usable else None), looked


def _mapping(columns: Mapping[str, Any] | None) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for key, value in (columns or {}).items():
        names = (value,) if isinstance(value, str) else tuple(value)
        dim = canonical_dimension(key)
        role = key if key in ROLES else (f"dim:{dim}" if dim else None)
        if role is None:
            roles = [r for r in ROLES if r != "skip"]
            raise RuleError(
                f"access list column mapping: {key!r} is neither a role ({', '.join(roles)}) nor a dimension",
                param="columns",
                value=key,
                zh=f"准入清单列映射：{key!r} 既不是列的角色（{'、'.join(roles)}），也不是管控维度",
            )
        out[role] = names
    return out


def _sheet_scope(grid: Grid, given: str | None) -> str:
    if given:
        return given
    name = re.sub(r"^(附表|附件|表)\s*[\d一二三四五六七八九十]+[\s:：.、\-]*", "", grid.name.strip())
    scope = parse_scope(name)
    return scope.label if scope.kind in ("area", "class") else ""


def _records(grid: Grid, header: _Header, sheet_scope: str) -> list[dict[str, Any]]:
    """Turn a sheet's data rows into canonical records (one per text cell)."""
    roles = header.roles
    col = {role: c for c, role in sorted(roles.items(), reverse=True) if not role.startswith("dim:")}
    dims = [(c, header.labels[c]) for c, role in sorted(roles.items()) if role.startswith("dim:")]
    long = "dimension" in col or not dims
    header_cells = [grid.rows[header.row + i] for i in range(header.height)]
    out: list[dict[str, Any]] = []
    section, previous = "", {}
    for r in range(header.row + header.height, len(grid.rows)):
        row = grid.rows[r]
        if not any(row) or row in header_cells:
            continue
        if _is_banner(row) and not (long and "text" in col and row[col["text"]] and len(set(row)) > 1):
            section = next(v for v in row if v)
            previous = {}
            continue
        values = {role: row[c] for role, c in col.items() if c < len(row)}
        has_scope = any(values.get(k) for k in ("unit_code", "scope"))
        if not has_scope:
            for key in (*_KEEP, "scope", "dimension"):
                if not values.get(key) and previous.get(key):
                    values[key] = previous[key]
        elif (
            not values.get("dimension")
            and previous.get("dimension")
            and values.get("unit_code") == previous.get("unit_code")
        ):
            values["dimension"] = previous["dimension"]
        previous = values
        base = {k: values.get(k, "") for k in _KEEP}
        base.update({k: values.get(k, "") for k in STRUCTURED_COLUMNS if k in values})
        scope = _row_scope(values, section, sheet_scope)
        base.update(sheet=grid.name, row=r + 1, scope=scope, sheet_scope="1" if scope == sheet_scope else "")
        cells = (
            [(values.get("dimension", ""), values.get("text", ""))] if long else [(label, row[c]) for c, label in dims]
        )
        for dimension, text in cells:
            if text.strip():
                out.append({**base, "dimension": dimension, "text": text})
    return out


def _row_scope(values: Mapping[str, str], section: str, sheet_scope: str) -> str:
    for key in ("unit_code", "scope"):
        if values.get(key):
            return values[key]
    if section and parse_scope(section).kind != "unit":
        return section
    for key in ("unit_class", "county", "city", "province"):
        if values.get(key):
            return values[key]
    return sheet_scope or "*"


def _refusal(path: Path, looked: list[tuple[str, int, list[str]]]) -> RuleError:
    parts = [
        f"sheet {name!r}: looked at row {row + 1} ({' | '.join(v for v in cells if v) or 'empty'})"
        for name, row, cells in looked
    ]
    parts_zh = [
        f"工作表 {name!r}：查看了第 {row + 1} 行（{' | '.join(v for v in cells if v) or '空行'}）"
        for name, row, cells in looked
    ]
    example = (
        "access_list_columns: {unit_code: 单元编码, unit_name: 单元名称, unit_class: 管控单元类别, text: 管控要求}"
    )
    return RuleError(
        f"access list '{path.name}': cannot find its columns (a unit code and either a requirement text column "
        f"or one column per dimension); {'; '.join(parts)}. Name the columns in the layer's entry of "
        f"layerset.yaml, e.g. {example}, or per dimension {{空间布局约束: 布局管控, ...}}; and choose sheets with "
        "access_list_sheets: [单元清单, 总体管控要求]",
        param="columns",
        zh=f"准入清单 '{path.name}'：找不到所需的列（单元编码列，以及管控要求文本列或每个管控维度各一列）；"
        f"{'；'.join(parts_zh)}。请在 layerset.yaml 中该图层的条目里写明列名，如 {example}，"
        "或按维度写 {空间布局约束: 布局管控, ...}；并用 access_list_sheets: [单元清单, 总体管控要求] 选定工作表",
    )


def _chosen(
    grids: list[Grid], sheets: Sequence[str] | Mapping[str, str] | None, path: Path
) -> list[tuple[Grid, str | None]]:
    if sheets is None:
        return [(g, None) for g in grids]
    wanted = dict(sheets) if isinstance(sheets, Mapping) else dict.fromkeys(sheets)
    by_name = {g.name: g for g in grids}
    missing = [s for s in wanted if s not in by_name]
    if missing:
        raise RuleError(
            f"access list '{path.name}' has no sheet {', '.join(map(repr, missing))}; its sheets are "
            f"{', '.join(map(repr, by_name))}",
            param="sheets",
            value=missing,
            zh=f"准入清单 '{path.name}' 没有工作表 {'、'.join(map(repr, missing))}；"
            f"它的工作表有 {'、'.join(map(repr, by_name))}",
        )
    return [(by_name[s], scope) for s, scope in wanted.items()]


def read_access_table(
    path: str | Path,
    columns: Mapping[str, Any] | None = None,
    sheets: Sequence[str] | Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, list[AccessProblem]]:
    """Read a published access list into the canonical long table.

    Parameters
    ----------
    path : str or Path
        An .xlsx, .xls, .csv or .docx file.
    columns : mapping, optional
        Role (``unit_code``, ``unit_name``, ``unit_class``, ``province``, ``city``, ``county``,
        ``scope``, ``dimension``, ``text``) or dimension name -> the header the list prints for it
        (a string or a list of strings): the manifest's ``access_list_columns``.
    sheets : sequence or mapping, optional
        The sheets to read (the manifest's ``access_list_sheets``); a mapping gives each sheet's
        scope (``{总体管控要求: 灵山县}``).  By default every sheet whose columns are found is
        read, and the others are reported as ``sheet_skipped``.

    Returns
    -------
    (pandas.DataFrame, list of AccessProblem)

    Raises
    ------
    RuleError
        When no sheet's columns can be found (or a chosen sheet's), naming each sheet, the header
        row looked at and the mapping to add.
    """
    path = Path(path)
    mapping = _mapping(columns)
    records: list[dict[str, Any]] = []
    problems: list[AccessProblem] = []
    looked: list[tuple[str, int, list[str]]] = []
    for grid, given in _chosen(read_grids(path), sheets, path):
        header, row = _find_header(grid.rows, mapping)
        if header is None:
            looked.append((grid.name, row, grid.rows[row] if grid.rows else []))
            continue
        records += _records(grid, header, _sheet_scope(grid, given))
    if looked and (sheets is not None or not records):
        raise _refusal(path, looked)
    for name, row, cells in looked:
        problems.append(
            AccessProblem(
                "sheet_skipped",
                f"{path.name}: sheet {name!r} skipped: no list columns found (looked at row {row + 1}: "
                f"{' | '.join(v for v in cells if v) or 'empty'})",
                name,
                row + 1,
            )
        )
    extra = [c for c in STRUCTURED_COLUMNS if any(c in r for r in records)]
    table = pd.DataFrame(records, columns=[*CANONICAL_COLUMNS, "sheet_scope", *extra]).fillna("")
    return table, problems


def read_corrections(path: str | Path) -> dict[str, dict[str, Any]]:
    """Read a reviewer's corrections file: clause id -> structured fields (a ``corrections:`` key is optional).

    Raises
    ------
    RuleError
        When the file is not YAML mapping clause ids to mappings.
    """
    path = Path(path)
    try:
        data = load_yaml(path.read_text("utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RuleError(
            f"corrections file '{path.name}' cannot be read ({exc}); write it as UTF-8 YAML",
            zh=f"更正文件 '{path.name}' 无法读取（{exc}）；请用 UTF-8 编码的 YAML 书写",
        ) from None
    data = data.get("corrections", data) if isinstance(data, dict) else data
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise RuleError(
            f"corrections file '{path.name}' must map clause ids to fields, e.g. "
            "'ZH45072120001/空间布局约束/1: {verdict: prohibited, industries: [C3360], actions: [new]}'",
            zh=f"更正文件 '{path.name}' 须把条款编号映射到字段，如 "
            "'ZH45072120001/空间布局约束/1: {verdict: prohibited, industries: [C3360], actions: [new]}'",
        )
    return {str(k): v for k, v in data.items()}


def sidecar(path: Path) -> Path:
    """Return where a list's corrections file is looked for: ``<stem>.corrections.yaml`` beside it."""
    return path.with_name(f"{path.stem}.corrections.yaml")


def read_access_list(
    path: str | Path,
    columns: Mapping[str, Any] | None = None,
    sheets: Sequence[str] | Mapping[str, str] | None = None,
    *,
    corrections: str | Path | Mapping[str, Mapping[str, Any]] | bool | None = None,
    area_fields: Iterable[str] = (),
    digest: str | None = None,
) -> AccessList:
    """Read an access list as bureaus publish it and build the :class:`~redline.zones.access_list.AccessList`.

    Parameters
    ----------
    path : str or Path
        .xlsx, .xls, .csv or .docx; the tool's own long CSV (``unit_code, dimension, clause`` and
        structured columns) reads too.
    columns, sheets
        See :func:`read_access_table`.
    corrections : path, mapping, bool or None
        A reviewer's corrections (clause id -> fields).  None (default): ``<stem>.corrections.yaml``
        beside the list, when it exists; False: none.
    area_fields : iterable of str
        Unit fields of the layer that hold area names (the manifest's mapping).
    digest : str, optional
        The list's fingerprint when the caller has computed it (the layer reader records it);
        it names the list's parsed table in the cache folder.

    Raises
    ------
    RuleError, LayerError
        For a list or corrections file that cannot be read, with what to do.

    Examples
    --------
    >>> from importlib import resources
    >>> path = resources.files("redline.layers").joinpath("sample/data/access_list.xlsx")
    >>> access = read_access_list(path, sheets=["单元清单", "总体管控要求"])
    >>> [c.clause_id for c in access.for_unit("ZH45072120001", "key")][:2]
    ['ZH45072120001/空间布局约束/1', 'ZH45072120001/空间布局约束/2']
    """
    from redline.layers.access_cache import cached_access_table

    path = Path(path)
    options = {"columns": columns, "sheets": sheets}
    def read() -> tuple[pd.DataFrame, list[AccessProblem]]:
        return read_access_table(path, columns, sheets)

    # (a path that is no file goes straight to the reader, which says what is wrong)
    table, problems = cached_access_table(path, options, read, digest) if path.is_file() else read()
    fixes: Mapping[str, Mapping[str, Any]] | None = None
    if isinstance(corrections, Mapping):
        fixes = corrections
    elif corrections is None and sidecar(path).is_file():
        fixes = read_corrections(sidecar(path))
    elif isinstance(corrections, (str, Path)):
        fixes = read_corrections(corrections)
    return build_access_list(table, path.name, corrections=fixes, area_fields=area_fields, problems=problems)
