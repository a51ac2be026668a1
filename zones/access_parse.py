"""Read one access-list clause into statements: verdict word, actions, industries, exceptions, places.

A clause is cut into sentences (「；」「。」); a sentence into comma parts, each part that holds a
verdict word (``verdict_words`` of ``zones/data/access_terms.yaml``) starting a statement and the
parts after it adding exceptions (「…除外」) to it.  Inside a statement, the text before the
verdict word is its context (a place, 「园区外」, or a subject, 「新建工业项目须…」) and the text
after it its object (「新建、扩建化学制浆、电镀项目」).  Everything here is rules one can read:
no model, no network.  :mod:`redline.zones.access_text` judges the statements.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from redline.zones.access_doubt import (
    DOUBTFUL_TAGS,
    GENERIC_HEAD,
    categories_in,
    depends_in,
    find_obligation,
    looks_like_product,
)
from redline.zones.access_places import Condition, Untestable, places_in, strip_places
from redline.zones.access_scope import reference_target, vocabulary
from redline.zones.access_terms import IndustryHit, residual_industry, scan

__all__ = ["Condition", "Exemption", "Statement", "Untestable", "parse_statements"]

_PUNCT = str.maketrans(
    {
        "，": ",", "；": ";", "（": "(", "）": ")", "：": ":", "“": "", "”": "", "‘": "", "’": "",
        '"': "", "「": "", "」": "", "　": "", " ": "", "\t": "", "【": "(", "】": ")", "〔": "(",
        "〕": ")", "！": "。", "？": "。", "!": "。", "?": "。", "\n": ";",
    }
)  # fmt: skip
VERDICT_RANK = {"prohibited": 4, "restricted": 3, "condition": 2, "reference": 1, "informational": 0}
_EXEMPT = re.compile(r"除外|不在此限|不含|不包括|^但|^除")
_LOCATION_END = re.compile(r"(范围内|区域内|以内|内|以外|外|周边|两岸|两侧|沿岸|沿线|附近|上游|下游|岸线)$")
_PLACE_CONTEXT = re.compile(r"(地区|区域|流域|地带|沿线|片区|沿岸|两岸)$")
_DESCRIPTIVE = re.compile(r"等[^,;]{0,16}?(项目|行业|企业|产业|设施)")
_FILLER = re.compile(
    r"重点行业|行业|配套设施|基础设施|设施|工程|建筑物|构筑物|布局|设置|从事|开展|除外|范围内|区域内|以内|内|排放|涉及|产生|为主|主要|污染物|投资|任何|一切|第一类|一类|确实|无法避让|必要的|必需的|配套|相关|等|及|和|与|的|其他|各类|项目|活动|建设|现有|已有|依法|合规|批准|设立"
)


@dataclass(frozen=True)
class Exemption:
    """An exception of a statement (「…除外」, 「但…」, 「与…无关的」, 「现有企业技术改造除外」)."""

    words: str
    hits: tuple[IndustryHit, ...] = ()
    actions: tuple[str, ...] = ()
    places: tuple[Condition, ...] = ()
    unmatched: tuple[str, ...] = ()
    untestable: tuple[Untestable, ...] = ()
    depends: tuple[str, ...] = ()


@dataclass(frozen=True)
class Statement:
    """One statement of a clause, as read.

    Attributes
    ----------
    text : str
        The statement's text (normalised punctuation).
    verdict : str
        ``prohibited``, ``restricted``, ``condition`` or ``informational``.
    verdict_word : str
        The word that decided it (禁止, 严格控制, 须 ...).
    actions : tuple of str
        ``new``, ``expand``, ``rebuild``, ``upgrade`` (技术改造); empty for any.
    hits : tuple of IndustryHit
        What the statement is about.
    generic_all : bool
        It is about every project (建设项目, 一切开发建设活动).
    narrowing : tuple of IndustryHit
        Tags a qualifier adds (「排放重金属的」): the project must also have one.
    exemptions : tuple of Exemption
    conditions : tuple of Condition
        Where the statement applies (「园区外」, 「饮用水水源保护区内」).
    requirement : Condition or None
        What a condition requires (「须进入工业园区」).
    untestable : tuple of Untestable
    conduct : bool
        A prohibition without a construction word: it regulates conduct, not siting.
    unmatched : tuple of str
        Words of the object the lexicon does not know.
    reference : str
        For a reference (「执行灵山县总体管控要求」): the scope it names, as printed.
    requirement_untestable : tuple of Untestable
        What the screen cannot test about the requirement's place (「经规划环评的产业园区」): it
        matters only when the site is in such a place.
    doubts : tuple of str
        Words naming a class of projects the screen cannot decide membership of (高耗水, 不符合产业
        政策, a production the lexicon does not know): a project the named industries miss may
        still be concerned.
    """

    text: str
    verdict: str
    verdict_word: str = ""
    actions: tuple[str, ...] = ()
    hits: tuple[IndustryHit, ...] = ()
    generic_all: bool = False
    narrowing: tuple[IndustryHit, ...] = ()
    exemptions: tuple[Exemption, ...] = ()
    conditions: tuple[Condition, ...] = ()
    requirement: Condition | None = None
    untestable: tuple[Untestable, ...] = ()
    conduct: bool = False
    unmatched: tuple[str, ...] = ()
    reference: str = ""
    requirement_untestable: tuple[Untestable, ...] = ()
    doubts: tuple[str, ...] = ()


# --------------------------------------------------------------------------- vocabulary


@cache
def _verdict_words() -> tuple[tuple[str, str], ...]:
    pairs = [(w, v) for v, entry in vocabulary()["verdict_words"].items() for w in entry["words"]]
    return tuple(sorted(pairs, key=lambda p: len(p[0]), reverse=True))


@cache
def _action_words() -> tuple[tuple[str, tuple[str, ...]], ...]:
    pairs = [(w.translate(_PUNCT), tuple(e["actions"])) for e in vocabulary()["actions"] for w in e["words"]]
    return tuple(sorted(pairs, key=lambda p: len(p[0]), reverse=True))


@cache
def _untestable_patterns() -> tuple[tuple[re.Pattern[str], str, str], ...]:
    return tuple((re.compile(e["pattern"]), e["zh"], e["en"]) for e in vocabulary()["untestable"])


_BAD_BEFORE = {"应": "相对供适反效响回理呼", "需": "", "限制": "", "控制": ""}
_BAD_AFTER = {"应": "急对用变", "需": "求", "限制": "类", "禁止": "类", "须": "知"}


def find_verdict(text: str) -> tuple[int, int, str, str] | None:
    """Return ``(start, end, word, verdict)`` of the first verdict word in ``text``, or None.

    A prohibition word right after a weakener (原则上) reads as a restriction.

    Examples
    --------
    >>> find_verdict("园区外禁止新建化工项目")
    (3, 5, '禁止', 'prohibited')
    >>> find_verdict("原则上不得新建")[3], find_verdict("编制突发环境事件应急预案")
    ('restricted', None)
    """
    for i in range(len(text)):
        for word, verdict in _verdict_words():
            if not text.startswith(word, i):
                continue
            before = text[i - 1] if i else ""
            after = text[i + len(word)] if i + len(word) < len(text) else ""
            if before and before in _BAD_BEFORE.get(word, ""):
                continue
            if after and after in _BAD_AFTER.get(word, ""):
                continue
            if verdict == "prohibited" and any(text[max(0, i - 4) : i].endswith(w) for w in vocabulary()["weakeners"]):
                verdict = "restricted"
            return i, i + len(word), word, verdict
    return None


def actions_in(text: str) -> tuple[str, ...]:
    """Return the actions a text names, in a fixed order (empty when it names none).

    Examples
    --------
    >>> actions_in("禁止新建、扩建电镀项目"), actions_in("新(改、扩)建"), actions_in("现有企业技术改造")
    (('new', 'expand'), ('new', 'expand', 'rebuild'), ('upgrade',))
    """
    found: set[str] = set()
    i = 0
    while i < len(text):
        for word, acts in _action_words():
            if text.startswith(word, i):
                found.update(acts)
                i += len(word) - 1
                break
        i += 1
    return tuple(a for a in ("new", "expand", "rebuild", "upgrade") if a in found)


# --------------------------------------------------------------------------- exemptions


def _pull_exemptions(text: str) -> tuple[str, list[str]]:
    """Remove the exception phrases of a text; return (rest, exception texts)."""
    found: list[str] = []
    patterns = (
        r"\(([^()]*?)除外\)",
        r"与([^,]{1,40}?)无关的",
        r"除([^,]{1,40}?)(?:以)?外,?",
        r",?([^,]{1,60}?)(?:的)?除外",
        r"(?:不含|不包括)([^,;]{1,40})",
    )
    for pattern in patterns:
        while True:
            m = re.search(pattern, text)
            if not m:
                break
            found.append(m.group(1))
            text = text[: m.start()] + text[m.end() :]
    return text, found


def _exemption(words: str) -> Exemption:
    core = re.sub(r"^(但|除)", "", words)
    hits, unmatched = _hits_and_residue(strip_places(core))
    acts = actions_in(core)
    if re.search(r"现有|已有|原有|既有", core) and re.search(r"改造|改建|技改|升级", core):
        acts = tuple(dict.fromkeys((*acts, "rebuild", "upgrade")))
    conds, req, _ = places_in(core, "exemption", default="inside")
    places = tuple(conds) + ((req,) if req else ())
    untestable = tuple(
        Untestable(zh, en, m.group(0))
        for pattern, zh, en in _untestable_patterns()
        for m in [pattern.search(core)]
        if m
    )
    if acts:
        unmatched = [u for u in unmatched if not re.search(r"企业|改造|改建|技改", u)]
    return Exemption(words, tuple(hits), acts, places, tuple(unmatched), untestable, depends_in(core))


# --------------------------------------------------------------------------- industries


def _hits_and_residue(text: str) -> tuple[list[IndustryHit], list[str]]:
    """Return the lexicon hits of a text and the words left over that may name something."""
    hits: list[IndustryHit] = []
    rest = list(text)
    for start, end, term in scan(text):
        hits.append(IndustryHit((term.word,), term.codes, term.tags, term.via, term.source))
        rest[start:end] = ["、"] * (end - start)
    residue = "".join(rest)
    for word, _ in _action_words():
        residue = residue.replace(word, "、")
    unmatched: list[str] = []
    for item in re.split(r"[、,/()和及与或等以]+", residue):
        item = _FILLER.sub("", item).strip()
        if len(item) < 2:
            continue
        extra = residual_industry(item)
        if extra is not None:
            hits.append(extra)
        else:
            unmatched.append(item)
    return hits, unmatched


def _generic_kept(text: str) -> set[str]:
    """Return the generic heads that stand for themselves.

    Not 「化工等工业项目」 (after 等 or 类), nor one right after an industry (「医药建设项目」).
    """
    kept: set[str] = set()
    prev_end, prev_specific = -1, False
    for start, end, term in scan(text):
        if term.via in ("generic", "generic_all") and not (
            text[:start].endswith(("等", "类")) or (prev_specific and prev_end == start)
        ):
            kept.add(term.word)
        prev_end, prev_specific = end, term.via not in ("generic", "generic_all")
    return kept


def _industries(obj: str) -> tuple[list[IndustryHit], bool, list[IndustryHit], list[str], list[str]]:
    """Return (hits, about every project, narrowing tag hits, unmatched words, unmatched qualifier words).

    「A、B等破坏生态的活动」: A and B are the items and the rest describes them; 「排放X的Y项目」: the
    qualifier's industries (or tags) narrow the head Y.
    """
    qualifier, head = "", obj
    if "的" in obj:
        qualifier, head = obj.rsplit("的", 1)
    listed = ""
    if "等" in qualifier:
        listed, qualifier = qualifier.rsplit("等", 1)[0], ""
    hits, unmatched = _hits_and_residue(head)
    kept = _generic_kept(head)
    generic_all = any(h.via == "generic_all" and h.words[0] in kept for h in hits) and not unmatched
    specific = [h for h in hits if h.via not in ("generic", "generic_all")]
    hits = specific + [h for h in hits if h.via == "generic" and h.words[0] in kept]
    narrowing: list[IndustryHit] = []
    q_unmatched: list[str] = []
    if listed:
        l_hits, l_unmatched = _hits_and_residue(listed)
        l_hits = [h for h in l_hits if h.via not in ("generic", "generic_all")]
        if l_hits:
            hits, generic_all = l_hits + specific, False
        unmatched += l_unmatched
    if qualifier:
        q_hits, q_unmatched = _hits_and_residue(qualifier)
        q_hits = [h for h in q_hits if h.via not in ("generic", "generic_all")]
        q_codes = [h for h in q_hits if h.codes and not h.tags]
        if q_codes and (not specific):
            hits, generic_all = q_codes, False
        narrowing = [h for h in q_hits if h.tags]
    if narrowing and not hits and not generic_all:
        hits, narrowing = narrowing, []
    return hits, generic_all, narrowing, unmatched, q_unmatched


def _split_list_qualifier(parts: list[str], at: int) -> list[tuple[list[str], int]]:
    """Cut 「禁止新建水泥、平板玻璃以及国家规划外的钢铁项目」 in two: the plain items and the qualified ones."""
    vpart = parts[at]
    found = find_verdict(vpart)
    if not found:
        return [(parts, at)]
    obj = vpart[found[1] :]
    m = re.match(r"^(?P<pre>[^的]+?)(?:以及|及)(?P<post>[^及]*的[^的]+)$", obj)
    if not m or not any(t.via not in ("generic", "generic_all") for _, _, t in scan(m.group("pre"))):
        return [(parts, at)]
    acts = re.match(r"^[新改扩建、()（）]*", obj).group(0)
    head = vpart[: found[1]]
    return [
        ([*parts[:at], f"{head}{m.group('pre')}项目", *parts[at + 1 :]], at),
        ([*parts[:at], f"{head}{acts}{m.group('post')}", *parts[at + 1 :]], at),
    ]


# --------------------------------------------------------------------------- statements


def _untestable_in(text: str) -> list[Untestable]:
    out = []
    for pattern, zh, en in _untestable_patterns():
        m = pattern.search(text)
        if m:
            out.append(Untestable(zh, en, m.group(0)))
    return out


def _doubts(
    target: str, checked: str, unmatched: list[str], q_unmatched: list[str], hits: list[IndustryHit]
) -> tuple[str, ...]:
    """Return what leaves in doubt whether a project the hits miss is concerned (see :mod:`access_doubt`).

    ``checked`` is the text without the descriptions after 「等」: an unknown category counts there,
    not in a qualifier that narrows named industries (「不符合港口规划的码头项目」).
    """
    qualifier, _, head = target.rpartition("的")
    specific = any(h.via not in ("generic", "generic_all") and h.codes for h in hits)
    found = [c for c in categories_in(checked) if not (specific and c in qualifier and c not in head)]
    found += [w for h in hits if h.tags & DOUBTFUL_TAGS for w in h.words if w in checked]
    found += [u for u in unmatched if looks_like_product(u)]
    if q_unmatched and GENERIC_HEAD.search(head) and not any(t.codes for _, _, t in scan(head)):
        found += q_unmatched
    if hits and re.match(r"(涉及|使用|储存|贮存|含有)", qualifier):
        found += [w for h in hits for w in h.words]
    return tuple(dict.fromkeys(found))


def _own_subject(vpart: str, start: int) -> str:
    """Return the subject written in the verdict's own comma part (「入园项目须…」), cleaned."""
    return _LOCATION_END.sub("", strip_places(re.sub(r"《[^》]*》", "", vpart[:start])))


