"""Getting zone layers in: manifests, vector sources, CRS, encodings, the bundled sample."""

from __future__ import annotations

from pathlib import Path

from redline.layers.cache import read_zone_layer_cached
from redline.layers.coverage import read_coverage
from redline.layers.layerset import LayerSet, ZoneLayer
from redline.layers.manifest import MANIFEST_NAME, read_manifest
from redline.layers.reader import NO_CRS, LoadIssue, read_zone_layer
from redline.layers.validate import validate_layerset
from redline.zones.errors import LayerError, ManifestError

__all__ = [
    "LayerSet",
    "LoadIssue",
    "ZoneLayer",
    "load_layerset",
    "resolve_layerset_path",
    "sample_dir",
    "validate_layerset",
]


def sample_dir() -> Path:
    """Return the folder of the bundled illustrative sample layer set.

    It holds ``layerset.yaml``, the layers it names and ``sites.geojson``, a list of sample
    project sites (示意数据，非官方 / illustrative, not official data).

    Examples
    --------
    >>> (sample_dir() / "layerset.yaml").is_file(), (sample_dir() / "sites.geojson").is_file()
    (True, True)
    """
    return Path(__file__).parent / "sample" / "data"


def resolve_layerset_path(path: str | Path | None) -> Path:
    """Resolve the ``layers`` argument: ``sample`` (or None), a folder holding layerset.yaml, or the file.

    Raises
    ------
    LayerError
        When nothing is there.

    Examples
    --------
    >>> resolve_layerset_path("sample") == sample_dir() / "layerset.yaml"
    True
    >>> resolve_layerset_path(sample_dir()).name
    'layerset.yaml'
    """
    if path is None or str(path) == "sample":
        return sample_dir() / MANIFEST_NAME
    p = Path(path)
    if p.is_dir():
        if not (p / MANIFEST_NAME).is_file():
            raise LayerError(
                f"folder '{p}' holds no {MANIFEST_NAME}; give the manifest file or a folder with one",
                param="layers",
                value=str(path),
                zh=f"文件夹 '{p}' 中没有 {MANIFEST_NAME}；请给出图层集清单文件，或含有该文件的文件夹",
            )
        return p / MANIFEST_NAME
    if not p.exists():
        raise LayerError(
            f"layer set '{p}' does not exist; give a layerset.yaml, a folder holding one, or `sample`",
            param="layers",
            value=str(path),
            zh=f"图层集 '{p}' 不存在；请给出 layerset.yaml 文件、含有该文件的文件夹，或 `sample`",
        )
    return p


def load_layerset(
    path: str | Path | None = "sample",
    *,
    near: tuple[float, float] | None = None,
    collect: list[LoadIssue] | None = None,
) -> LayerSet:
    """Load a layer set: read the manifest and every layer, normalised to EPSG:4490.

    A layer whose source has no CRS (and no ``crs:`` in the manifest) is refused with a
    proposal from its coordinates; for eastings without zone number the proposal is the
    central meridian that puts the layer where the set's other layers are (or, when no
    other layer could be placed, where ``near`` is).

    Parameters
    ----------
    path : str or Path, optional
        A ``layerset.yaml``, a folder holding one, or ``"sample"`` (the default:
        the bundled illustrative layer set).
    near : (lon, lat), optional
        Where the sites are, for that proposal only (see :func:`redline.checks.sites.reader.sites_center`).
    collect : list, optional
        Read leniently, for validation (:func:`layers.validate.validate_layerset`): nothing in the
        layers' data is refused.  Features with invalid or empty geometry, missing ids or classes
        ``class_map`` does not map are kept as they are (``on_invalid`` is not applied), and every
        such problem is appended to this list as a :class:`LoadIssue`; a layer that cannot be read
        at all (file, fields, no CRS) is left out of the set and recorded as a ``layer_error`` or
        ``crs_missing`` issue.  The manifest itself must still be sound.  Without ``collect`` (the
        default) any such problem raises.

    Returns
    -------
    LayerSet

    Raises
    ------
    ManifestError
        One error listing every problem in the manifest and its layers (with ``collect``: only
        the manifest's own problems).

    Examples
    --------
    >>> ls = load_layerset("sample")
    >>> ls.kinds[:4]
    ['ecological_redline', 'water_source', 'control_unit', 'basic_farmland']
    """
    manifest_path = resolve_layerset_path(path)
    manifest = read_manifest(manifest_path)
    lenient = collect is not None
    own: list[list[str]] = [[] for _ in manifest.layers]
    issues: list[list[LoadIssue] | None] = [[] if lenient else None for _ in manifest.layers]
    layers = [
        read_zone_layer(spec, manifest.crs, own[i], collect=issues[i])
        if lenient
        else read_zone_layer_cached(spec, manifest.crs, own[i])
        for i, spec in enumerate(manifest.layers)
    ]
    placed = LayerSet(manifest.name, [lyr for lyr in layers if lyr is not None])
    without_crs = [i for i, found in enumerate(own) if any(NO_CRS in p for p in found)]
    if without_crs:
        # propose from where the other layers are (or the sites), now that those are read
        center, what = placed.center(), "the other layers of the set"
        if center is None and near is not None:
            center, what = near, "the sites"
        if center is not None:
            for i in without_crs:
                own[i] = []
                issues[i] = [] if lenient else None
                read_zone_layer(
                    manifest.layers[i], manifest.crs, own[i], near=center, near_what=what, collect=issues[i]
                )
    problems = [p for found in own for p in found]
    if lenient:
        for i, spec in enumerate(manifest.layers):
            collect.extend(issues[i] or [])
            label = spec.label
            for p in own[i]:
                check = "crs_missing" if NO_CRS in p else "layer_error"
                collect.append(LoadIssue(check, spec.kind, label, detail=p))
    elif problems:
        raise ManifestError(str(manifest_path), problems)
    for spec, layer in zip(manifest.layers, layers, strict=True):
        if layer is not None and spec.coverage is not None:
            layer.coverage = read_coverage(spec.coverage, manifest.crs)
    return LayerSet(
        manifest.name,
        [lyr for lyr in layers if lyr is not None],
        manifest_path,
        manifest.illustrative,
        manifest.catalogs,
        manifest.coverage,
    )
