"""Rules as data: the rule catalogue, its loader and validator.

A catalogue is a YAML file::

    catalog: national
    title: 国家法定规则
    version: "2026-11"
    rules:
      - code: WS01
        kind: water_source
        zone_class: first              # or a list; omitted = every class
        relation: intersects           # intersects | nearby | any
        unless_tags: [water_supply, water_source_protection]
        verdict: prohibited             # prohibited | restricted | review | info
        title_zh: ...
        text_zh: ...                    # the source's own words, verbatim ("……" at cuts)
        text_en: ...
        explanation_zh: ...             # the catalogue's explanation (说明), never shown as the law
        explanation_en: ...
        question_zh: ...                # optional: what a reviewer must check (review rules)
        question_en: ...
        basis: 《中华人民共和国生态环境法典》第三百一十九条（原《水污染防治法》第六十五条）

Project conditions: ``industries`` (GB/T 4754 code prefixes and policy groups) and
``tags`` form one *any-of* condition (a project matches when one of its codes falls
under a listed prefix or it carries one of the listed tags; with neither listed every
project matches); ``unless_industries`` and ``unless_tags`` exclude; ``actions``
limits to new/expand/rebuild.  ``max_distance_m`` limits a ``nearby`` rule.
``kind: "*"`` applies to every kind; ``zone_class`` may list ``null`` for zones
without a class.

A group code broader than the group's source (a *qualified* code, see
``zones/data/industry_groups.yaml``) does not decide: a project matched only by such
a code gets a *question* match (:meth:`Rule.match`), which :func:`redline.zones.outcome.evaluate`
turns into ``review`` with the question, unless one of the project's tags answers it.
An ``info`` rule is informational: its findings are ``clear``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from redline.zones.errors import RuleError, listed
from redline.zones.industry import Qualifier, expand_codes, expand_qualified
from redline.zones.kinds import KINDS
from redline.zones.project import ACTIONS, Match, Project, match_project
from redline.zones.tags import TAGS
from redline.zones.verdicts import RULE_VERDICTS
from redline.zones.yaml_text import load_yaml

__all__ = [
    "Catalog",
    "Rule",
    "bundled_catalog_path",
    "catalog_with",
    "load_catalog",
    "national_catalog",
    "validate_catalog_data",
]

RELATIONS = ("intersects", "nearby", "any")
_RULE_KEYS = {
    "code",
    "kind",
    "zone_class",
    "relation",
    "max_distance_m",
    "industries",
    "unless_industries",
    "tags",
    "unless_tags",
    "actions",
    "verdict",
    "title_zh",
    "title_en",
    "text_zh",
    "text_en",
    "explanation_zh",
    "explanation_en",
    "question_zh",
    "question_en",
    "basis",
    "note",
}


@dataclass(frozen=True)
class Rule:
    """One rule of a catalogue; see the module docstring for the fields.

    Examples
    --------
    >>> from redline.zones import national_catalog
    >>> rule = national_catalog().get("WS01")
    >>> rule.kind, rule.zone_class, rule.verdict
    ('water_source', ('first',), 'prohibited')
    >>> rule.applies_to_relation("inside", 0.0), rule.applies_to_relation("nearby", 300.0)
    (True, False)
    >>> rule.title_zh
    '一级保护区内禁止与供水设施和保护水源无关的建设项目'
    >>> from redline.zones.project import make_project
    >>> national_catalog().get("BF04").match(make_project("C2614")).kind
    'question'
    """

    code: str
    kind: str
    verdict: str
    text_zh: str
    basis: str
    zone_class: tuple[str, ...] = ()
    relation: str = "intersects"
    max_distance_m: float | None = None
    industries: tuple[str, ...] = ()
    unless_industries: tuple[str, ...] = ()
    tags: frozenset[str] = field(default_factory=frozenset)
    unless_tags: frozenset[str] = field(default_factory=frozenset)
    actions: tuple[str, ...] = ()
    title_zh: str = ""
    title_en: str = ""
    text_en: str = ""
    note: str = ""
    catalog: str = "national"
    qualified: tuple[tuple[str, tuple[Qualifier, ...]], ...] = ()
    explanation_zh: str = ""
    explanation_en: str = ""
    question_zh: str = ""
    question_en: str = ""

    def applies_to_zone(self, kind: str, zone_class: str | None) -> bool:
        """Return True when the rule covers zones of ``kind`` and ``zone_class``."""
        if self.kind not in ("*", kind):
            return False
        return not self.zone_class or (zone_class or "") in self.zone_class

    def applies_to_relation(self, relation: str, distance_m: float | None) -> bool:
        """Return True when the rule covers a finding with this relation and distance."""
        if self.relation == "any":
            return True
        if self.relation == "intersects":
            return relation in ("inside", "overlaps")
        if relation != "nearby":
            return False
        return self.max_distance_m is None or (distance_m is not None and distance_m <= self.max_distance_m)

    def match(self, project: Project) -> Match:
        """Return how the project meets the rule's project conditions (full, question or none)."""
        return match_project(
            project,
            industries=self.industries,
            qualified=dict(self.qualified),
            tags=self.tags,
            unless_industries=self.unless_industries,
            unless_tags=self.unless_tags,
            actions=self.actions,
        )

    def applies_to_project(self, project: Project) -> bool:
        """Return True when the project meets the rule's project conditions (fully or with a question)."""
        return self.match(project).applies

    def text(self, lang: str = "zh") -> str:
        """Return the rule text in ``lang``, falling back to Chinese."""
        return self.text_en if lang == "en" and self.text_en else self.text_zh

    def explanation(self, lang: str = "zh") -> str:
        """Return the catalogue's explanation (说明) in ``lang``, falling back to Chinese."""
        return self.explanation_en if lang == "en" and self.explanation_en else self.explanation_zh

    def question(self, lang: str = "zh") -> str:
        """Return what a reviewer must check (empty for most rules), falling back to Chinese."""
        return self.question_en if lang == "en" and self.question_en else self.question_zh


