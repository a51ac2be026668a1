"""Which EIA document a project needs: the 《建设项目环境影响评价分类管理名录》 as data.

After "may it go here", a reviewer asks "what must the developer file": an 环境影响报告书
(``report``), a 报告表 (``form``), a 登记表 (``registration``) or nothing (``none``).  The answer
comes from the 名录: each row names a kind of project (with GB/T 4754-2017 codes) and the
conditions of each document, many of them whether the site touches an 环境敏感区 of the kinds
that row counts.

The 名录 ships as versioned data (``zones/data/minglu/<edition>/``: the table verbatim, its
articles, provenance, 第三条's sensitive areas, and each row's codes and conditions); a newer
edition is another folder, chosen by name.  :func:`decide` answers for a project at a site,
:func:`explain` shows how an industry's answer depends on the facts and the site.

Examples
--------
>>> from redline.zones.eia import decide, hit_for_kind
>>> water = hit_for_kind("2021", "water_source", "WS-1", "某水库", zone_class="second")
>>> answer = decide("2021", ["D4415"], {"装机容量": "6万千瓦"}, [water])
>>> answer.category, answer.label()
('report', '环境影响报告书')
>>> answer.edition, answer.rows
('2021', (90,))
"""

from redline.zones.eia.answer import Candidate, EiaAnswer, category_label
from redline.zones.eia.catalogue import (
    CATEGORIES,
    CATEGORY_LABELS,
    Edition,
    EiaTableError,
    Row,
    default_edition,
    editions,
    load_edition,
)
from redline.zones.eia.conditions import ACTIONS, Question, Text
from redline.zones.eia.decide import decide, hit_for_kind, normalize_action, parse_item
from redline.zones.eia.explain import EiaExplanation, RowExplanation, explain, vocabulary_text
from redline.zones.eia.facts import FactSpec, Quantity, parse_quantity
from redline.zones.eia.sensitive import SensitiveHit, SensitiveType

__all__ = [
    "ACTIONS",
    "CATEGORIES",
    "CATEGORY_LABELS",
    "Candidate",
    "Edition",
    "EiaAnswer",
    "EiaExplanation",
    "EiaTableError",
    "FactSpec",
    "Quantity",
    "Question",
    "Row",
    "RowExplanation",
    "SensitiveHit",
    "SensitiveType",
    "Text",
    "category_label",
    "decide",
    "default_edition",
    "editions",
    "explain",
    "hit_for_kind",
    "load_edition",
    "normalize_action",
    "parse_item",
    "parse_quantity",
    "vocabulary_text",
]
