"""The ``layerset.yaml`` manifest: parse it and collect every mistake before reporting."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from redline.layers.crs import parse_crs
from redline.layers.manifest_keys import DEFAULT_COARSENING as DEFAULT_COARSENING  # (imported from here)
from redline.layers.manifest_keys import (
    _access_list_fields,
    _check_encoding,
    _confidential,
    _inside,
    _layer_coverage,
    _say,
    _sensitive_area,
)
from redline.zones.errors import Bilingual, CRSError, ManifestError, RuleError
from redline.zones.kinds import KINDS
from redline.zones.rules import bundled_catalog_path, load_catalog
from redline.zones.yaml_text import load_yaml

__all__ = ["LayerSpec", "Manifest", "read_manifest"]

MANIFEST_NAME = "layerset.yaml"
ON_INVALID = ("raise", "warn", "fix")
_TOP_KEYS = {"name", "crs", "illustrative", "layers", "description", "source", "catalogs", "coverage", "allow_outside"}
_LAYER_KEYS = {
    "kind",
    "path",
    "source",
    "table",
    "sql",
    "geometry_column",
    "password_env",
    "coverage",
    "sensitive_area",
    "access_list_columns",
    "access_list_sheets",
    "access_list_area_fields",
    "access_list_corrections",
    "layer",
    "id_field",
    "name_field",
    "class_field",
    "class_map",
    "encoding",
    "crs",
    "access_list",
    "on_invalid",
    "confidential",
    "title",
}
_CLASS_REQUIRED = frozenset({"water_source", "control_unit"})
_READABLE = {".gpkg", ".shp", ".geojson", ".json", ".fgb", ".gml", ".kml", ".kmz", ".dxf"}


#: ``coverage:`` naming no file: the union of the layer set's control units (which tile their region)
COVERAGE_CONTROL_UNITS = "control_units"


@dataclass
class PostgisSource:
    """Where a layer's zones come from when they live in PostGIS (``source:`` with ``table:`` or ``sql:``)."""

    url: str
    table: str | None = None
    sql: str | None = None
    geometry_column: str | None = None
    password_env: str | None = None

    @property
    def label(self) -> str:
        """The server and the table (or ``sql``), for messages and reports; never a password."""
        from redline.layers.postgis import parse_postgres_url

        return f"{parse_postgres_url(self.url).label}#{self.table or 'sql'}"


@dataclass
class LayerSpec:
    """One ``layers[]`` entry of a manifest, with paths resolved.

    ``confidential`` is the entry's ``confidential: true`` (涉密): the layer is screened
    against, but its geometry is never written, drawn or sent anywhere.  Written as a mapping
    (``confidential: {distance_step_m: 100, area_step_m2: 10000}``) it also says how coarse the
    service's answers about the layer are (``coarsening``; :data:`DEFAULT_COARSENING` otherwise).
    ``path`` is None for a layer read from PostGIS (``postgis``).
    """

    kind: str
    path: Path | None
    layer: str | None = None
    id_field: str | None = None
    name_field: str | None = None
    class_field: str | None = None
    class_map: dict[str, str] = field(default_factory=dict)
    encoding: str | None = None
    crs: Any = None
    access_list: Path | None = None
    on_invalid: str = "raise"
    index: int = 0
    confidential: bool = False
    coarsening: dict[str, float] = field(default_factory=dict)
    postgis: PostgisSource | None = None
    coverage: Path | None = None
    sensitive_area: dict[str, str] | None = None
    access_list_columns: dict[str, Any] = field(default_factory=dict)
    access_list_sheets: Any = None
    access_list_area_fields: tuple[str, ...] = ()
    access_list_corrections: Path | bool | None = None

    @property
    def source_label(self) -> str:
        """The file name, or the PostGIS server and table, for messages."""
        if self.postgis is not None:
            return self.postgis.label
        return self.path.name if self.path is not None else ""

    @property
    def label(self) -> str:
        """``file.ext`` or ``file.ext:layer`` (the source and table for PostGIS): the layer's name in reports."""
        return f"{self.source_label}:{self.layer}" if self.layer else self.source_label

    @property
    def where(self) -> str:
        """``layers[i] (kind, file)`` for messages."""
        return f"layers[{self.index}] ({self.kind}, {self.source_label})"


@dataclass
class Manifest:
    """A parsed manifest."""

    path: Path
    name: str
    layers: list[LayerSpec]
    crs: Any = None
    illustrative: bool = False
    catalogs: list[Path] = field(default_factory=list)
    coverage: Path | str | None = None