@dataclass
class Catalog:
    """An ordered set of rules; later catalogues override earlier ones by code.

    Examples
    --------
    >>> from redline.zones import national_catalog
    >>> catalog = national_catalog()
    >>> catalog.get("ws01").code, all(r.kind in ("*", "water_source") for r in catalog.for_kind("water_source"))
    ('WS01', True)
    >>> regional = catalog.layered(load_catalog(bundled_catalog_path("qinzhou_pilot")))
    >>> regional.get("QZ01").catalog, sorted(regional.versions)
    ('qinzhou_pilot', ['national', 'qinzhou_pilot'])
    """

    rules: dict[str, Rule] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)

    def __iter__(self):
        return iter(self.rules.values())

    def __len__(self) -> int:
        return len(self.rules)

    def get(self, code: str) -> Rule:
        """Return the rule with ``code``.

        Raises
        ------
        RuleError
            When no rule has that code; the message lists the codes.
        """
        try:
            return self.rules[code.strip().upper()]
        except KeyError:
            raise RuleError(
                f"no rule with code {code!r}; codes are {', '.join(self.rules)} (see `redline rules list`)",
                param="code",
                value=code,
                zh=f"没有代码为 {code!r} 的规则；现有的代码为 {'、'.join(self.rules)}（见 `redline rules list`）",
            ) from None

    def layered(self, other: Catalog) -> Catalog:
        """Return a new catalogue: this one with ``other`` added on top (override by code)."""
        merged = Catalog(dict(self.rules), dict(self.versions), dict(self.titles))
        merged.rules.update(other.rules)
        merged.versions.update(other.versions)
        merged.titles.update(other.titles)
        return merged

    def for_kind(self, kind: str) -> list[Rule]:
        """Return the rules that may apply to zones of ``kind``, in catalogue order."""
        return [r for r in self.rules.values() if r.kind in ("*", kind)]


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str | int | float):
        return (str(value),)
    return tuple("" if v is None else str(v) for v in value)


