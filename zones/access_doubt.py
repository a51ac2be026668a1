"""What an access-list clause leaves in doubt: classes of projects, obligations and exceptions the screen cannot decide.

The interpreter may answer ``clear`` only when it is sure a clause does not concern the project.
This module holds the readable rules that keep it from guessing:

- **unknown categories**: words that name a class of projects by a property the screen cannot
  decide from an industry code (高耗水, 高污染, 严重污染水环境, 落后产能 ...): a project not among
  the industries the clause also names may still belong to the class (a compliance qualifier,
  「不符合产业政策的」, only narrows what it qualifies and is an untestable condition instead);
- **obligations**: sentences without a verdict word that still bind projects (「新、改、扩建项目一律
  实行…替代」, 「严格…准入」, 「坚决淘汰…」); they bind every project of the action, or the
  industries they name;
- **dependent exceptions**: an exception that holds only for a project serving something else
  (「园区配套的…设施除外」, 「自用」): the screen cannot tell whether the project is one.

Examples
--------
>>> categories_in("严格控制高耗水、高污染行业发展")
('高耗水', '高污染')
>>> find_obligation("新、改、扩建项目一律实行倍量削减替代")
(8, 12, '一律实行', 'condition')
>>> find_obligation("严格新建涉重金属重点行业的环境准入")[2:]
('严格', 'restricted')
>>> depends_in("园区配套的危险废物利用处置设施"), depends_in("森林康养配套设施")
(('园区配套',), ())
"""

from __future__ import annotations

import re

__all__ = ["DOUBTFUL_TAGS", "GENERIC_HEAD", "categories_in", "depends_in", "find_obligation", "looks_like_product"]

#: classes of projects named by a property no industry code decides (policy usage of 三线一单 lists)
_CATEGORY = re.compile(
    r"高耗水|高耗能|能耗高|高污染|污染重(?!点)|重污染|污染较重|高排放|高风险|两高一资|两高|"
    r"严重污染[^,;。的]{0,6}|对水体污染严重|水体污染严重|落后产能|过剩产能|过剩行业|工艺落后"
)
#: project tags a user rarely declares and a code does not imply: a project without one may still have it
DOUBTFUL_TAGS = frozenset({"high_water_use", "serious_water_pollution"})
#: sentences without a verdict word that bind projects: the word and the verdict it carries
_OBLIGATION = (
    (re.compile(r"严格(?=[^,;。]{0,30}?准入)"), "restricted"),
    (re.compile(r"(?:一律|均|全面|严格|坚决)?(?:实行|实施|执行|落实|淘汰)"), "condition"),
)
#: an exception that holds only for what serves something else
_DEPENDS = re.compile(r"(?:园区|企业|项目|基地|厂区|自身)配套|配套服务|自用|服务于|为[^,;。]{1,8}服务")
#: a list item that names a production (「氯乙烯生产工艺」, 「填埋」 beside 「焚烧」)
_PRODUCT = re.compile(r"(生产工艺|工艺|生产线|生产|制造|加工|冶炼|装置|产品|焚烧|填埋|处置)$")
#: a head that names any construction, narrowed only by its qualifier (「妨碍行洪的建筑物」)
GENERIC_HEAD = re.compile(r"(建筑物|构筑物|设施|工程|项目|企业|活动)$")


def categories_in(text: str) -> tuple[str, ...]:
    """Return the unknown-category words of ``text`` (classes the screen cannot decide membership of)."""
    return tuple(dict.fromkeys(m.group(0) for m in _CATEGORY.finditer(text)))


def find_obligation(text: str) -> tuple[int, int, str, str] | None:
    """Return ``(start, end, word, verdict)`` of an obligation without a verdict word, or None."""
    found = [(m.start(), m.end(), m.group(0), v) for pattern, v in _OBLIGATION for m in [pattern.search(text)] if m]
    return min(found, default=None)


def depends_in(text: str) -> tuple[str, ...]:
    """Return the words that make an exception depend on what the project serves."""
    return tuple(dict.fromkeys(m.group(0) for m in _DEPENDS.finditer(text)))


def looks_like_product(word: str) -> bool:
    """Return True when a word the lexicon does not know reads as a production or a works.

    >>> looks_like_product("氯乙烯生产工艺"), looks_like_product("妨碍行洪")
    (True, False)
    """
    return bool(_PRODUCT.search(word))