def _load_yaml(path: Path) -> Any:
    if not path.is_file():
        raise ManifestError(
            str(path),
            ["file does not exist; give a layerset.yaml, a folder holding one, or `sample`"],
            problems_zh=["文件不存在；请给出 layerset.yaml 文件、含有该文件的文件夹，或 `sample`"],
        )
    try:
        return load_yaml(path.read_text("utf-8"))
    except UnicodeDecodeError:
        raise ManifestError(
            str(path),
            ["not UTF-8 text; save the manifest as UTF-8"],
            problems_zh=["不是 UTF-8 文本；请把该文件另存为 UTF-8"],
        ) from None
    except yaml.YAMLError as exc:
        raise ManifestError(str(path), [f"not valid YAML: {exc}"], problems_zh=[f"不是有效的 YAML：{exc}"]) from None


def _postgis_source(raw: dict, where: str, problems: list[str]) -> PostgisSource | None:
    """Read ``source:``/``table:``/``sql:`` (a PostGIS layer), or None for a file layer."""
    db_keys = ("table", "sql", "geometry_column", "password_env")
    if not raw.get("source"):
        for key in db_keys:
            if raw.get(key) is not None:
                _say(
                    problems,
                    f"{where}: {key} is only for a PostGIS layer (with source: postgresql://...)",
                    f"{where}：{key} 只用于 PostGIS 图层（须有 source: postgresql://...）",
                )
        return None
    if raw.get("path"):
        _say(
            problems,
            f"{where}: give either path (a file) or source (a PostGIS server), not both",
            f"{where}：path（文件）和 source（PostGIS 服务器）只能给一个，不能都给",
        )
    from redline.layers.postgis import parse_postgres_url
    from redline.zones.errors import LayerError

    try:
        parse_postgres_url(str(raw["source"]), what=f"{where}: source")
    except LayerError as exc:
        problems.append(Bilingual(str(exc), exc.zh))
        return None
    table, sql = raw.get("table"), raw.get("sql")
    if bool(table) == bool(sql):
        _say(
            problems,
            f"{where}: a PostGIS layer needs one of table: SCHEMA.TABLE or sql: SELECT ...",
            f"{where}：PostGIS 图层须给出 table: SCHEMA.TABLE 或 sql: SELECT ... 二者之一",
        )
        return None
    return PostgisSource(
        str(raw["source"]),
        table=str(table) if table else None,
        sql=str(sql) if sql else None,
        geometry_column=raw.get("geometry_column"),
        password_env=raw.get("password_env"),
    )


def _layer_kind(raw: dict, where: str, problems: list[str]) -> Any:
    """Report the entry's unknown keys and a missing or unknown ``kind:``; return the kind as written."""
    for key in sorted(set(raw) - _LAYER_KEYS):
        _say(
            problems,
            f"{where}: unknown key '{key}'; allowed keys are {', '.join(sorted(_LAYER_KEYS))}",
            f"{where}：未知的键 '{key}'；允许的键有 {'、'.join(sorted(_LAYER_KEYS))}",
        )
    kind = raw.get("kind")
    if not kind:
        _say(
            problems,
            f"{where}: missing 'kind'; use one of {', '.join(KINDS)}",
            f"{where}：缺少 'kind'；请用 {'、'.join(KINDS)} 之一",
        )
    elif kind not in KINDS:
        _say(
            problems,
            f"{where}: unknown kind {kind!r}; use one of {', '.join(KINDS)}",
            f"{where}：未知的图层类型 {kind!r}；请用 {'、'.join(KINDS)} 之一",
        )
    return kind


def _layer_file(value: Any, where: str, base: Path, allow_outside: bool, problems: list[str]) -> Path | None:
    """Resolve ``path:`` (the zone file); report it missing, outside the folder or in a format not read."""
    path = _inside(base, value, where, "path", allow_outside, problems)
    if path is None:
        pass
    elif not path.exists():
        _say(
            problems,
            f"{where}: file {str(path)!r} does not exist; fix 'path'",
            f"{where}：文件 {str(path)!r} 不存在；请改正 'path'",
        )
    elif path.suffix.lower() not in _READABLE:
        _say(
            problems,
            f"{where}: unsupported format {path.suffix!r}; use GPKG, SHP, GeoJSON, FGB, GML, "
            "KML/KMZ or DXF (with `crs:`)",
            f"{where}：不支持的格式 {path.suffix!r}；请用 GPKG、SHP、GeoJSON、FGB、GML、KML/KMZ 或 DXF（须写 `crs:`）",
        )
    return path


