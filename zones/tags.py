"""The project tags that rules may test, with their meanings.

Tags describe what a project *does* where the industry code alone does not say
it (a water-supply work, a discharge outlet, a linear infrastructure project
that cannot avoid a red line).  Unknown tags are refused, so that a typo never
silently turns a ``prohibited`` into ``clear``.
"""

from __future__ import annotations

__all__ = ["TAGS", "check_tags"]

from redline.zones.errors import RuleError

#: tag -> (Chinese label, English meaning)
TAGS: dict[str, tuple[str, str]] = {
    "water_supply": ("供水设施", "water-supply works (intake, waterworks, pipelines)"),
    "water_source_protection": ("水源保护工程", "works that protect the water source"),
    "discharges_pollutants": ("排放污染物", "discharges pollutants (water, air or solid)"),
    "discharges_wastewater": ("排放废水", "discharges wastewater"),
    "serious_water_pollution": ("对水体污染严重", "seriously pollutes water bodies"),
    "sets_outfall": ("设置排污口", "sets a discharge outlet (排污口)"),
    "aquaculture_tourism": ("网箱养殖、旅游、游泳、垂钓", "cage aquaculture, tourism, swimming, angling"),
    "linear_infrastructure": ("必要的线性基础设施", "necessary linear infrastructure"),
    "ecotourism": ("适度的生态旅游和科普宣教", "modest eco-tourism and science education"),
    "ecological_restoration": ("生态修复", "ecological restoration"),
    "research_monitoring": ("巡护、科研、监测", "patrol, research, monitoring"),
    "resident_livelihood": ("原住民基本生产生活", "basic living and production of residents"),
    "geological_survey": ("地质调查与矿产勘查", "geological survey and mineral exploration"),
    "defence_border": ("国防和边境设施", "defence and border works"),
    "national_major": ("国家重大项目", "major national strategic project"),
    "solid_waste_facility": ("固体废物集中贮存利用处置设施", "centralised solid-waste facility"),
    "landfill": ("生活垃圾填埋场", "household-waste landfill"),
    "soil_polluting": ("可能造成土壤污染", "may pollute soil"),
    "heavy_metal": ("排放重金属污染物", "emits heavy-metal pollutants"),
    "persistent_organic_pollutants": ("排放持久性有机污染物", "emits persistent organic pollutants"),
    "livestock": ("畜禽规模养殖", "livestock farm"),
    "building_or_mining": (
        "建窑、建房、建坟、挖砂、采石、采矿、取土",
        "kilns, buildings, graves, sand digging, quarrying, mining, earth taking",
    ),
    "temporary_land_use": ("临时用地", "temporary land use"),
    "high_water_use": ("高耗水", "high water consumption"),
    "nitrogen_phosphorus": ("工艺废水含氮、磷", "process wastewater carrying nitrogen or phosphorus"),
    "high_noise": ("高噪声污染", "high-noise project"),
}


def check_tags(tags: list[str] | tuple[str, ...] | set[str] | frozenset[str]) -> frozenset[str]:
    """Return ``tags`` as a frozenset after checking every tag is known.

    Raises
    ------
    RuleError
        Naming every unknown tag and listing the known ones.

    Examples
    --------
    >>> sorted(check_tags(["water_supply"]))
    ['water_supply']
    """
    cleaned = {t.strip() for t in tags if t and t.strip()}
    unknown = sorted(cleaned - TAGS.keys())
    if unknown:
        raise RuleError(
            f"unknown project tag{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}; "
            f"known tags are: {', '.join(TAGS)}",
            param="tags",
            value=unknown,
        )
    return frozenset(cleaned)
