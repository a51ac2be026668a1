"""Judge the statements of an access-list clause for one project at one place.

Used by :meth:`redline.zones.access_text.Interpretation.judge`.  A statement binds the project
when its industries (or tags) cover the project, its actions include the project's, no exception
may cover the project, and the site is where the statement applies; anything the screen cannot
test makes the statement ``unknown`` (verdict ``review``) with the reason.  The clause's
judgement is the worst binding statement, else ``review`` when any is unknown, else ``clear``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from redline.zones.access_parse import Exemption, Statement
from redline.zones.project import Project, project_matches

if TYPE_CHECKING:
    from redline.zones.access_text import Judgement, Place, StructuredRule

__all__ = ["ACTION_ZH", "judge_rule", "judge_statements"]

Applies = Literal["yes", "no", "unknown"]
ACTION_ZH = {"new": "新建", "expand": "扩建", "rebuild": "改建", "upgrade": "技术改造"}

_CONFORMITY = {"prohibited": "不符合", "restricted": "需论证", "review": "需论证", "clear": "不适用"}
_INDUSTRIAL_SECTIONS = ("B", "C")
#: words of an exception's left-over items that name no industrial project (a works, a facility)
_NON_INDUSTRIAL = (
    *("设施", "工程", "活动", "旅游", "生活", "居民", "村民", "农田", "水利"),
    *("交通", "道路", "公益", "民生", "公共", "防灾", "应急", "生态", "保护"),
)


@dataclass(frozen=True)
class _Result:
    applies: Applies
    verdict: str
    conformity: str
    zh: str
    en: str


def judge_rule(rule: StructuredRule, project: Project) -> Judgement:
    """Return the judgement of structured columns or a reviewer's correction (as the catalogue's rules match)."""
    from redline.zones.access_text import Judgement

    if rule.verdict == "informational":
        return Judgement("no", "clear", "说明性条款（审查人标注）", "informational (reviewer)", "不适用")
    hit = project_matches(
        project,
        industries=rule.industries,
        tags=rule.tags,
        unless_industries=rule.unless_industries,
        unless_tags=rule.unless_tags,
        actions=tuple(a for a in rule.actions if a != "upgrade"),
    )
    if not hit:
        return Judgement(
            "no", "clear", "项目不在条款所列范围", "the project is outside what the clause names", "不适用"
        )
    conformity = _CONFORMITY.get(rule.verdict, "需论证")
    zh, en = f"条款结构化条件适用于本项目：{rule.verdict}", f"the clause's structured conditions apply: {rule.verdict}"
    return Judgement("yes", rule.verdict, zh, en, conformity)  # type: ignore[arg-type]


def _target(s: Statement, project: Project) -> Applies:
    if s.generic_all:
        return "yes"
    for hit in s.hits:
        if hit.matches(project.industries) or (hit.tags & project.tags):
            return "yes"
    if not s.hits or _doubts(s, project):
        return "unknown"
    if not project.industries and any(h.codes for h in s.hits):
        return "unknown"
    return "no"


def _doubts(s: Statement, project: Project) -> tuple[str, ...]:
    """Return the words that leave in doubt whether the project, missed by the statement's hits, is concerned.

    Unknown categories (高耗水, 高污染 ...), tags a project may have without declaring them,
    productions the lexicon does not know (:attr:`Statement.doubts`).
    """
    return () if any(h.tags & project.tags for h in s.hits) else s.doubts


def _exemption_covers(e: Exemption, s: Statement, project: Project, place: Place) -> Applies:
    """Whether an exception covers the project; one that depends on what the project serves (配套) is unknown."""
    covered = _exemption_covers_plainly(e, s, project, place)
    return "unknown" if covered == "yes" and e.depends else covered


def _exemption_covers_plainly(e: Exemption, s: Statement, project: Project, place: Place) -> Applies:
    """Whether an exception covers the project: by industry or tag, place, or action."""
    for h in e.hits:
        if h.matches(project.industries) or (h.tags & project.tags):
            narrower = any(
                all(any(c.startswith(sc) for sc in sh.codes) for c in h.codes)
                for sh in s.hits
                if sh.codes and sh.via != "generic"
            )
            if not (narrower and h.codes and (e.unmatched or e.untestable)):
                return "yes"
            return "unknown"  # a part of the prohibited industry the screen cannot single out
    results = [place.test(c) for c in e.places]
    if "yes" in results:
        return "yes"
    if e.actions:
        if project.action in e.actions:
            return "yes"
        if project.action == "expand" and "upgrade" in e.actions:
            results.append("unknown")
    if e.untestable:
        return "unknown"
    industrial = bool(project.industries) and all(c[:1] in _INDUSTRIAL_SECTIONS for c in project.industries)
    loose = [u for u in e.unmatched if not (industrial and any(w in u for w in _NON_INDUSTRIAL))]
    if loose or (not project.industries and not (e.places or e.actions)):
        return "unknown"
    return "unknown" if "unknown" in results else "no"


def _where(s: Statement, place: Place) -> tuple[Applies, list[str], list[str]]:
    """Return whether the site is where the statement applies, and why not or why unknown.

    Any named place (inside, within) and every outside condition; unknown places count only when
    no known place settles it.
    """
    zh: list[str] = []
    en: list[str] = []
    inside = [c for c in s.conditions if c.relation in ("inside", "within")]
    unknown_places = [u for u in s.untestable if u.place and u.alternative]
    zh += [f"{u.zh}「{u.words}」" for u in s.untestable if u.place and not u.alternative]
    en += [f"{u.en} 「{u.words}」" for u in s.untestable if u.place and not u.alternative]
    if inside or unknown_places:
        found = [place.test(c) for c in inside]
        if "yes" not in found:
            if "unknown" not in found and not unknown_places and not zh:
                return "no", [c.describe("zh") for c in inside], [c.describe("en") for c in inside]
            zh += [
                f"无法判断位置条件：{c.describe('zh')}" for c, f in zip(inside, found, strict=True) if f == "unknown"
            ]
            en += [
                f"cannot tell whether the site is {c.describe('en')}"
                for c, f in zip(inside, found, strict=True)
                if f == "unknown"
            ]
            zh += [f"{u.zh}「{u.words}」" for u in unknown_places]
            en += [f"{u.en} 「{u.words}」" for u in unknown_places]
    for c in (c for c in s.conditions if c.relation == "outside"):
        found_outside = place.test(c)
        if found_outside == "no":
            return "no", [c.describe("zh")], [c.describe("en")]
        if found_outside == "unknown":
            zh.append(f"无法判断位置条件：{c.describe('zh')}")
            en.append(f"cannot tell whether the site is {c.describe('en')}")
    return ("unknown" if zh else "yes"), zh, en


def _names(s: Statement, project: Project) -> str:
    return "、".join(project.industries) or "未给行业"


def _unknown(reasons_zh: list[str], reasons_en: list[str]) -> _Result:
    return _Result("unknown", "review", "需论证", "；".join(reasons_zh), "; ".join(reasons_en))


def _judge_statement(s: Statement, project: Project, place: Place) -> _Result:
    if s.verdict == "informational":
        return _Result("no", "clear", "不适用", "说明性内容", "informational")
    if s.verdict == "reference":
        return _Result("no", "clear", "不适用", f"引用{s.reference}，其条款另行判断", f"refers to {s.reference}")
    target = _target(s, project)
    if target == "no":
        return _Result(
            "no",
            "clear",
            "不适用",
            f"项目行业（{_names(s, project)}）不在所列行业",
            "the project's industry is not named",
        )
    if s.actions and project.action not in s.actions and not (project.action == "rebuild" and "upgrade" in s.actions):
        return _Result(
            "no",
            "clear",
            "不适用",
            f"条款只管{'、'.join(ACTION_ZH[a] for a in s.actions)}",
            "the clause names other actions",
        )
    zh: list[str] = []
    en: list[str] = []
    doubts = _doubts(s, project) if target == "unknown" and s.hits else ()
    if doubts:
        zh.append(f"无法判断项目是否属于「{'、'.join(doubts)}」")
        en.append(f"cannot tell whether the project is among 「{'、'.join(doubts)}」")
    elif target == "unknown":
        zh.append("条款未指明可对应的行业" if s.hits == () else "项目未给行业代码")
        en.append(
            "the clause names no industry the screen can match" if not s.hits else "the project gives no industry"
        )
    for e in s.exemptions:
        covered = _exemption_covers(e, s, project, place)
        if covered == "yes":
            return _Result("no", "clear", "符合", f"属于例外「{e.words}」", f"covered by the exception 「{e.words}」")
        if covered == "unknown":
            zh.append(f"无法判断是否属于例外「{e.words}」")
            en.append(f"cannot tell whether the exception 「{e.words}」 covers the project")
            if e.depends:
                zh.append(f"例外以「{'、'.join(e.depends)}」为条件，须人工核对")
                en.append(f"the exception holds only for what is 「{'、'.join(e.depends)}」 (ancillary, own use)")
    where, where_zh, where_en = _where(s, place)
    if where == "no":
        return _Result(
            "no",
            "clear",
            "不适用",
            f"选址不在条款所指位置：{'，'.join(where_zh)}",
            f"the site is not where the clause applies: {', '.join(where_en)}",
        )
    zh += where_zh
    en += where_en
    if s.narrowing and not any(h.tags & project.tags or h.matches(project.industries) for h in s.narrowing):
        zh.append(f"无法判断项目是否{'、'.join(w for h in s.narrowing for w in h.words)}")
        en.append(f"cannot tell whether the project is {', '.join(sorted(t for h in s.narrowing for t in h.tags))}")
    zh += [f"{u.zh}「{u.words}」" for u in s.untestable if not u.place]
    en += [f"{u.en} 「{u.words}」" for u in s.untestable if not u.place]
    if s.conduct:
        zh.append("条款规范经营行为，须人工核对")
        en.append("the clause regulates conduct, not siting")
    if zh:
        return _unknown(zh, en)
    return _applies(s, project, place)


def _applies(s: Statement, project: Project, place: Place) -> _Result:
    words = "、".join(w for h in s.hits for w in h.words) or "建设项目"
    if s.verdict == "prohibited":
        return _Result(
            "yes",
            "prohibited",
            "不符合",
            f"条款{s.verdict_word}{words}，项目属之",
            f"the clause prohibits {words}, which covers the project",
        )
    if s.requirement is not None:
        met = place.test(s.requirement)
        where_zh, where_en = s.requirement.describe("zh"), s.requirement.describe("en")
        if met == "yes" and s.requirement_untestable:
            bad = "，".join(f"{u.zh}「{u.words}」" for u in s.requirement_untestable)
            return _unknown(
                [f"位于{where_zh}，但{bad}"], [f"the site is {where_en}, but {s.requirement_untestable[0].en}"]
            )
        if met == "yes":
            return _Result(
                "yes", "clear", "符合", f"项目满足要求：{where_zh}", f"the site meets the requirement: {where_en}"
            )
        if met == "no":
            return _Result(
                "yes",
                "restricted",
                "不符合",
                f"项目不满足要求：{where_zh}",
                f"the site does not meet the requirement: {where_en}",
            )
        return _unknown([f"无法判断是否满足：{where_zh}"], [f"cannot tell whether the site is {where_en}"])
    if s.verdict == "restricted":
        return _Result(
            "yes",
            "restricted",
            "需论证",
            f"条款{s.verdict_word}{words}，项目属之",
            f"the clause restricts {words}, which covers the project",
        )
    return _Result(
        "yes", "review", "需论证", f"条款对{words}提出要求，须逐项落实", f"the clause sets requirements on {words}"
    )


_RANK = {"prohibited": 3, "restricted": 2, "review": 1, "clear": 0}


def _combine(results: list[_Result]) -> Judgement:
    from redline.zones.access_text import Judgement

    binding = [r for r in results if r.applies == "yes" and r.verdict != "clear"]
    if binding:
        worst = max(binding, key=lambda r: _RANK[r.verdict])
        return Judgement("yes", worst.verdict, worst.zh, worst.en, worst.conformity)  # type: ignore[arg-type]
    unknown = [r for r in results if r.applies == "unknown"]
    if unknown:
        return Judgement(
            "unknown", "review", "；".join(r.zh for r in unknown), "; ".join(r.en for r in unknown), "需论证"
        )
    met = [r for r in results if r.conformity == "符合"]
    if met:
        return Judgement(met[0].applies, "clear", met[0].zh, met[0].en, "符合")
    if not results:
        return Judgement("no", "clear", "空条款", "empty clause", "不适用")
    return Judgement("no", "clear", results[0].zh, results[0].en, "不适用")


def judge_statements(statements: tuple[Statement, ...], project: Project, place: Place) -> Judgement:
    """Return the judgement of a clause read from its text: the worst binding statement, else review or clear.

    Examples
    --------
    >>> from redline.zones.access_parse import parse_statements
    >>> from redline.zones.access_text import Place
    >>> from redline.zones.project import make_project
    >>> statements = tuple(parse_statements("推广清洁能源；禁止新建水泥项目。"))
    >>> judge_statements(statements, make_project("C3011"), Place()).verdict
    'prohibited'
    """
    return _combine([_judge_statement(s, project, place) for s in statements])