def _statement(parts: list[str], at: int, found: tuple[int, int, str, str] | None = None) -> Statement:
    """Read the statement whose verdict word is in ``parts[at]``; later parts may add exceptions."""
    vpart = parts[at]
    start, end, word, verdict = found or find_verdict(vpart) or (0, 0, "", "informational")
    context, c_ex = _pull_exemptions(",".join([*parts[:at], vpart[:start]]))
    obj, o_ex = _pull_exemptions(vpart[end:])
    exempt = c_ex + o_ex + [p for p in parts[at + 1 :] if _EXEMPT.search(p)]
    c_conds, c_req, c_bad = places_in(context, verdict, default="inside", after=obj)
    o_conds, o_req, o_bad = places_in(f"{word}{obj}", verdict)
    conds, requirement, bad = c_conds + o_conds, o_req or c_req, c_bad + o_bad
    scan_obj = strip_places(re.sub(r"《[^》]*》", "", obj))
    subject = _LOCATION_END.sub("", strip_places(re.sub(r"《[^》]*》", "", context)))
    about_subject = verdict == "condition" or requirement is not None
    own = _own_subject(vpart, start) if about_subject and at else ""
    if own and any(_industries(own)[:2]):
        subject = own
    first, second = (subject, scan_obj) if about_subject else (scan_obj, subject)
    target = first
    hits, generic_all, narrowing, unmatched, q_unmatched = _industries(first)
    if not (hits or generic_all) and second:
        hits, generic_all, narrowing, unmatched, q_unmatched = _industries(second)
        target = second
    specific = any(h.via != "generic" for h in hits)
    leftover = _LOCATION_END.sub("", strip_places(context).strip(",、"))
    if _PLACE_CONTEXT.search(leftover) and not scan(leftover):
        c_bad.append(Untestable("位置条件", "a place the layer set does not hold", leftover, place=True))
        bad = c_bad + o_bad
    plain_context = re.sub(r"《[^》]*》", "", context)
    checked_obj, checked_context = (
        (_DESCRIPTIVE.sub("等", obj), _DESCRIPTIVE.sub("等", plain_context)) if specific else (obj, plain_context)
    )
    if requirement is None:
        untestable = bad + _untestable_in(f"{checked_context},{checked_obj}")
        req_untestable: list[Untestable] = []
    else:
        untestable = bad + _untestable_in(checked_context)
        req_untestable = _untestable_in(checked_obj)
    if q_unmatched:
        untestable.append(Untestable("限定条件", "a qualifier the screen cannot test", "、".join(q_unmatched)))
    construction = vocabulary()["construction_words"]
    conduct = (
        verdict in ("prohibited", "restricted")
        and not any(w in f"{context}{obj}" for w in construction)
        and not any(c.relation == "within" for c in conds)
    )
    return Statement(
        text=",".join(parts),
        verdict=verdict,
        verdict_word=word,
        actions=actions_in(f"{context}{obj}" if requirement is None else context),
        hits=tuple(hits),
        generic_all=generic_all,
        narrowing=tuple(narrowing),
        exemptions=tuple(_exemption(e) for e in exempt if e.strip()),
        conditions=tuple(conds),
        requirement=requirement,
        untestable=tuple(dict.fromkeys(untestable)),
        conduct=conduct,
        unmatched=tuple(unmatched + q_unmatched),
        requirement_untestable=tuple(dict.fromkeys(req_untestable)),
        doubts=_doubts(target, f"{checked_context},{checked_obj}", unmatched, q_unmatched, hits),
    )


