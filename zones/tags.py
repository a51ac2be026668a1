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
    "sea_outfall": ("新设入海排污口", "sets a new outlet discharging into the sea (入海排污口)"),
    "aquaculture_tourism": ("网箱养殖、旅游、游泳、垂钓", "cage aquaculture, tourism, swimming, angling"),
    # the limited activities allowed in the ecological red line (自然资发〔2022〕142号, 2019 指导意见)
    "research_monitoring": (
        "管护巡护、保护执法、科学研究、调查监测",
        "patrol, law enforcement, research, survey and monitoring",
    ),
    "disaster_prevention": ("防灾减灾救灾、应急抢险", "disaster prevention, relief and emergency works"),
    "defence_border": ("军事国防和边境设施", "defence and border works"),
    "resident_livelihood": ("原住居民基本生产生活", "basic living and production of residents"),
    "archaeology": ("考古调查发掘和文物保护", "archaeology and protection of cultural relics"),
    "forest_tending": ("人工商品林抚育采伐、树种更新", "tending and thinning of plantation forest, species renewal"),
    "ecotourism": ("适度的参观旅游和科普宣教", "modest eco-tourism and science education"),
    "linear_infrastructure": ("必要的线性基础设施", "necessary linear infrastructure"),
    "flood_control": ("防洪设施", "flood-control works"),
    "geological_survey": ("地质调查与矿产勘查", "geological survey and mineral exploration"),
    "ecological_restoration": ("生态修复", "ecological restoration"),
    "national_major": ("国家重大项目", "major national strategic project"),
    "solid_waste_facility": ("固体废物集中贮存利用处置设施", "centralised solid-waste facility"),
    "landfill": ("生活垃圾填埋场", "household-waste landfill"),
    "soil_polluting": ("可能造成土壤污染", "may pollute soil"),
    "heavy_metal": ("排放重金属污染物", "emits heavy-metal pollutants"),
    "persistent_organic_pollutants": ("排放持久性有机污染物", "emits persistent organic pollutants"),
    "livestock": ("畜禽规模养殖", "livestock farm (养殖场、养殖小区 of the provincial scale)"),
    "building_or_mining": (
        "建窑、建房、建坟、挖砂、采石、采矿、取土",
        "kilns, buildings, graves, sand digging, quarrying, mining, earth taking",
    ),
    "crop_growing": ("农作物种植", "growing field crops (grain, oil, vegetables ...)"),
    "orchard_or_fishpond": ("发展林果业、挖塘养鱼", "orchards, tree crops, forestry or dug fish ponds"),
    "temporary_land_use": ("临时用地", "temporary land use"),
    "high_water_use": ("高耗水", "high water consumption"),
    "nitrogen_phosphorus": ("工艺废水含氮、磷", "process wastewater carrying nitrogen or phosphorus"),
    "high_noise": ("高噪声污染", "high-noise project"),
    # processes and products that answer the question a broad industry code leaves open
    # (see the questions in zones/data/industry_groups.yaml)
    "electroplating": ("含电镀工序", "has an electroplating process"),
    "calcium_carbide_pvc": ("电石法（聚）氯乙烯", "calcium-carbide route to vinyl chloride / PVC"),
    "chromium_salt": ("铬盐制造", "chromium-salt manufacture"),
    "zinc_from_solid_waste": (
        "以工业固体废物为原料生产锌无机化合物",
        "zinc inorganic compounds made from industrial solid waste",
    ),
    "mercury": ("汞矿采选或汞冶炼", "mercury mining or smelting"),
    "coal_fired": ("燃煤（含煤电、热电）", "coal-fired (power or combined heat and power)"),
    "hazardous_chemicals": ("生产或储存危险化学品", "makes or stores hazardous chemicals (危险化学品目录)"),
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
            zh=f"未知的项目标签 {'、'.join(map(repr, unknown))}；"
            f"已知的标签有：{'、'.join(f'{tag}（{label}）' for tag, (label, _) in TAGS.items())}",
        )
    return frozenset(cleaned)