def validate_catalog_data(data: Any, source: str) -> list[str]:
    """Return every problem in a parsed catalogue (empty list when it is sound).

    Parameters
    ----------
    data : object
        The parsed YAML document.
    source : str
        The file name, used in messages.
    """
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        return [f"{source}: expected a mapping with a 'rules' list"]
    problems: list[str] = []
    for key in ("catalog", "version"):
        if not data.get(key):
            problems.append(f"{source}: missing top-level '{key}'")
    seen: dict[str, int] = {}
    for i, raw in enumerate(data["rules"], start=1):
        where = f"{source}: rule #{i}"
        if not isinstance(raw, dict):
            problems.append(f"{where}: expected a mapping, got {raw!r}")
            continue
        code = str(raw.get("code", "")).strip()
        if code:
            where = f"{source}: rule {code} (#{i})"
            if code in seen:
                problems.append(f"{where}: duplicate code, first used by rule #{seen[code]}")
            seen.setdefault(code, i)
        for key in ("code", "kind", "verdict", "text_zh", "basis"):
            if not raw.get(key):
                problems.append(f"{where}: missing '{key}'")
        for key in sorted(set(raw) - _RULE_KEYS):
            problems.append(f"{where}: unknown key '{key}'; keys are {', '.join(sorted(_RULE_KEYS))}")
        kind = raw.get("kind")
        if kind and kind != "*" and kind not in KINDS:
            problems.append(f"{where}: unknown kind {kind!r}; kinds are *, {', '.join(KINDS)}")
        if kind in KINDS:
            for c in _as_tuple(raw.get("zone_class")):
                if c and c not in KINDS[kind].classes:
                    allowed = ", ".join(KINDS[kind].classes) or "(none: omit zone_class)"
                    problems.append(f"{where}: unknown zone_class {c!r} for {kind}; classes are {allowed}")
        verdict = raw.get("verdict")
        if verdict and verdict not in RULE_VERDICTS:
            problems.append(f"{where}: bad verdict {verdict!r}; use {', '.join(RULE_VERDICTS)}")
        relation = raw.get("relation", "intersects")
        if relation not in RELATIONS:
            problems.append(f"{where}: bad relation {relation!r}; use {', '.join(RELATIONS)}")
        dist = raw.get("max_distance_m")
        if dist is not None and (not isinstance(dist, int | float) or dist <= 0):
            problems.append(f"{where}: max_distance_m must be a positive number, got {dist!r}")
        for key in ("industries", "unless_industries"):
            for c in _as_tuple(raw.get(key)):
                try:
                    expand_codes([c])
                except RuleError:
                    problems.append(f"{where}: {key}: {c!r} is not a GB/T 4754-2017 code or a policy group")
        for key in ("tags", "unless_tags"):
            for t in _as_tuple(raw.get(key)):
                if t not in TAGS:
                    problems.append(f"{where}: {key}: unknown tag {t!r}")
        for a in _as_tuple(raw.get("actions")):
            if a not in ACTIONS:
                problems.append(f"{where}: actions: unknown action {a!r}; use new, expand, rebuild")
    return problems