def _groups(sentence: str) -> tuple[list[tuple[list[str], int]], list[str]]:
    """Group the comma parts of a sentence: each verdict part with its context before and exceptions after."""
    groups: list[tuple[list[str], int]] = []
    pending: list[str] = []
    for part in sentence.split(","):
        if not part:
            continue
        if find_verdict(part) and not (_EXEMPT.search(part) and groups):
            groups.append(([*pending, part], len(pending)))
            pending = []
        elif groups:
            groups[-1][0].append(part)
        else:
            pending.append(part)
    return groups, pending


def _obligations(sentence: str) -> list[Statement]:
    """Read the parts of a sentence without a verdict word that still bind projects (see :mod:`access_doubt`).

    An obligation counts only when it names whom it binds: industries or tags of the lexicon, every
    project of an action (「新、改、扩建项目一律实行…」) or a class the screen cannot decide.
    """
    out = []
    for part in sentence.split(","):
        found = find_obligation(part)
        if found is None:
            continue
        s = _statement([part], 0, found)
        named = [h for h in s.hits if h.via in ("term", "alias", "group", "name", "generic")]
        if named or (s.generic_all and s.actions) or s.doubts:
            out.append(s)
    return out


def parse_statements(text: str) -> list[Statement]:
    """Read a clause's text into its statements.

    Examples
    --------
    >>> read = parse_statements("禁止新建、扩建化学制浆、电镀、鞣革项目")
    >>> [(s.verdict, [h.codes for h in s.hits], s.actions) for s in read]
    [('prohibited', [('C221',), ('C3360',), ('C1910',)], ('new', 'expand'))]
    >>> s = parse_statements("禁止新建电镀项目，光达新材料产业园（电镀集中区）内的除外。")[0]
    >>> [(c.relation, c.name, c.zone_class) for c in s.exemptions[0].places]
    [('inside', '光达新材料产业园', 'electroplating')]
    >>> parse_statements("推广节水灌溉。")[0].verdict
    'informational'
    """
    out: list[Statement] = []
    for sentence in re.split(r"[;。]+", str(text).translate(_PUNCT)):
        if not sentence.strip(","):
            continue
        groups, pending = _groups(sentence)
        if not groups:
            if out and _EXEMPT.search(sentence) and out[-1].verdict != "informational":
                last = out[-1]
                whole = re.sub(r"(的)?除外$|不在此限$", "", sentence.strip(",")).replace(",", "、")
                extra = (_exemption(whole),)
                out[-1] = Statement(**{**last.__dict__, "exemptions": last.exemptions + extra})
            elif reference_target(sentence) is None and (obligations := _obligations(sentence)):
                out.extend(obligations)
            else:
                target = reference_target(sentence)
                verdict = "reference" if target is not None else "informational"
                out.append(Statement(sentence, verdict, reference=target.label if target else ""))
            continue
        for parts, at in groups:
            out.extend(_statement(p, a) for p, a in _split_list_qualifier(parts, at))
        if pending:
            out.append(Statement(",".join(pending), "informational"))
    return out
