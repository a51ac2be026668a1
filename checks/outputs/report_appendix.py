"""The 研判报告's appendix: where the data and the rules came from, and the run.

The layers and their fingerprints, the rule catalogues and versions, the access lists, the run
(buffer, input, tool version, time in Beijing time), the notices and, for a batch, the text of
every rule its sections cite, once.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from redline._version import __version__
from redline.checks.outputs.report_info import Field
from redline.checks.outputs.report_kinds import RuleRef, Tag
from redline.checks.outputs.units import format_datetime, missing
from redline.checks.result import ScreeningResult
from redline.zones.labels import EM_DASH, confidential_note, format_number, kind_label, t

__all__ = ["Appendix", "appendix", "catalog_names", "rules_once"]


@dataclass
class Appendix:
    """Layers, catalogues, access lists and the run's record."""

    layers: list[dict[str, str]]
    catalogs: list[str]
    access_lists: list[str]
    run: list[Field]
    notices: list[str] = field(default_factory=list)
    rules: list[RuleRef] = field(default_factory=list)


def catalog_names(result: ScreeningResult) -> list[str]:
    """Return every catalogue in force: the versioned ones in layering order, then any other a rule names."""
    names = dict.fromkeys(result.catalog.versions)
    names.update(dict.fromkeys(result.catalog.titles))
    names.update(dict.fromkeys(r.catalog for r in result.catalog if r.catalog))
    return list(names)


def rules_once(sites: list[Any]) -> list[RuleRef]:
    """Return every rule a batch's sections cite, once, and leave only its code and title in the sections.

    A batch cites the same rules at many sites: their texts are printed once, in the appendix.
    """
    rules: dict[str, RuleRef] = {}
    for site in sites:
        for section in site.sections:
            for ref in section.rules:
                if ref.rule_id and ref.rule_id not in rules and "/" not in ref.rule_id:
                    rules[ref.rule_id] = replace(ref, tag=Tag("na", ""), count=0)
                if ref.rule_id and "/" not in ref.rule_id:
                    ref.text = ""
    return sorted(rules.values(), key=lambda r: r.rule_id)


def appendix(result: ScreeningResult, lang: str) -> Appendix:
    """Return the appendix of a run's report (without the rule texts: see :func:`rules_once`)."""
    meta = result.meta
    layers = []
    for layer in result.layerset.layers:
        kind = kind_label(layer.kind, lang)
        if getattr(layer, "confidential", False):
            kind = t("confidential.layer_kind", lang, kind=kind)
        layers.append(
            {
                "label": layer.label,
                "kind": kind,
                "zones": f"{len(layer.gdf):,}",
                "fingerprint": layer.fingerprint.removeprefix("sha256:")[:16],
            }
        )
    catalogs = [
        t(
            "appendix.catalog",
            lang,
            title=result.catalog.titles.get(name, name),
            name=name,
            version=result.catalog.versions.get(name) or EM_DASH,
        )
        for name in catalog_names(result)
    ]
    access = [
        t(
            "header.access_list_item",
            lang,
            file=layer.access_list.name if layer.access_list is not None else str(layer.access.source or EM_DASH),
            layer=layer.label,
            n=len(layer.access),
            fingerprint=layer.access_fingerprint.removeprefix("sha256:")[:16] or EM_DASH,
        )
        for layer in result.layerset.layers
        if getattr(layer, "access", None) is not None
    ]
    buffer = EM_DASH if missing(meta.get("buffer_m")) else format_number(meta.get("buffer_m"), 0)
    source = EM_DASH if missing(meta.get("source")) else str(meta.get("source"))
    run = [
        Field(t("header.layerset", lang), result.layerset.name),
        Field(t("header.buffer", lang), f"{buffer} m", t("header.buffer_note", lang, buffer=buffer)),
        Field(t("header.source", lang), source if len(source) <= 160 else source[:157] + "…"),
        Field(t("header.input_crs", lang), EM_DASH if missing(meta.get("input_crs")) else str(meta["input_crs"])),
        Field(t("header.tool_version", lang), f"redline-checker {meta.get('tool_version', __version__)}"),
        Field(t("header.created", lang), format_datetime(meta.get("created"), lang)),
    ]
    eia = meta.get("eia")
    if isinstance(eia, dict) and eia:
        run.append(Field(t("appendix.eia", lang), "；".join(f"{v}" for v in eia.values() if not missing(v))))
    elif not missing(eia) and eia is not None:
        run.append(Field(t("appendix.eia", lang), str(eia)))
    notices = []
    if result.illustrative:
        notices.append(t("illustrative_notice", lang))
    secret = result.layerset.confidential_kinds()
    if secret:
        notices.append(confidential_note(secret, lang, key="confidential.outputs"))
    notices += [t("footer.basis", lang), t("footer.disclaimer", lang)]
    return Appendix(layers, catalogs, access, run, notices)