def _rule_from(raw: dict[str, Any], catalog: str) -> Rule:
    dist = raw.get("max_distance_m")
    industries, qualified = expand_qualified(_as_tuple(raw.get("industries")))
    text = {k: str(raw.get(k, "")).strip() for k in ("explanation_zh", "explanation_en", "question_zh", "question_en")}
    return Rule(
        code=str(raw["code"]).strip().upper(),
        kind=raw["kind"],
        verdict=raw["verdict"],
        text_zh=str(raw["text_zh"]).strip(),
        basis=str(raw["basis"]).strip(),
        zone_class=_as_tuple(raw.get("zone_class")),
        relation=raw.get("relation", "intersects"),
        max_distance_m=float(dist) if dist is not None else None,
        industries=industries,
        unless_industries=expand_codes(_as_tuple(raw.get("unless_industries"))),
        tags=frozenset(_as_tuple(raw.get("tags"))),
        unless_tags=frozenset(_as_tuple(raw.get("unless_tags"))),
        actions=_as_tuple(raw.get("actions")),
        title_zh=str(raw.get("title_zh", "")).strip(),
        title_en=str(raw.get("title_en", "")).strip(),
        text_en=str(raw.get("text_en", "")).strip(),
        note=str(raw.get("note", "")).strip(),
        catalog=catalog,
        qualified=tuple(qualified.items()),
        **text,
    )


def _catalog_from_text(text: str, source: str) -> Catalog:
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        raise RuleError(
            f"rule catalogue '{source}' is not valid YAML: {exc}", zh=f"规则目录 '{source}' 不是有效的 YAML：{exc}"
        ) from None
    problems = validate_catalog_data(data, source)
    if problems:
        raise RuleError(
            f"rule catalogue '{source}' has {len(problems)} problem(s):\n{listed(problems)}",
            zh=f"规则目录 '{source}' 有 {len(problems)} 处问题：\n{listed(problems, zh=True)}",
        )
    name = str(data["catalog"])
    rules = {r.code: r for r in (_rule_from(raw, name) for raw in data["rules"])}
    return Catalog(rules, {name: str(data["version"])}, {name: str(data.get("title", name))})


def load_catalog(path: str | Path | Iterable[str | Path]) -> Catalog:
    """Load one catalogue file, or several layered in order (later overrides earlier).

    Raises
    ------
    RuleError
        Listing every problem in the file.

    Examples
    --------
    >>> catalog = load_catalog(bundled_catalog_path("qinzhou_pilot"))
    >>> list(catalog.rules)[:3], catalog.get("QZ01").verdict
    (['RL01', 'QZ01', 'QZ02'], 'prohibited')
    >>> catalog = load_catalog("my_region.yaml")  # doctest: +SKIP
    """
    paths = [path] if isinstance(path, str | Path) else list(path)
    merged = Catalog()
    for p in paths:
        p = Path(p)
        if not p.is_file():
            raise RuleError(
                f"rule catalogue '{p}' does not exist; check the path", zh=f"规则目录 '{p}' 不存在；请检查路径"
            )
        merged = merged.layered(_catalog_from_text(p.read_text("utf-8"), str(p)))
    return merged


def bundled_catalog_path(name: str) -> Path | None:
    """Return the path of a catalogue shipped in ``zones/catalog`` (e.g. ``qinzhou_pilot``), or None."""
    path = Path(str(resources.files("redline.zones").joinpath("catalog"))) / f"{name}.yaml"
    return path if path.is_file() and name != "national" else None


def catalog_with(paths: Iterable[str | Path]) -> Catalog:
    """Return the national catalogue with the given regional catalogues layered on top, in order.

    Examples
    --------
    >>> cat = catalog_with([bundled_catalog_path("qinzhou_pilot")])
    >>> cat.get("RL01").catalog, cat.get("WS01").catalog
    ('qinzhou_pilot', 'national')
    """
    merged = national_catalog()
    for path in paths:
        merged = merged.layered(load_catalog(path))
    return merged


@cache
def national_catalog() -> Catalog:
    """Return the bundled national catalogue (``zones/catalog/national.yaml``).

    Examples
    --------
    >>> national_catalog().get("WS01").verdict
    'prohibited'
    """
    text = resources.files("redline.zones").joinpath("catalog/national.yaml").read_text("utf-8")
    return _catalog_from_text(text, "zones/catalog/national.yaml")


