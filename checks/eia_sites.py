"""Which EIA document each screened site's project needs: the 名录 judged from the zones the site touches.

For every site that could be placed, the project's industries, facts and action are weighed with the
环境敏感区 among its findings (:func:`redline.zones.eia.hit_for_kind` says which layer kinds are
sensitive areas, and of which 第三条 group and type; a layer set may declare its own with
``sensitive_area:``).  The answer goes into three columns of the site's row: ``eia_category``
(``report`` 报告书, ``form`` 报告表, ``registration`` 登记表, ``none`` 不纳入环评管理,
``undetermined`` 待定), ``eia_item`` (the 名录 row) and ``eia_basis`` (why, with the zones that
triggered it, and the questions left open).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from redline.layers.layerset import LayerSet
from redline.zones.errors import RedlineError

__all__ = ["EIA_COLUMNS", "eia_columns"]

#: The site columns of the answer, in ``sites.csv`` order.
EIA_COLUMNS = ("eia_category", "eia_item", "eia_basis")


def _hits(rows: pd.DataFrame, declared: dict[str, Any], edition: str) -> tuple:
    """Return the sensitive-area hits of one site's findings (inside or overlapping; nearby ones as ``near``)."""
    from redline.zones.eia import hit_for_kind

    hits = []
    for kind, zone_id, zone_name, zone_class, relation in rows.itertuples(index=False, name=None):
        hit = hit_for_kind(
            edition,
            kind,
            str(zone_id),
            str(zone_name),
            zone_class=zone_class or None,
            declared=declared.get(kind),
            relation="near" if relation == "nearby" else "inside",
        )
        if hit is not None:
            hits.append(hit)
    return tuple(hits)


def _answer(project: Any, hits: tuple, edition: str, screened: tuple[str, ...], lang: str) -> tuple[str, str, str]:
    from redline.zones.eia import decide

    if not project.industries:
        what = project.unknown_industries
        basis = (
            ("行业代码 " + "、".join(what) + " 无法识别，" if what else "未给出项目行业，")
            + "无法对照《建设项目环境影响评价分类管理名录》；请给出 GB/T 4754-2017 行业代码"
            if lang == "zh"
            else ("industry code " + ", ".join(what) + " is unknown: " if what else "no industry given: ")
            + "the 名录 cannot be applied; give a GB/T 4754-2017 code"
        )
        return "undetermined", "", basis
    try:
        answer = decide(
            edition, project.industries, dict(project.facts), hits, action=project.action, screened=screened
        )
    except RedlineError as exc:
        return "undetermined", "", str(exc)
    basis = answer.basis if lang == "zh" else answer.basis_en
    questions = [q.text.zh if lang == "zh" else q.text.en for q in answer.questions]
    if questions:
        basis += ("；待回答：" if lang == "zh" else "; to answer: ") + ("；".join(questions))
    return answer.category, answer.item, basis


def eia_columns(sites: pd.DataFrame, findings: pd.DataFrame, layerset: LayerSet, lang: str = "zh") -> dict:
    """Return the EIA columns (:data:`EIA_COLUMNS`) for every site, and what to keep in the run's meta.

    Sites that could not be placed, or that lie outside the layers' coverage, get empty cells: the
    sensitive areas they touch are not known.

    Returns
    -------
    dict
        ``{"columns": {name: object array}, "meta": {"edition", "source"}}``.
    """
    from redline.zones.eia import default_edition, load_edition

    edition = default_edition()
    meta = {"edition": edition, "source": load_edition(edition).source}
    n = len(sites)
    out = {name: np.full(n, "", dtype=object) for name in EIA_COLUMNS}
    declared = {layer.kind: layer.sensitive_area for layer in layerset.layers if layer.sensitive_area}
    screened = tuple(layerset.kinds)
    placed = ((sites["status"] == "ok") & (sites["verdict"] != "no_coverage")).to_numpy()
    projects = sites["project"].to_numpy()
    # a project without a known industry gets the same answer wherever it is: no per-site work
    codes, distinct = pd.factorize(pd.Series(projects[placed], dtype=object))
    known = np.array([bool(getattr(p, "industries", ())) for p in distinct], dtype=bool)
    rows_placed = np.flatnonzero(placed)
    for code in np.flatnonzero(~known):
        answer = _answer(distinct[code], (), edition, screened, lang)
        for name, value in zip(EIA_COLUMNS, answer, strict=True):
            out[name][rows_placed[codes == code]] = value
    todo = rows_placed[known[codes]] if len(codes) else rows_placed[:0]
    if len(todo):
        _answer_sites(out, sites, findings, todo, declared, edition, screened, lang)
    return {"columns": out, "meta": meta}


def _answer_sites(out, sites, findings, todo, declared, edition, screened, lang) -> None:
    """Answer, site by site, the sites whose project has an industry (the zones they touch matter)."""
    by_site = findings.groupby("site_id", sort=False).indices if len(findings) else {}
    columns = ["kind", "zone_id", "zone_name", "zone_class", "relation"]
    memo: dict[tuple, tuple[str, str, str]] = {}
    site_ids, projects = sites["site_id"].to_numpy(), sites["project"].to_numpy()
    for i in todo:
        found_rows = by_site.get(site_ids[i])
        rows = findings.iloc[found_rows][columns] if found_rows is not None else findings.iloc[:0][columns]
        hits = _hits(rows, declared, edition)
        key = (projects[i], hits)
        found = memo.get(key)
        if found is None:
            found = memo[key] = _answer(projects[i], hits, edition, screened, lang)
        for name, value in zip(EIA_COLUMNS, found, strict=True):
            out[name][i] = value
