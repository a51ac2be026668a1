"""The validation checks, what they find and how a problem is recorded (the ``validation.csv`` contract).

Each check has a stable code (the ``check`` column of ``validation.csv``, which data producers
script against) and a severity; :class:`Problem` is one row of that table and :class:`LayerReport`
what validation says about one layer of the manifest.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "BORDER_M",
    "CHECKS",
    "CROSS_PAIRS",
    "CSV_COLUMNS",
    "DISJOINT_KINDS",
    "Check",
    "LayerReport",
    "Problem",
]

#: Columns of ``validation.csv`` (**contract**), in this order.
CSV_COLUMNS: list[str] = ["check", "kind", "feature_id", "other_kind", "other_id", "area_m2", "message"]

#: Kinds whose zones must not overlap one another.
DISJOINT_KINDS: tuple[str, ...] = (
    "ecological_redline",
    "water_source",
    "control_unit",
    "basic_farmland",
    "urban_boundary",
    "nature_reserve",
)

#: The pairs of kinds that must not overlap (三区三线: red line, farmland, urban development boundary).
CROSS_PAIRS: tuple[tuple[str, str], ...] = (
    ("ecological_redline", "basic_farmland"),
    ("ecological_redline", "urban_boundary"),
    ("basic_farmland", "urban_boundary"),
)

#: How close (m) a 二级 zone must come to a 一级's boundary to count as bordering it.
BORDER_M = 1.0


@dataclass(frozen=True)
class Check:
    """One validation check: stable code, severity and what it means.

    Examples
    --------
    >>> from redline.layers.validate import CHECKS
    >>> check = CHECKS["cross_overlap"]
    >>> check.severity, check.label("zh"), check.label("en")
    ('error', '三区三线重叠', 'red line / farmland / urban boundary overlap')
    """

    code: str
    severity: str  # "error" or "warning"
    zh: str
    en: str

    def label(self, lang: str = "zh") -> str:
        """Return the check's display name in ``lang``."""
        return self.zh if lang == "zh" else self.en


#: Every check, by code, in report order.
CHECKS: dict[str, Check] = {
    c.code: c
    for c in (
        Check("layer_error", "error", "图层无法读取", "layer cannot be read"),
        Check("crs_missing", "error", "缺少坐标系", "no CRS"),
        Check("crs_datum", "warning", "坐标系近似转换", "approximate datum shift"),
        Check("invalid_geometry", "error", "几何无效", "invalid geometry"),
        Check("empty_geometry", "error", "几何为空", "empty geometry"),
        Check("empty_part", "warning", "几何含空部件（已删除）", "empty part dropped"),
        Check("not_polygon", "error", "不是面要素", "not a polygon"),
        Check("duplicate_id", "error", "编号重复", "duplicate id"),
        Check("missing_id", "error", "缺少编号", "missing id"),
        Check("unmapped_class", "error", "分类值未映射", "class value not in class_map"),
        Check("missing_class", "error", "缺少分类", "missing class"),
        Check("overlap", "error", "同类图斑重叠", "features overlap"),
        Check("gap", "error", "管控单元覆盖空隙", "gap in control-unit coverage"),
        Check("outside_region", "error", "管控单元超出区域", "control unit outside the region"),
        Check("water_level_overlap", "error", "水源保护区级别重叠", "water-source levels overlap"),
        Check(
            "water_not_surrounded", "error", "一级保护区未被二级保护区包围", "first-level zone not surrounded by second"
        ),
        Check("water_no_second", "warning", "一级保护区周边无二级保护区", "no second-level zone borders a first"),
        Check("cross_overlap", "error", "三区三线重叠", "red line / farmland / urban boundary overlap"),
        Check("sliver", "warning", "细小重叠或空隙（低于容差）", "sliver below the tolerance"),
        Check("access_list", "warning", "准入清单需核对", "access list to check"),
    )
}


@dataclass
class Problem:
    """One row of ``validation.csv`` (and ``validation.gpkg``).

    Examples
    --------
    >>> problem = Problem("invalid_geometry", "basic_farmland", "TB450721-000776", message="Self-intersection")
    >>> problem.check, problem.kind, problem.feature_id, problem.severity
    ('invalid_geometry', 'basic_farmland', 'TB450721-000776', 'error')
    """

    check: str
    kind: str
    feature_id: str = ""
    other_kind: str = ""
    other_id: str = ""
    area_m2: float | None = None
    message: str = ""
    geometry: object = None
    layer: str = ""

    @property
    def severity(self) -> str:
        """``error`` or ``warning``."""
        return CHECKS[self.check].severity


@dataclass
class LayerReport:
    """What validation says about one layer of the manifest.

    Examples
    --------
    >>> from redline.layers.validate import validate_layerset
    >>> layer = validate_layerset("sample").layers[0]
    >>> layer.kind, layer.label, layer.n_features, layer.loaded
    ('ecological_redline', 'ecological_redline.geojson', 4, True)
    """

    kind: str
    label: str
    n_features: int | None
    source_crs: str
    loaded: bool = True
    encoding: str = ""
    confidential: bool = False