def bundled_catalog_names() -> list[str]:
    """Return the names of the regional catalogues shipped in ``zones/catalog`` (without national)."""
    folder = Path(str(resources.files("redline.zones").joinpath("catalog")))
    return sorted(p.stem for p in folder.glob("*.yaml") if p.stem != "national")


def _md(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _condition(rule: Rule) -> str:
    """Return the project condition of a rule, for the docs table."""
    qualified = dict(rule.qualified)
    cond = []
    if rule.industries:
        cond.append("industries " + ", ".join(c + ("?" if c in qualified else "") for c in rule.industries))
    if rule.tags:
        cond.append(("or " if rule.industries else "") + "tags " + ", ".join(sorted(rule.tags)))
    if rule.unless_industries:
        cond.append("unless industries " + ", ".join(rule.unless_industries))
    if rule.unless_tags:
        cond.append("unless tags " + ", ".join(sorted(rule.unless_tags)))
    if rule.actions:
        cond.append("actions " + ", ".join(rule.actions))
    asks = dict.fromkeys(q for qs in qualified.values() for q in qs)
    if asks:
        cond.append("? asks: " + "; ".join(f"{q.question_zh} (tag {', '.join(sorted(q.tags))})" for q in asks))
    return _md("; ".join(cond)) or "every project"


def _rule_cell(rule: Rule) -> str:
    """Return the title, the source words, the explanation and the question of a rule, for the docs."""
    cell = f"**{_md(rule.title_zh)}** {_md(rule.text_zh)}"
    if rule.explanation_zh:
        cell += f"<br>说明：{_md(rule.explanation_zh)}"
    if rule.question_zh:
        cell += f"<br>待核实：{_md(rule.question_zh)}"
    return cell


def rules_markdown() -> str:
    """Return ``docs/rules.md``: a table of every rule code of every bundled catalogue.

    The page is generated from the catalogues themselves, so it cannot drift from them;
    ``tests/zones/test_rules_doc.py`` fails when the committed page is stale.
    """
    lines = [
        "# Rule codes",
        "",
        "Generated from `zones/catalog/*.yaml` by `redline rules docs > docs/rules.md`; do not edit by hand.",
        "A finding's `rule_id` is one of these codes, or an access-list clause id",
        "(`UNIT_CODE/维度/N`, see the access list of the layer set).",
        "",
        "Verdicts, worst first: `prohibited` 禁止, `restricted` 限制/需论证, `review` 需关注;",
        "`info` marks an informational rule, whose findings are `clear` (they raise nothing).",
        "Relations: `intersects` (the site is inside or overlaps the zone), `nearby` (within the buffer).",
        "The rule column gives the source's own words; 说明 is the catalogue's explanation, not the law;",
        "待核实 is what a reviewer must check.  An industry code marked `?` is broader than the source",
        "(a process, product or scale decides): a project matched only by it gets `review` with the",
        "question, unless its tags answer it.",
        "",
    ]
    catalogs = [("national", national_catalog())]
    for name in bundled_catalog_names():
        path = bundled_catalog_path(name)
        assert path is not None
        catalogs.append((name, load_catalog(path)))
    for name, catalog in catalogs:
        lines += [f"## {catalog.titles[name]} (`{name}`, version {catalog.versions[name]})", ""]
        lines += ["| code | kind | class | relation | project condition | verdict | rule | basis |"]
        lines += ["|---|---|---|---|---|---|---|---|"]
        for rule in catalog:
            kind = KINDS[rule.kind].zh if rule.kind in KINDS else rule.kind
            classes = ", ".join(c or "(unclassed)" for c in rule.zone_class) or "any"
            relation = rule.relation + (f" ≤ {rule.max_distance_m:g} m" if rule.max_distance_m else "")
            lines.append(
                f"| {rule.code} | {rule.kind} {kind} | {classes} | {relation} | {_condition(rule)} | "
                f"{rule.verdict} | {_rule_cell(rule)} | {_md(rule.basis)} |"
            )
        lines.append("")
    return "\n".join(lines)
