"""The ``layerset.yaml`` manifest: parse it and collect every mistake before reporting."""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from redline.layers.crs import parse_crs
from redline.zones.errors import CRSError, ManifestError, RuleError
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
        raise ManifestError(str(path), ["file does not exist; give a layerset.yaml, a folder holding one, or `sample`"])
    try:
        return load_yaml(path.read_text("utf-8"))
    except UnicodeDecodeError:
        raise ManifestError(str(path), ["not UTF-8 text; save the manifest as UTF-8"]) from None
    except yaml.YAMLError as exc:
        raise ManifestError(str(path), [f"not valid YAML: {exc}"]) from None


#: How coarse the service's answers about a confidential layer are, unless its manifest entry says.
DEFAULT_COARSENING: dict[str, float] = {"distance_step_m": 100.0, "area_step_m2": 10_000.0}


def _confidential(raw: Any, where: str, problems: list[str]) -> tuple[bool, dict[str, float]]:
    """Read ``confidential:``: true/false, or a mapping of the answers' coarsening steps (then true)."""
    if isinstance(raw, bool):
        return raw, dict(DEFAULT_COARSENING) if raw else {}
    if isinstance(raw, dict):
        steps = dict(DEFAULT_COARSENING)
        for key, value in raw.items():
            if key not in DEFAULT_COARSENING:
                problems.append(f"{where}: confidential: unknown key {key!r}; use {', '.join(DEFAULT_COARSENING)}")
            elif not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
                problems.append(f"{where}: confidential: {key} must be a positive number, got {value!r}")
            else:
                steps[key] = float(value)
        return True, steps
    problems.append(
        f"{where}: confidential {raw!r} is not true or false; write `confidential: true` for a "
        "涉密 layer (its geometry never leaves the process), a mapping of its answers' coarsening "
        "(`confidential: {distance_step_m: 100, area_step_m2: 10000}`), or `confidential: false` (the default)"
    )
    return True, dict(DEFAULT_COARSENING)  # never treat a layer meant to be secret as public, even while reporting


def _inside(base: Path, value: Any, where: str, key: str, allow_outside: bool, problems: list[str]) -> Path | None:
    """Resolve a path of the manifest; refuse one outside the manifest's folder unless ``allow_outside``.

    Symbolic links are followed before the check, so a link inside the folder that points out of it
    counts as outside.
    """
    path = (base / str(value)).resolve()
    if not allow_outside and not path.is_relative_to(base.resolve()):
        problems.append(
            f"{where}: {key} {str(value)!r} lies outside the manifest's folder {str(base)!r}; move the file "
            "into it, or write `allow_outside: true` at the top of the manifest to allow files elsewhere"
        )
        return None
    return path


def _postgis_source(raw: dict, where: str, problems: list[str]) -> PostgisSource | None:
    """Read ``source:``/``table:``/``sql:`` (a PostGIS layer), or None for a file layer."""
    db_keys = ("table", "sql", "geometry_column", "password_env")
    if not raw.get("source"):
        for key in db_keys:
            if raw.get(key) is not None:
                problems.append(f"{where}: {key} is only for a PostGIS layer (with source: postgresql://...)")
        return None
    if raw.get("path"):
        problems.append(f"{where}: give either path (a file) or source (a PostGIS server), not both")
    from redline.layers.postgis import parse_postgres_url
    from redline.zones.errors import LayerError

    try:
        parse_postgres_url(str(raw["source"]), what=f"{where}: source")
    except LayerError as exc:
        problems.append(str(exc))
        return None
    table, sql = raw.get("table"), raw.get("sql")
    if bool(table) == bool(sql):
        problems.append(f"{where}: a PostGIS layer needs one of table: SCHEMA.TABLE or sql: SELECT ...")
        return None
    return PostgisSource(
        str(raw["source"]),
        table=str(table) if table else None,
        sql=str(sql) if sql else None,
        geometry_column=raw.get("geometry_column"),
        password_env=raw.get("password_env"),
    )


def _sensitive_area(raw: Any, where: str, problems: list[str]) -> dict[str, str] | None:
    """Read ``sensitive_area: {group: 二, type: 重要湿地}`` (the 名录's 第三条 group and type)."""
    if raw is None:
        return None
    if not isinstance(raw, dict) or not raw.get("group") or not raw.get("type"):
        problems.append(
            f"{where}: sensitive_area must name the 名录 第三条 group and type, e.g. "
            "`sensitive_area: {group: 二, type: 重要湿地}`"
        )
        return None
    return {"group": str(raw["group"]), "type": str(raw["type"])}


