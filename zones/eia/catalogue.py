"""Editions of the 名录 as package data: loading, checking, and finding a project's rows.

An edition is a folder ``zones/data/minglu/<name>/`` holding the table verbatim (``minglu.csv``),
the articles and 说明 verbatim (``articles.md``), the provenance (``README.md``), the 环境敏感区 of
第三条 (``sensitive.yaml``) and each row's industry codes and conditions (``conditions.yaml``).
A newer edition is another folder; :func:`load_edition` picks one by name (default: the newest in
force) or reads a folder given by path.  Loading checks everything against the verbatim table and
refuses the edition, naming each row at fault, when any row does not parse.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Any

from redline.zones.cache_folder import cached_object
from redline.zones.eia.conditions import Condition, Named, Sensitive, TypeIs
from redline.zones.eia.facts import FactSpec, unit_dimension
from redline.zones.eia.parsing import Env, parse_condition
from redline.zones.eia.sensitive import Scheme, Scope, load_scheme, parse_scope
from redline.zones.errors import RuleError, listed
from redline.zones.industry import lookup, normalize_code
from redline.zones.kinds import KINDS
from redline.zones.yaml_text import load_yaml

__all__ = [
    "CATEGORIES",
    "CATEGORY_LABELS",
    "Cell",
    "CodeMap",
    "Edition",
    "EiaTableError",
    "Row",
    "default_edition",
    "editions",
    "load_edition",
]

#: the three documents, strictest first
CATEGORIES: tuple[str, ...] = ("report", "form", "registration")
#: every answer's category -> (zh, en)
CATEGORY_LABELS: dict[str, tuple[str, str]] = {
    "report": ("环境影响报告书", "environmental impact report (报告书)"),
    "form": ("环境影响报告表", "environmental impact form (报告表)"),
    "registration": ("环境影响登记表", "environmental impact registration form (登记表)"),
    "none": ("无需编制环境影响评价文件", "no EIA document"),
    "undetermined": ("待定", "undetermined"),
}
_COLUMNS = {"report": "报告书", "form": "报告表", "registration": "登记表"}
_ROW_KEYS = {"row", "item", "codes", "codes_from", "codes_note", "applies", "sensitive", "note", *_COLUMNS}
_FACT_KEYS = {"name", "kind", "units", "aliases", "en", "ask", "note", "per"}
_SPACE = re.compile(r"\s+")


class EiaTableError(RuleError):
    """An edition of the 名录 cannot be loaded; ``problems`` lists every row and file at fault.

    Examples
    --------
    >>> err = EiaTableError("2021", ["row 54: report: unknown condition 'x'"])
    >>> print(err)
    名录 edition '2021' has 1 problem:
      - row 54: report: unknown condition 'x'
    >>> print(err.zh)
    名录版本 '2021' 有 1 处问题：
      - row 54: report: unknown condition 'x'
    """

    def __init__(self, edition: str, problems: list[str]) -> None:
        self.edition = edition
        self.problems = list(problems)
        n = len(self.problems)
        super().__init__(
            f"名录 edition {edition!r} has {n} problem{'s' if n != 1 else ''}:\n{listed(self.problems)}",
            param="edition",
            value=edition,
            zh=f"名录版本 {edition!r} 有 {n} 处问题：\n{listed(self.problems, zh=True)}",
        )


@dataclass(frozen=True)
class CodeMap:
    """A GB/T 4754-2017 code of a row, starred or partial.

    ``starred``: printed with 「*」, only production in 工业建筑 (说明4); ``partial``: the code also covers
    activities the row does not, so a project of that code may not be this item.
    """

    code: str
    starred: bool = False
    partial: bool = False


@dataclass(frozen=True)
class Cell:
    """One cell: its category, verbatim text, and condition (None for 「/」)."""

    category: str
    text: str
    condition: Condition | None


@dataclass(frozen=True)
class Row:
    """One row (项目类别) of the 名录.

    Examples
    --------
    >>> row = load_edition("2021").rows[54]
    >>> row.cell("report").text, [c.code for c in row.codes]
    ('水泥制造（水泥粉磨站除外）', ['C301'])
    """

    number: int
    family: int
    family_name: str
    item: str
    codes: tuple[CodeMap, ...]
    codes_from: str
    codes_note: str
    cells: tuple[Cell, ...]
    applies: Cell | None
    sensitive_text: str
    scope: Scope
    note: str = ""
    page: str = ""

    def label(self, lang: str = "zh") -> str:
        """Return ``名录第97项 房地产开发、…`` (zh) or ``名录 item 97 房地产开发、…`` (en)."""
        item = _SPACE.sub(" ", self.item).strip()
        return f"名录第{self.number}项 {item}" if lang == "zh" else f"名录 item {self.number} {item}"

    def cell(self, category: str) -> Cell:
        """Return the cell of ``report``, ``form`` or ``registration``."""
        return next(c for c in self.cells if c.category == category)

    def conditions(self) -> list[Condition]:
        """Return every condition of the row (cells and applicability)."""
        cells = [*self.cells, *([self.applies] if self.applies else [])]
        return [c.condition for c in cells if c.condition is not None]

    @property
    def depends_on_sensitivity(self) -> bool:
        """True when a condition of the row tests 涉及环境敏感区."""
        return any(isinstance(n, Sensitive) for c in self.conditions() for n in c.walk())


@dataclass(frozen=True)
class Edition:
    """One edition of the 名录, loaded and checked.

    Examples
    --------
    >>> ed = load_edition("2021")
    >>> ed.name, ed.status, ed.in_force, len(ed.rows)
    ('2021', 'in_force', '2021-01-01', 173)
    """

    name: str
    title: str
    status: str
    in_force: str
    order: str
    source: str
    source_en: str
    standing: str
    standing_en: str
    rows: Mapping[int, Row]
    facts: tuple[FactSpec, ...]
    processes: Mapping[str, frozenset[str]]
    scheme: Scheme
    articles: Mapping[str, tuple[str, ...]]
    notes: Mapping[str, str]
    citations: Mapping[str, str]
    type_names: frozenset[str] = field(default_factory=frozenset)

    @property
    def vocabulary(self) -> dict[str, FactSpec]:
        """The facts by name."""
        return {f.name: f for f in self.facts}

    def cite(self, role: str) -> tuple[str, str]:
        """Return (reference, verbatim text) of the article an answer cites for ``role``.

        Examples
        --------
        >>> ref, text = load_edition("2021").cite("not_listed")
        >>> ref, text.startswith("第五条"), "不纳入建设项目环境影响评价管理" in text
        ('第五条', True, True)
        """
        ref = self.citations[role]
        return ref, self.article_text(ref)

    def article_text(self, ref: str) -> str:
        """Return the verbatim text of ``第四条``, ``第四条第二款`` or ``说明4``."""
        m = re.fullmatch(r"(第.+?条)(?:第(.+?)款)?", ref)
        if m:
            paras = [p for p in self.articles.get(m[1], ()) if not p.startswith("（")]
            if m[2] is None:
                return "".join(self.articles.get(m[1], ()))
            index = "一二三四五六七八九".index(m[2])
            return paras[index] if index < len(paras) else ""
        return self.notes.get(ref, "")

    def rows_for_code(self, code: str) -> list[tuple[Row, CodeMap, str]]:
        """Return the rows a project code falls under: (row, code map, ``full``/``partial``/``broader``).

        ``broader`` means the project's code is less specific than the row's (``C30`` for ``C301``).
        """
        out = []
        for row in self.rows.values():
            for cm in row.codes:
                if code.startswith(cm.code):
                    out.append((row, cm, "partial" if cm.partial else "full"))
                    break
                if cm.code.startswith(code):
                    out.append((row, cm, "broader"))
                    break
        return out


# --------------------------------------------------------------------------- reading files


def _root() -> Traversable:
    return resources.files("redline.zones").joinpath("data/minglu")


def editions() -> tuple[str, ...]:
    """Return the names of the editions shipped, oldest first.

    Examples
    --------
    >>> "2021" in editions()
    True
    """
    return tuple(sorted(p.name for p in _root().iterdir() if p.joinpath("conditions.yaml").is_file()))


def _yaml(text: str) -> Any:
    """Parse YAML with libyaml when it is there (the 名录's conditions take seconds in pure Python)."""
    return load_yaml(text)


@cache
def default_edition() -> str:
    """Return the newest edition whose status is ``in_force`` (read from each edition's header lines).

    Examples
    --------
    >>> default_edition()
    '2021'
    """
    for name in reversed(editions()):
        text = _root().joinpath(name, "conditions.yaml").read_text("utf-8")
        status = re.search(r"(?m)^status:\s*['\"]?(\w+)", text)
        if status and status.group(1) == "in_force":
            return name
    raise RuleError("no edition of the 名录 in force is installed", param="edition", zh="没有安装现行有效的名录版本")


def _read_articles(text: str) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """Parse ``articles.md``: paragraphs of each 第N条, and the numbered 说明."""
    articles: dict[str, list[str]] = {}
    notes: dict[str, str] = {}
    current = ""
    for line in text.splitlines():
        line = line.rstrip()
        head = re.match(r"^### (第.+条)$", line)
        if head:
            current = head[1]
            articles[current] = []
            continue
        if line.startswith("## "):
            current = "说明" if line.startswith("## 说明") else ""
            continue
        if not line or line.startswith(("<sub>", "#", ">", "Note:", "Source:", "Extraction:", "The 令")):
            continue
        if current == "说明":
            m = re.match(r"^(\d+)\.(.+)$", line)
            if m:
                notes[f"说明{m[1]}"] = m[2].strip()
        elif current:
            articles[current].append(line.strip())
    return {k: tuple(v) for k, v in articles.items()}, notes


def _same(a: str, b: str) -> bool:
    return _SPACE.sub("", a) == _SPACE.sub("", b)


def _fact_specs(raw: Iterable[Mapping[str, Any]], problems: list[str]) -> tuple[FactSpec, ...]:
    out = []
    for f in raw:
        name = str(f.get("name", ""))
        problems += [f"facts {name}: unknown key {k!r}" for k in sorted(set(f) - _FACT_KEYS)]
        units = tuple(str(u) for u in (f.get("units") or []))
        try:
            dims = frozenset(unit_dimension(u) for u in units)
        except ValueError as exc:
            problems.append(f"facts {name}: {exc}")
            dims = frozenset()
        kind = str(f.get("kind", ""))
        if kind not in ("quantity", "flag", "list"):
            problems.append(f"facts {name}: kind {kind!r} is not quantity, flag or list")
        period = str(f.get("per") or "")
        aliases = tuple(str(a) for a in (f.get("aliases") or []))
        note = " ".join(str(f.get("note") or "").split())
        out.append(
            FactSpec(name, kind, units, aliases, str(f.get("en") or ""), str(f.get("ask") or ""), note, period, dims)
        )
    return tuple(out)


def _processes(raw: Iterable[Any], problems: list[str]) -> dict[str, frozenset[str]]:
    out: dict[str, frozenset[str]] = {}
    for p in raw:
        name, includes = (p, []) if isinstance(p, str) else (str(p.get("name")), p.get("includes") or [])
        if any(s in name for s in ";；,，、"):
            problems.append(f"processes: {name!r} contains a list separator")
        out[name] = frozenset({name, *(str(i) for i in includes)})
    return out


def _codes(raw_row: Mapping[str, Any], csv_row: Mapping[str, str], problems: list[str]) -> tuple[CodeMap, ...]:
    n = csv_row["序号"]
    out = []
    for item in raw_row.get("codes") or []:
        text = str(item)
        starred, partial = "*" in text, "~" in text
        code = normalize_code(text.replace("*", "").replace("~", ""))
        if lookup(code) is None:
            problems.append(f"row {n}: code {text!r} is not in GB/T 4754-2017")
        out.append(CodeMap(code, starred, partial))
    printed = [c.strip() for c in csv_row["行业代码_派生"].split(";") if c.strip()]
    source = raw_row.get("codes_from")
    if printed:
        want = {(normalize_code(c.rstrip("*")), c.endswith("*")) for c in printed}
        have = {(c.code, c.starred) for c in out}
        if source != "printed" or want != have:
            problems.append(f"row {n}: codes {sorted(have)} (codes_from {source}) differ from the printed {printed}")
        divisions = {d.strip() for d in csv_row["一级类别门类代码_派生"].split(";") if d.strip()}
        wrong = [c.code for c in out if divisions and c.code[1:3] not in divisions]
        if wrong:
            problems.append(f"row {n}: codes {wrong} are outside the divisions {sorted(divisions)} of its 一级类别")
    elif source != "text" or not str(raw_row.get("codes_note") or "").strip():
        problems.append(f"row {n}: printed without a code: set codes_from: text and say how in codes_note")
    return tuple(out)


def _cell(category: str, raw: Any, verbatim: str, env: Env, where: str, problems: list[str]) -> Cell:
    raw = raw if isinstance(raw, Mapping) else {}
    text = str(raw.get("text", ""))
    if not _same(text, verbatim):
        problems.append(f"{where}: text {text!r} differs from the table's {verbatim!r}")
    if _same(verbatim, "/"):
        if raw.get("when") not in (None, False):
            problems.append(f"{where}: the table has 「/」 but a condition is given")
        return Cell(category, verbatim, None)
    if "when" not in raw:
        problems.append(f"{where}: no condition (when:)")
        return Cell(category, verbatim, None)
    try:
        return Cell(category, verbatim, parse_condition(raw["when"], env))
    except (ValueError, KeyError, TypeError) as exc:
        problems.append(f"{where}: {exc}")
        return Cell(category, verbatim, None)


def _scope(raw: Any, csv_row: Mapping[str, str], scheme: Scheme, problems: list[str]) -> Scope:
    n, text = csv_row["序号"], csv_row["本栏目环境敏感区含义"]
    if not text.strip():
        if raw:
            problems.append(f"row {n}: sensitive: given, but the table has no 本栏目环境敏感区含义")
        return Scope(frozenset())
    raw = raw if isinstance(raw, Mapping) else {}
    if not _same(str(raw.get("text", "")), text):
        problems.append(f"row {n}: sensitive.text differs from the table's 本栏目环境敏感区含义")
    try:
        scope = parse_scope(scheme, text)
    except ValueError as exc:
        problems.append(f"row {n}: 本栏目环境敏感区含义: {exc}")
        return Scope(frozenset())
    listed = _expand_types(raw.get("types") or [], scheme, n, problems)
    if listed != scope.base:
        problems.append(
            f"row {n}: sensitive.types {sorted(listed)} differ from the wording's {sorted(scope.base)} "
            f"(missing {sorted(scope.base - listed)}, extra {sorted(listed - scope.base)})"
        )
    also = {str(k): _expand_types(v, scheme, n, problems) for k, v in (raw.get("also") or {}).items()}
    if also != dict(scope.extra):
        problems.append(f"row {n}: sensitive.also {also} differs from the wording's {dict(scope.extra)}")
    return scope


def _expand_types(names: Iterable[Any], scheme: Scheme, n: Any, problems: list[str]) -> frozenset[str]:
    out: set[str] = set()
    for name in names:
        m = re.fullmatch(rf"{scheme.article}（([一二三])）", str(name))
        if m:
            out |= scheme.group_types(m[1])
        elif scheme.get(str(name)) is None:
            problems.append(f"row {n}: unknown sensitive area type {name!r}")
        else:
            out.add(scheme.get(str(name)).name)  # type: ignore[union-attr]
    return frozenset(out)


def _row(raw: Mapping[str, Any], csv_row: Mapping[str, str], env: Env, problems: list[str]) -> Row:
    n = int(csv_row["序号"])
    problems += [f"row {n}: unknown key {k!r}" for k in sorted(set(raw) - _ROW_KEYS, key=str)]
    if "item" in raw and not _same(str(raw["item"]), csv_row["项目类别"]):
        problems.append(f"row {n}: item {raw['item']!r} differs from the table's 项目类别 {csv_row['项目类别']!r}")
    codes = _codes(raw, csv_row, problems)
    scope = _scope(raw.get("sensitive"), csv_row, env.scheme, problems)
    cells = tuple(
        _cell(cat, raw.get(cat), csv_row[col], env, f"row {n} {col}", problems) for cat, col in _COLUMNS.items()
    )
    applies = None
    if raw.get("applies") is not None:
        a = raw["applies"]
        text = str(a.get("text", "")) if isinstance(a, Mapping) else ""
        item = _SPACE.sub("", csv_row["项目类别"])
        if not text or any(_SPACE.sub("", part) not in item for part in text.split("；")):
            problems.append(f"row {n} applies: text {text!r} is not part of the 项目类别 {csv_row['项目类别']!r}")
        applies = _cell(
            "applies",
            {"text": text, "when": a.get("when") if isinstance(a, Mapping) else None},
            text,
            env,
            f"row {n} applies",
            problems,
        )
    page = f"PDF page {csv_row['src_pdf_page']} (printed page {csv_row['src_printed_page']})"
    row = Row(
        n,
        int(csv_row["一级类别序号"]),
        csv_row["一级类别"],
        csv_row["项目类别"],
        codes,
        str(raw.get("codes_from") or ""),
        " ".join(str(raw.get("codes_note") or "").split()),
        cells,
        applies,
        csv_row["本栏目环境敏感区含义"],
        scope,
        " ".join(str(raw.get("note") or "").split()),
        page,
    )
    _check_sensitivity(row, csv_row, problems)
    return row


def _check_sensitivity(row: Row, csv_row: Mapping[str, str], problems: list[str]) -> None:
    nodes = [n for c in row.conditions() for n in c.walk() if isinstance(n, Sensitive)]
    flagged = csv_row["条件涉及环境敏感区_派生"] == "Y"
    if flagged != bool(nodes):
        problems.append(
            f"row {row.number}: the table says its conditions {'do' if flagged else 'do not'} test 环境敏感区, "
            f"the conditions {'do' if nodes else 'do not'}"
        )
    allowed = row.scope.all_types()
    for node in nodes:
        extra = (node.types or frozenset()) - allowed
        if extra:
            problems.append(
                f"row {row.number}: tests sensitive types {sorted(extra)} its 本栏目环境敏感区含义 does not name"
            )


def _defines(raw: Mapping[str, Any], env: Env, problems: list[str]) -> dict[str, Condition]:
    out: dict[str, Condition] = {}
    for name, spec in (raw or {}).items():
        try:
            cond = parse_condition(spec.get("when"), Env(env.vocabulary, env.processes, out, env.scheme))
        except (ValueError, AttributeError, TypeError) as exc:
            problems.append(f"define {name}: {exc}")
            continue
        out[str(name)] = Named(str(name), cond, " ".join(str(spec.get("text") or "").split()))
    return out


def _load(name: str, folder: Traversable | Path) -> Edition:
    problems: list[str] = []
    raw = _yaml(folder.joinpath("conditions.yaml").read_text("utf-8")) or {}
    table = list(csv.DictReader(folder.joinpath("minglu.csv").read_text("utf-8").splitlines(keepends=True)))
    articles, notes = _read_articles(folder.joinpath("articles.md").read_text("utf-8"))
    sens_raw = _yaml(folder.joinpath("sensitive.yaml").read_text("utf-8")) or {}
    scheme, more = load_scheme(sens_raw, articles, KINDS)
    problems += more
    facts = _fact_specs(raw.get("facts") or [], problems)
    processes = _processes(raw.get("processes") or [], problems)
    env = Env({f.name: f for f in facts}, frozenset(processes), {}, scheme)
    env = Env(env.vocabulary, env.processes, _defines(raw.get("define") or {}, env, problems), scheme)
    by_number = {}
    for r in raw.get("rows") or []:
        if not isinstance(r, Mapping) or "row" not in r:
            problems.append(f"rows: entry {r!r} has no row number")
            continue
        by_number[int(r["row"])] = r
    rows: dict[int, Row] = {}
    for csv_row in table:
        n = int(csv_row["序号"])
        if n not in by_number:
            problems.append(f"row {n}: not in conditions.yaml")
            continue
        rows[n] = _row(by_number[n], csv_row, env, problems)
    problems += [f"row {n}: in conditions.yaml but not in the table" for n in sorted(set(by_number) - set(rows))]
    citations = {str(k): str(v) for k, v in (raw.get("citations") or {}).items()}
    probe = Edition(name, "", "", "", "", "", "", "", "", {}, (), {}, scheme, articles, notes, citations)
    problems += [
        f"citations.{k}: {v!r} is not in articles.md" for k, v in citations.items() if not probe.article_text(v)
    ]
    if problems:
        raise EiaTableError(name, problems)
    types = frozenset(
        n
        for row in rows.values()
        for c in row.conditions()
        for node in c.walk()
        if isinstance(node, TypeIs)
        for n in node.names
    )
    return Edition(
        name=str(raw.get("edition") or name),
        title=str(raw.get("title") or ""),
        status=str(raw.get("status") or ""),
        in_force=str(raw.get("in_force") or ""),
        order=str(raw.get("order") or ""),
        source=" ".join(str(raw.get("source") or "").split()),
        source_en=" ".join(str(raw.get("source_en") or "").split()),
        standing=" ".join(str(raw.get("standing") or "").split()),
        standing_en=" ".join(str(raw.get("standing_en") or "").split()),
        rows=rows,
        facts=facts,
        processes=processes,
        scheme=scheme,
        articles=articles,
        notes=notes,
        citations=citations,
        type_names=types,
    )


@cache
def _load_named(name: str) -> Edition:
    folder = _root().joinpath(name)
    if not folder.joinpath("conditions.yaml").is_file():
        raise RuleError(
            f"名录 edition {name!r} is not installed; installed editions are {', '.join(editions())}",
            param="edition",
            value=name,
            zh=f"没有安装名录版本 {name!r}；已安装的版本有 {'、'.join(editions())}",
        )
    # parsing and checking the 173 rows takes most of a second: kept, parsed, in the cache folder
    sources = sorted(p.name for p in folder.iterdir() if p.is_file())
    return cached_object(
        f"minglu-{name}", [folder.joinpath(n).read_bytes() for n in sources], lambda: _load(name, folder)
    )


def load_edition(edition: str | Path | Edition | None = None) -> Edition:
    """Return an edition of the 名录, loaded and checked: by name, by folder, or the default.

    Parameters
    ----------
    edition : str, Path or Edition, optional
        An installed edition's name (``"2021"``), a folder holding the five files, or an edition
        already loaded.  None: :func:`default_edition`.

    Raises
    ------
    EiaTableError
        If any row does not parse or does not match the verbatim table; every problem names its row.
    RuleError
        If no edition of that name is installed.

    Examples
    --------
    >>> ed = load_edition("2021")
    >>> len(ed.rows), ed.rows[97].label().startswith("名录第97项 房地产开发、商业综合体")
    (173, True)
    """
    if isinstance(edition, Edition):
        return edition
    if edition is None:
        return _load_named(default_edition())
    if isinstance(edition, Path) or (isinstance(edition, str) and ("/" in edition or "\\" in edition)):
        folder = Path(edition)
        if not folder.joinpath("conditions.yaml").is_file():
            raise RuleError(
                f"{str(folder)!r} is not a 名录 edition folder (no conditions.yaml)",
                param="edition",
                value=str(edition),
                zh=f"{str(folder)!r} 不是名录版本的文件夹（其中没有 conditions.yaml）",
            )
        return _load(folder.name, folder)
    return _load_named(str(edition).strip())