def _layer_source(
    raw: dict, where: str, kind: Any, base: Path, allow_outside: bool, problems: list[str]
) -> tuple[Path | None, PostgisSource | None, str] | None:
    """Read the zones' source: return the file, the PostGIS source and the entry's name (None: neither given)."""
    postgis = _postgis_source(raw, where, problems)
    if postgis is not None:
        return None, postgis, f"{where} ({kind}, {postgis.table or 'sql'})"
    if not raw.get("path"):
        _say(
            problems,
            f"{where}: missing 'path' (the zone file, relative to the manifest) or 'source' (a PostGIS server)",
            f"{where}：缺少 'path'（区域图层文件，相对于清单的路径）或 'source'（PostGIS 服务器）",
        )
        return None
    where = f"{where} ({kind}, {raw['path']})"
    return _layer_file(raw["path"], where, base, allow_outside, problems), None, where


def _class_map(raw_map: Any, kind: Any, where: str, problems: list[str]) -> dict[str, str]:
    """Read ``class_map:`` (source value -> class of the kind), keyed by the normalised source value."""
    class_map: dict[str, str] = {}
    if not isinstance(raw_map, dict):
        _say(
            problems,
            f"{where}: class_map must be a mapping of source value -> class",
            f"{where}：class_map 须为 源数据取值 -> 类别 的映射",
        )
    elif kind in KINDS:
        classes = KINDS[kind].classes
        for src, dst in raw_map.items():
            if str(dst) not in classes:
                allowed = ", ".join(classes) or "none (this kind has no classes)"
                allowed_zh = "、".join(classes) or "无（该类型没有类别）"
                _say(
                    problems,
                    f"{where}: class_map maps {src!r} to {dst!r}, not a class of {kind}; classes are {allowed}",
                    f"{where}：class_map 把 {src!r} 映射为 {dst!r}，但它不是 {kind} 的类别；类别有 {allowed_zh}",
                )
            class_map[_norm_value(src)] = str(dst)
    return class_map


def _check_class_field(raw: dict, kind: Any, where: str, problems: list[str]) -> None:
    """Report a missing ``class_field:`` on a kind whose zones need a class."""
    if kind in _CLASS_REQUIRED and not raw.get("class_field"):
        _say(
            problems,
            f"{where}: missing 'class_field': {kind} zones need a class "
            f"({', '.join(KINDS[kind].classes)}); name the field that holds it",
            f"{where}：缺少 'class_field'：{kind} 的区域须有类别（{'、'.join(KINDS[kind].classes)}）；"
            "请写明存放类别的字段",
        )


def _layer_crs(value: Any, where: str, problems: list[str]) -> Any:
    """Parse the entry's ``crs:`` (None when not given or not understood)."""
    if value is None:
        return None
    try:
        return parse_crs(value, what=f"{where}: crs")
    except CRSError as exc:
        problems.append(Bilingual(str(exc), exc.zh))
        return None


def _parse_layer(raw: Any, i: int, base: Path, problems: list[str], allow_outside: bool = False) -> LayerSpec | None:
    """Read the manifest's ``layers[i]``, appending its problems; None when it names no source."""
    where = f"layers[{i}]"
    if not isinstance(raw, dict):
        _say(
            problems,
            f"{where}: expected a mapping with kind and path, got {raw!r}",
            f"{where}：应为含有 kind 和 path 的映射，收到 {raw!r}",
        )
        return None
    kind = _layer_kind(raw, where, problems)
    source = _layer_source(raw, where, kind, base, allow_outside, problems)
    if source is None:
        return None
    path, postgis, where = source
    class_map = _class_map(raw.get("class_map") or {}, kind, where, problems)
    _check_class_field(raw, kind, where, problems)
    crs = _layer_crs(raw.get("crs"), where, problems)
    _check_encoding(raw.get("encoding"), path, where, problems)
    on_invalid = raw.get("on_invalid", "raise")
    if on_invalid not in ON_INVALID:
        _say(
            problems,
            f"{where}: on_invalid {on_invalid!r} is not one of {', '.join(ON_INVALID)}",
            f"{where}：on_invalid {on_invalid!r} 不是 {'、'.join(ON_INVALID)} 之一",
        )
    confidential, coarsening = _confidential(raw.get("confidential", False), where, problems)
    access = _access_list_fields(raw, kind, base, where, allow_outside, problems)
    coverage = _layer_coverage(raw.get("coverage"), base, where, allow_outside, problems)
    return LayerSpec(
        kind=str(kind),
        path=path,
        layer=raw.get("layer"),
        id_field=raw.get("id_field"),
        name_field=raw.get("name_field"),
        class_field=raw.get("class_field"),
        class_map=class_map,
        encoding=raw.get("encoding"),
        crs=crs,
        on_invalid=on_invalid,
        index=i,
        confidential=confidential,
        coarsening=coarsening,
        postgis=postgis,
        coverage=coverage,
        sensitive_area=_sensitive_area(raw.get("sensitive_area"), where, problems),
        **access,
    )


