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

__all__ = ["LayerSpec", "Manifest", "read_manifest"]

MANIFEST_NAME = "layerset.yaml"
ON_INVALID = ("raise", "warn", "fix")
_TOP_KEYS = {"name", "crs", "illustrative", "layers", "description", "source", "catalogs"}
_LAYER_KEYS = {
    "kind",
    "path",
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


@dataclass
class LayerSpec:
    """One ``layers[]`` entry of a manifest, with paths resolved.

    ``confidential`` is the entry's ``confidential: true`` (涉密): the layer is screened
    against, but its geometry is never written, drawn or sent anywhere.
    """

    kind: str
    path: Path
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

    @property
    def where(self) -> str:
        """``layers[i] (kind, file)`` for messages."""
        return f"layers[{self.index}] ({self.kind}, {self.path.name})"


@dataclass
class Manifest:
    """A parsed manifest."""

    path: Path
    name: str
    layers: list[LayerSpec]
    crs: Any = None
    illustrative: bool = False
    catalogs: list[Path] = field(default_factory=list)


def _load_yaml(path: Path) -> Any:
    if not path.is_file():
        raise ManifestError(str(path), ["file does not exist; give a layerset.yaml, a folder holding one, or `sample`"])
    try:
        return yaml.safe_load(path.read_text("utf-8"))
    except UnicodeDecodeError:
        raise ManifestError(str(path), ["not UTF-8 text; save the manifest as UTF-8"]) from None
    except yaml.YAMLError as exc:
        raise ManifestError(str(path), [f"not valid YAML: {exc}"]) from None


def _parse_layer(raw: Any, i: int, base: Path, problems: list[str]) -> LayerSpec | None:
    where = f"layers[{i}]"
    if not isinstance(raw, dict):
        problems.append(f"{where}: expected a mapping with kind and path, got {raw!r}")
        return None
    for key in sorted(set(raw) - _LAYER_KEYS):
        problems.append(f"{where}: unknown key '{key}'; allowed keys are {', '.join(sorted(_LAYER_KEYS))}")
    kind = raw.get("kind")
    if not kind:
        problems.append(f"{where}: missing 'kind'; use one of {', '.join(KINDS)}")
    elif kind not in KINDS:
        problems.append(f"{where}: unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    if not raw.get("path"):
        problems.append(f"{where}: missing 'path' (the zone file, relative to the manifest)")
        return None
    path = (base / str(raw["path"])).resolve()
    where = f"layers[{i}] ({kind}, {raw['path']})"
    if not path.exists():
        problems.append(f"{where}: file {str(path)!r} does not exist; fix 'path'")
    elif path.suffix.lower() not in _READABLE:
        problems.append(
            f"{where}: unsupported format {path.suffix!r}; use GPKG, SHP, GeoJSON, FGB, GML, "
            "KML/KMZ or DXF (with `crs:`)"
        )
    class_map: dict[str, str] = {}
    raw_map = raw.get("class_map") or {}
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
    if kind in _CLASS_REQUIRED and not raw.get("class_field"):
        problems.append(
            f"{where}: missing 'class_field': {kind} zones need a class "
            f"({', '.join(KINDS[kind].classes)}); name the field that holds it"
        )
    crs = None
    if raw.get("crs") is not None:
        try:
            crs = parse_crs(raw["crs"], what=f"{where}: crs")
        except CRSError as exc:
            problems.append(str(exc))
    encoding = raw.get("encoding")
    if encoding is not None:
        try:
            codecs.lookup(str(encoding))
        except LookupError:
            problems.append(f"{where}: encoding {encoding!r} is not a known text encoding; use e.g. gbk or utf-8")
        if path.suffix.lower() != ".shp":
            problems.append(
                f"{where}: encoding applies only to Shapefile DBF text ({path.suffix} files are always UTF-8); "
                "remove `encoding:`"
            )
    on_invalid = raw.get("on_invalid", "raise")
    if on_invalid not in ON_INVALID:
        problems.append(f"{where}: on_invalid {on_invalid!r} is not one of {', '.join(ON_INVALID)}")
    confidential = raw.get("confidential", False)
    if not isinstance(confidential, bool):
        problems.append(
            f"{where}: confidential {confidential!r} is not true or false; write `confidential: true` for a "
            "涉密 layer (its geometry never leaves the process) or `confidential: false` (the default)"
        )
        confidential = True  # never treat a layer meant to be secret as public, even while reporting
    access_list = None
    if raw.get("access_list"):
        access_list = (base / str(raw["access_list"])).resolve()
        if kind != "control_unit":
            problems.append(f"{where}: access_list is only for control_unit layers")
        if not access_list.exists():
            problems.append(f"{where}: access_list file {str(access_list)!r} does not exist")
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
        access_list=access_list,
        on_invalid=on_invalid,
        index=i,
        confidential=confidential,
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
    raw_layers = data.get("layers")
    specs: list[LayerSpec] = []
    if not isinstance(raw_layers, list) or not raw_layers:
        problems.append("missing 'layers': a list of zone layers, each with kind and path")
    else:
        for i, raw in enumerate(raw_layers):
            spec = _parse_layer(raw, i, path.parent, problems)
            if spec is not None:
                specs.append(spec)
    if problems:
        raise ManifestError(str(path), problems)
    return Manifest(path, str(data["name"]), specs, crs, bool(data.get("illustrative", False)), catalogs)


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