def _layer_kind(raw: dict, where: str, problems: list[str]) -> Any:
    """Report the entry's unknown keys and a missing or unknown ``kind:``; return the kind as written."""
    for key in sorted(set(raw) - _LAYER_KEYS):
        problems.append(f"{where}: unknown key '{key}'; allowed keys are {', '.join(sorted(_LAYER_KEYS))}")
    kind = raw.get("kind")
    if not kind:
        problems.append(f"{where}: missing 'kind'; use one of {', '.join(KINDS)}")
    elif kind not in KINDS:
        problems.append(f"{where}: unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    return kind


def _layer_file(value: Any, where: str, base: Path, allow_outside: bool, problems: list[str]) -> Path | None:
    """Resolve ``path:`` (the zone file); report it missing, outside the folder or in a format not read."""
    path = _inside(base, value, where, "path", allow_outside, problems)
    if path is None:
        pass
    elif not path.exists():
        problems.append(f"{where}: file {str(path)!r} does not exist; fix 'path'")
    elif path.suffix.lower() not in _READABLE:
        problems.append(
            f"{where}: unsupported format {path.suffix!r}; use GPKG, SHP, GeoJSON, FGB, GML, "
            "KML/KMZ or DXF (with `crs:`)"
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
        problems.append(
            f"{where}: missing 'path' (the zone file, relative to the manifest) or 'source' (a PostGIS server)"
        )
        return None
    where = f"{where} ({kind}, {raw['path']})"
    return _layer_file(raw["path"], where, base, allow_outside, problems), None, where


def _class_map(raw_map: Any, kind: Any, where: str, problems: list[str]) -> dict[str, str]:
    """Read ``class_map:`` (source value -> class of the kind), keyed by the normalised source value."""
    class_map: dict[str, str] = {}
    if not isinstance(raw_map, dict):
        problems.append(f"{where}: class_map must be a mapping of source value -> class")
    elif kind in KINDS:
        classes = KINDS[kind].classes
        for src, dst in raw_map.items():
            if str(dst) not in classes:
                allowed = ", ".join(classes) or "none (this kind has no classes)"
                problems.append(
                    f"{where}: class_map maps {src!r} to {dst!r}, not a class of {kind}; classes are {allowed}"
                )
            class_map[_norm_value(src)] = str(dst)
    return class_map


def _check_class_field(raw: dict, kind: Any, where: str, problems: list[str]) -> None:
    """Report a missing ``class_field:`` on a kind whose zones need a class."""
    if kind in _CLASS_REQUIRED and not raw.get("class_field"):
        problems.append(
            f"{where}: missing 'class_field': {kind} zones need a class "
            f"({', '.join(KINDS[kind].classes)}); name the field that holds it"
        )


def _layer_crs(value: Any, where: str, problems: list[str]) -> Any:
    """Parse the entry's ``crs:`` (None when not given or not understood)."""
    if value is None:
        return None
    try:
        return parse_crs(value, what=f"{where}: crs")
    except CRSError as exc:
        problems.append(str(exc))
        return None


def _check_encoding(encoding: Any, path: Path | None, where: str, problems: list[str]) -> None:
    """Report an ``encoding:`` that is not a known codec, or that is given for anything but a Shapefile."""
    if encoding is None:
        return
    try:
        codecs.lookup(str(encoding))
    except LookupError:
        problems.append(f"{where}: encoding {encoding!r} is not a known text encoding; use e.g. gbk or utf-8")
    if path is None or path.suffix.lower() != ".shp":
        problems.append(
            f"{where}: encoding applies only to Shapefile DBF text "
            f"({f'{path.suffix} files are' if path is not None else 'this source is'} always UTF-8); remove `encoding:`"
        )


def _access_list_fields(
    raw: dict, kind: Any, base: Path, where: str, allow_outside: bool, problems: list[str]
) -> dict[str, Any]:
    """Read ``access_list:`` and its ``access_list_*`` options; return them as :class:`LayerSpec` fields."""
    access_list = None
    if raw.get("access_list"):
        access_list = _inside(base, raw["access_list"], where, "access_list", allow_outside, problems)
        if kind != "control_unit":
            problems.append(f"{where}: access_list is only for control_unit layers")
        if access_list is not None and not access_list.exists():
            problems.append(f"{where}: access_list file {str(access_list)!r} does not exist")
    for key in ("access_list_columns", "access_list_sheets", "access_list_area_fields", "access_list_corrections"):
        if raw.get(key) is not None and not raw.get("access_list"):
            problems.append(f"{where}: {key} is only for a layer with an access_list")
    columns = raw.get("access_list_columns") or {}
    if not isinstance(columns, dict):
        problems.append(f"{where}: access_list_columns must map a role or dimension to the header text")
        columns = {}
    area_fields = raw.get("access_list_area_fields") or ()
    area_fields = (area_fields,) if isinstance(area_fields, str) else tuple(str(f) for f in area_fields)
    corrections = raw.get("access_list_corrections")
    if corrections not in (None, False):
        corrections = _inside(base, corrections, where, "access_list_corrections", allow_outside, problems)
    return {
        "access_list": access_list,
        "access_list_columns": columns,
        "access_list_sheets": raw.get("access_list_sheets"),
        "access_list_area_fields": area_fields,
        "access_list_corrections": corrections,
    }


def _layer_coverage(value: Any, base: Path, where: str, allow_outside: bool, problems: list[str]) -> Path | None:
    """Resolve the entry's ``coverage:`` (the outline the layer covers); report it missing."""
    if value is None:
        return None
    coverage = _inside(base, value, where, "coverage", allow_outside, problems)
    if coverage is not None and not coverage.exists():
        problems.append(f"{where}: coverage file {str(coverage)!r} does not exist; give the outline the layer covers")
    return coverage


def _parse_layer(raw: Any, i: int, base: Path, problems: list[str], allow_outside: bool = False) -> LayerSpec | None:
    """Read the manifest's ``layers[i]``, appending its problems; None when it names no source."""
    where = f"layers[{i}]"
    if not isinstance(raw, dict):
        problems.append(f"{where}: expected a mapping with kind and path, got {raw!r}")
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
        problems.append(f"{where}: on_invalid {on_invalid!r} is not one of {', '.join(ON_INVALID)}")
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
        raise ManifestError(str(path), ["expected a mapping with 'name' and 'layers'"])
    problems: list[str] = []
    for key in sorted(set(data) - _TOP_KEYS):
        problems.append(f"unknown top-level key '{key}'; allowed keys are {', '.join(sorted(_TOP_KEYS))}")
    if not data.get("name"):
        problems.append("missing 'name' (the layer set's title, printed in every report)")
    crs = None
    if data.get("crs") is not None:
        try:
            crs = parse_crs(data["crs"], what="crs")
        except CRSError as exc:
            problems.append(str(exc))
    catalogs = _catalogs(data.get("catalogs"), path.parent, problems)
    allow_outside = data.get("allow_outside", False)
    if not isinstance(allow_outside, bool):
        problems.append(f"allow_outside {allow_outside!r} is not true or false")
        allow_outside = False
    coverage = _coverage(data.get("coverage"), path.parent, allow_outside, problems)
    raw_layers = data.get("layers")
    specs: list[LayerSpec] = []
    if not isinstance(raw_layers, list) or not raw_layers:
        problems.append("missing 'layers': a list of zone layers, each with kind and path")
    else:
        for i, raw in enumerate(raw_layers):
            spec = _parse_layer(raw, i, path.parent, problems, allow_outside)
            if spec is not None:
                specs.append(spec)
    if coverage == COVERAGE_CONTROL_UNITS and not any(spec.kind == "control_unit" for spec in specs):
        problems.append("coverage: control_units, but the layer set has no control_unit layer; give an outline file")
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
        problems.append(
            f"coverage: {str(raw)!r} is neither `control_units` nor an existing outline file; give the outline "
            "of the area the layer set speaks for"
        )
    return path


def _catalogs(raw: Any, base: Path, problems: list[str]) -> list[Path]:
    """Resolve ``catalogs:``: bundled names (e.g. qinzhou_pilot) or YAML paths relative to the manifest."""
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        problems.append("catalogs: expected a list of catalogue names or YAML paths")
        return []
    out = []
    for ref in raw:
        bundled = bundled_catalog_path(str(ref))
        path = bundled or (base / str(ref)).resolve()
        if not path.is_file():
            problems.append(
                f"catalogs: {ref!r} is neither a bundled catalogue nor an existing file; check the name or path"
            )
            continue
        try:
            load_catalog(path)
        except RuleError as exc:
            problems.append(f"catalogs: {exc}")
            continue
        out.append(path)
    return out