def _norm_value(value: Any) -> str:
    """Normalise a class value: ``1``, ``1.0`` and ``"1"`` are the same value."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_manifest(path: str | Path) -> Manifest:
    """Read and check a ``layerset.yaml`` manifest.

    Parameters
    ----------
    path : str or Path
        The manifest file, or a folder holding ``layerset.yaml``.

    Raises
    ------
    ManifestError
        Listing every problem found (unknown kind, missing path, bad class_map ...).
    """
    path = Path(path)
    if path.is_dir():
        path = path / MANIFEST_NAME
    data = _load_yaml(path)
    if not isinstance(data, dict):
        raise ManifestError(
            str(path),
            ["expected a mapping with 'name' and 'layers'"],
            problems_zh=["应为含有 'name' 和 'layers' 的映射"],
        )
    problems: list[str] = []
    for key in sorted(set(data) - _TOP_KEYS):
        _say(
            problems,
            f"unknown top-level key '{key}'; allowed keys are {', '.join(sorted(_TOP_KEYS))}",
            f"未知的顶层键 '{key}'；允许的键有 {'、'.join(sorted(_TOP_KEYS))}",
        )
    if not data.get("name"):
        _say(
            problems,
            "missing 'name' (the layer set's title, printed in every report)",
            "缺少 'name'（图层集的标题，印在每份报告上）",
        )
    crs = None
    if data.get("crs") is not None:
        try:
            crs = parse_crs(data["crs"], what="crs")
        except CRSError as exc:
            problems.append(Bilingual(str(exc), exc.zh))
    catalogs = _catalogs(data.get("catalogs"), path.parent, problems)
    allow_outside = data.get("allow_outside", False)
    if not isinstance(allow_outside, bool):
        _say(
            problems,
            f"allow_outside {allow_outside!r} is not true or false",
            f"allow_outside {allow_outside!r} 不是 true 或 false",
        )
        allow_outside = False
    coverage = _coverage(data.get("coverage"), path.parent, allow_outside, problems)
    raw_layers = data.get("layers")
    specs: list[LayerSpec] = []
    if not isinstance(raw_layers, list) or not raw_layers:
        _say(
            problems,
            "missing 'layers': a list of zone layers, each with kind and path",
            "缺少 'layers'：区域图层的列表，每项须有 kind 和 path",
        )
    else:
        for i, raw in enumerate(raw_layers):
            spec = _parse_layer(raw, i, path.parent, problems, allow_outside)
            if spec is not None:
                specs.append(spec)
    if coverage == COVERAGE_CONTROL_UNITS and not any(spec.kind == "control_unit" for spec in specs):
        _say(
            problems,
            "coverage: control_units, but the layer set has no control_unit layer; give an outline file",
            "coverage 为 control_units，但图层集中没有 control_unit（管控单元）图层；请给出边界文件",
        )
    if problems:
        raise ManifestError(str(path), problems)
    return Manifest(path, str(data["name"]), specs, crs, bool(data.get("illustrative", False)), catalogs, coverage)


def _coverage(raw: Any, base: Path, allow_outside: bool, problems: list[str]) -> Path | str | None:
    """Read the top-level ``coverage:``: an outline file, or ``control_units``."""
    if raw is None:
        return None
    if str(raw) == COVERAGE_CONTROL_UNITS:
        return COVERAGE_CONTROL_UNITS
    path = _inside(base, raw, "coverage", "coverage", allow_outside, problems)
    if path is not None and not path.exists():
        _say(
            problems,
            f"coverage: {str(raw)!r} is neither `control_units` nor an existing outline file; give the outline "
            "of the area the layer set speaks for",
            f"coverage：{str(raw)!r} 既不是 `control_units`，也不是已有的边界文件；请给出图层集所代表区域的边界",
        )
    return path


def _catalogs(raw: Any, base: Path, problems: list[str]) -> list[Path]:
    """Resolve ``catalogs:``: bundled names (e.g. qinzhou_pilot) or YAML paths relative to the manifest."""
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        _say(
            problems,
            "catalogs: expected a list of catalogue names or YAML paths",
            "catalogs：应为规则目录名称或 YAML 路径的列表",
        )
        return []
    out = []
    for ref in raw:
        bundled = bundled_catalog_path(str(ref))
        path = bundled or (base / str(ref)).resolve()
        if not path.is_file():
            _say(
                problems,
                f"catalogs: {ref!r} is neither a bundled catalogue nor an existing file; check the name or path",
                f"catalogs：{ref!r} 既不是内置的规则目录，也不是已有的文件；请检查名称或路径",
            )
            continue
        try:
            load_catalog(path)
        except RuleError as exc:
            problems.append(Bilingual(f"catalogs: {exc}", f"catalogs：{exc.zh or exc}"))
            continue
        out.append(path)
    return out
