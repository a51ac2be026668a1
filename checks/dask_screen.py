"""Screen a batch on a Dask distributed cluster: sites partitioned, the layers once per worker.

The sites are cut into partitions with dask-geopandas, in input order; every partition is screened
on a worker by :func:`checks.screen_sites` itself, and the partitions' sites and findings are put
back together in input order.  A site's findings depend on that site and the layers alone, so the
result is the same as a local run's, row for row (only ``meta`` records the engine).

The zone layers reach the workers once each, in one of two ways:

- **loaded on the workers** from the manifest's path (a worker plugin loads the layer set when a
  worker starts, or joins later, and keeps it for every partition and every later run with the
  same layers).  The workers need the layer files at the same path (a shared or synchronised
  folder); each worker's layer cache (``REDLINE_CACHE_DIR``) makes the load fast after the first.
  Their fingerprints are compared with the client's, so a worker holding other files is an error,
  never a silent difference;
- **shipped** from the client (``client.scatter(..., broadcast=True)``): no shared files needed;
  the normalised layers travel over the network once per worker.

``ship_layers=None`` (the default) loads on the workers when every worker can read the manifest
and finds the same files there, and ships otherwise.

A layer set with a confidential (涉密) layer is never shipped: its geometry must not leave this
process, so the workers must load it themselves from the manifest's path (their own access to
the files).  When they cannot, or ``ship_layers=True`` is asked for, the run is refused with a
:class:`~redline.zones.errors.RedlineError` saying so, before anything is sent.

Needs the ``dask`` extra: ``pip install "redline-checker[dask]"`` (``dask[distributed]``,
``dask-geopandas``).  Importing this module does not import Dask.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import os
import threading
import warnings
from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from redline.checks.app.progress import Progress
from redline.checks.result import ScreeningResult
from redline.layers.layerset import TARGET_CRS, LayerSet
from redline.zones.errors import Bilingual, LayerError, RedlineError, param_ref

__all__ = ["PARTITION_SITES", "LayerSetPlugin", "require_dask", "screen_sites_dask"]

#: Sites per partition when ``npartitions`` is not given (at least two partitions per worker thread).
PARTITION_SITES = 20_000

try:  # the plugin class must subclass distributed's; the module still imports without Dask
    from distributed.diagnostics.plugin import WorkerPlugin as _WorkerPlugin
except ImportError:  # pragma: no cover - without the dask extra
    _WorkerPlugin = object


# --------------------------------------------------------------------------- on the workers

_WORKER_LAYERS: dict[str, tuple[LayerSet, Any]] = {}
_WORKER_LOCK = threading.Lock()


def _layers_on_worker(token: str, manifest: str) -> tuple[LayerSet, Any]:
    """Return this worker process's layer set (and its rule catalogue) for ``token``, loading it once."""
    with _WORKER_LOCK:
        found = _WORKER_LAYERS.get(token)
        if found is None:
            from redline.layers import load_layerset

            ls = load_layerset(manifest)
            found = (ls, ls.catalog())
            _WORKER_LAYERS[token] = found
    return found


class LayerSetPlugin(_WorkerPlugin):
    """Worker plugin: load the layer set from ``manifest`` when a worker starts (or joins)."""

    def __init__(self, token: str, manifest: str) -> None:
        self.token = token
        self.manifest = manifest
        self.name = f"redline-layers-{token[:16]}"
        self.idempotent = True  # registered again (a later run, the same layers): nothing to do

    def setup(self, worker=None) -> None:
        """Load the layer set into this worker process (kept for every partition)."""
        _layers_on_worker(self.token, self.manifest)


def _worker_fingerprints(token: str) -> dict[str, str]:
    ls, _ = _WORKER_LAYERS[token]
    return ls.fingerprints()


@dataclasses.dataclass(frozen=True)
class _OnWorkers:
    """The tasks' handle on layers the workers load themselves."""

    token: str
    manifest: str


@dataclasses.dataclass
class _Shipped:
    """Layers sent from the client (scattered once to every worker)."""

    layerset: LayerSet
    catalog: Any


def _screen_partition(part: gpd.GeoDataFrame, layers, kwargs: dict) -> tuple:
    """Screen one partition on a worker; return (sites, findings, access lists, meta)."""
    from redline.checks.screen import screen_sites

    if isinstance(layers, _OnWorkers):
        ls, catalog = _layers_on_worker(layers.token, layers.manifest)
    else:
        ls, catalog = layers.layerset, layers.catalog
    kwargs = {"catalog": catalog, **kwargs}
    result = screen_sites(_with_projects(part), ls, **kwargs)
    return result.sites, result.findings, result.access_lists, result.meta


def _with_projects(part: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Give every screened site its :class:`~redline.zones.project.Project` object back where it was lost.

    Dask turns object columns into strings: a project's text (``str(project)``, see
    :meth:`~redline.zones.project.Project.to_text`) is read back whole (facts, unknown codes and
    notes too).  A frame without it (read from Parquet without its ``project`` column) has its
    projects rebuilt from the ``industry``, ``tags`` and ``action`` columns, read as a batch row is
    (an unknown industry code kept as unknown).
    """
    from redline.zones.project import Project

    projects = part["project"].to_numpy(dtype=object) if "project" in part.columns else None
    ok = (part["status"] == "ok").to_numpy()
    if projects is not None and all(isinstance(p, Project) for p in projects[ok]):
        return part
    if projects is None:
        projects = np.full(len(part), None, dtype=object)
    texts = [part[c].fillna("").to_numpy(dtype=object) for c in ("industry", "tags", "action")]
    rebuilt = [
        _project_of(project, industry, tags, action) if good else None
        for project, industry, tags, action, good in zip(projects, *texts, ok, strict=True)
    ]
    return part.assign(project=pd.Series(rebuilt, index=part.index, dtype=object))


def _project_of(project: Any, industry: str, tags: str, action: str):
    """Return a site's Project: the object itself, read back from its text, else built from its columns."""
    from redline.zones.project import Project, make_project

    if isinstance(project, Project):
        return project
    if isinstance(project, str):
        try:
            return Project.from_text(project)
        except ValueError:
            pass
    return make_project(industry or None, tags or None, action or None, lenient=True)


# --------------------------------------------------------------------------- on the client


def _bare(layerset: LayerSet) -> LayerSet:
    """Return a copy without the engine's per-process caches (spatial index, projections), for shipping."""
    return dataclasses.replace(layerset, layers=[dataclasses.replace(layer) for layer in layerset.layers])


def _token(manifest: Path, fingerprints: dict[str, str]) -> str:
    payload = repr((str(manifest), sorted(fingerprints.items())))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@contextmanager
def _connect(scheduler):
    """Yield a distributed Client: the one given, one to the address given, the current one, or a local cluster."""
    from distributed import Client, LocalCluster

    if isinstance(scheduler, Client):
        yield scheduler
        return
    if scheduler is None:
        from distributed import default_client

        try:
            current = default_client()
        except ValueError:
            current = None
        if current is not None:
            yield current
            return
        cluster = LocalCluster(
            n_workers=os.cpu_count() or 1, threads_per_worker=1, processes=True, dashboard_address=":0"
        )
        try:
            with Client(cluster) as client:
                yield client
        finally:
            cluster.close()
        return
    with Client(scheduler) as client:
        yield client


def _confidential_labels(layerset: LayerSet) -> list[str]:
    return [layer.label for layer in layerset.layers if getattr(layer, "confidential", False)]


def _refuse_shipping(layerset: LayerSet, problem: Bilingual) -> RedlineError:
    """Return the error for a layer set with confidential layers that would have to be shipped (``problem``: why)."""
    secret = ", ".join(_confidential_labels(layerset))
    engine = param_ref("engine")
    return RedlineError(
        f"{engine} dask: the layer set has confidential (涉密) layers ({secret}), whose geometry never leaves "
        f"this process, so the layers cannot be shipped to the Dask workers; {problem}. Give every worker the "
        f"layer files at the same path as here ('{layerset.path}') so that the workers load them themselves, "
        f"or screen with the local engine (without {engine} dask)",
        param="engine",
        value="dask",
        zh=f"{engine} dask：图层集含涉密图层（{secret}），其几何数据从不离开本进程，因此不能把图层发送给 Dask "
        f"工作节点；{problem.zh}。请让每个工作节点在与本机相同的路径（'{layerset.path}'）上有这些图层文件，"
        f"由工作节点自行加载；或改用本地引擎筛查（不用 {engine} dask）",
    )


def _place_layers(client, layerset: LayerSet, ship_layers: bool | None) -> tuple[Any, str]:
    """Get the layers onto every worker; return (what the tasks take, "loaded" or "shipped").

    Confidential layers are only ever loaded by the workers themselves, never shipped.
    """
    manifest = layerset.path
    secret = bool(_confidential_labels(layerset))
    if secret and ship_layers is True:
        raise _refuse_shipping(
            layerset, Bilingual("ship_layers=True asks for exactly that", "而 ship_layers=True 正要求这样做")
        )
    if ship_layers is not True:
        if manifest is None:
            problem = Bilingual(
                "this layer set was not loaded from a manifest, so the workers cannot load it",
                "该图层集不是从清单加载的，工作节点无法自行加载",
            )
        else:
            path = str(Path(manifest).resolve())
            token = _token(Path(path), layerset.fingerprints())
            plugin = LayerSetPlugin(token, path)
            try:
                client.register_plugin(plugin, name=plugin.name)
                seen = client.run(_worker_fingerprints, token)
            except Exception as exc:
                why = f"{type(exc).__name__}: {exc}"
                problem = Bilingual(
                    f"the Dask workers cannot load the layer set '{manifest}' ({why})",
                    f"Dask 工作节点无法加载图层集 '{manifest}'（{why}）",
                )
            else:
                expected = layerset.fingerprints()
                differ = sorted(w for w, fp in seen.items() if fp != expected)
                if not differ:
                    return _OnWorkers(token, path), "loaded"
                workers = ", ".join(differ[:4])
                problem = Bilingual(
                    f"the layer files at '{manifest}' on worker(s) {workers} differ from the ones "
                    "loaded here (fingerprints)",
                    f"工作节点 {workers} 上 '{manifest}' 处的图层文件与本机加载的不同（指纹不符）",
                )
        if secret:
            raise _refuse_shipping(layerset, problem)
        if ship_layers is False:
            raise LayerError(
                f"{problem}; give the workers the same files at the same path, or ship the layers",
                zh=f"{problem.zh}；请让工作节点在相同路径上有相同的文件，或把图层发送给它们",
            )
    key = (client.id, id(layerset))
    held = _SHIPPED.get(key)
    if held is None or held[0] is not layerset or held[1].status != "finished":
        # kept (with the layer set, so its id is not reused): later runs with this client and this
        # layer set object, e.g. chunk after chunk of a stream, send nothing again
        held = (layerset, client.scatter(_Shipped(_bare(layerset), layerset.catalog()), broadcast=True, hash=False))
        _SHIPPED[key] = held
    return held[1], "shipped"


_SHIPPED: dict[tuple[str, int], tuple[LayerSet, Any]] = {}


def _default_partitions(client, n_sites: int) -> int:
    threads = sum(client.nthreads().values()) or 1
    return max(1, min(n_sites, max(2 * threads, math.ceil(n_sites / PARTITION_SITES))))


def _concat(frames: list[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """Concatenate partition frames in order (empty ones only when all are: their dtypes are placeholders)."""
    full = [f for f in frames if len(f)] or frames[:1]
    out = pd.concat(full, ignore_index=True) if len(full) > 1 else full[0].reset_index(drop=True)
    return gpd.GeoDataFrame(out, geometry=out.geometry.name, crs=TARGET_CRS)


def screen_sites_dask(
    sites: gpd.GeoDataFrame,
    layerset: str | Path | LayerSet,
    *,
    scheduler=None,
    npartitions: int | None = None,
    ship_layers: bool | None = None,
    progress: bool | Callable[[int, int], None] = False,
    **screen_kwargs,
) -> ScreeningResult:
    """Screen every site on a Dask distributed cluster; the same result as :func:`checks.screen_sites`.

    Parameters
    ----------
    sites : geopandas.GeoDataFrame or dask_geopandas.GeoDataFrame
        As returned by :func:`checks.read_sites`, or already partitioned with dask-geopandas
        with the same columns (e.g. written to Parquet and read with
        ``dask_geopandas.read_parquet``): ``project`` objects turned into text (``str``) are
        read back whole; without them they are rebuilt from the ``industry``, ``tags`` and
        ``action`` columns (a project's facts are then lost: keep the ``project`` column as text).
    layerset : str, Path or LayerSet
        A ``layerset.yaml`` (or a folder holding one, or ``"sample"``), or a loaded layer set.
        Pass the :class:`~redline.layers.LayerSet` you already have to avoid loading it on this machine
        again (the result carries it, for ``summary.json`` and the reports).
    scheduler : str, distributed.Client or None
        The scheduler's address (``"tcp://10.0.0.5:8786"``), a client, or None: the current
        client if there is one, else a local cluster of one single-threaded worker process per
        core, closed afterwards.
    npartitions : int, optional
        Partitions of the sites; default: at least two per worker thread and at most
        :data:`PARTITION_SITES` sites each.  A dask-geopandas input keeps its own partitions.
    ship_layers : bool or None
        ``False``: the workers load the layer set from the manifest's path (shared files; the
        layers as the files give them: a layer set changed in memory must be shipped);
        ``True``: send the loaded layers from here; ``None`` (default): load on the workers when
        they all can and find the same files (fingerprints), else send.
    progress : bool or callable
        ``True`` shows a progress bar (sites done, rate, ETA) on stderr as partitions finish; a
        callable is called with (sites done, total) at the start and as partitions finish.
    **screen_kwargs
        Passed to :func:`checks.screen_sites` for every partition: ``buffer_m``, ``nearby``,
        ``lang``, ``catalog``, ``meta``, ``chunk_size`` ...

    Returns
    -------
    ScreeningResult
        Sites and findings in input order, as a local run gives them; ``meta`` adds
        ``engine="dask"``, ``npartitions`` and ``layers_on_workers`` (``loaded`` or ``shipped``).

    Raises
    ------
    LayerError
        With ``ship_layers=False``, when a worker cannot load the layer set or holds different
        files at the manifest's path.
    RedlineError
        When the layer set has a confidential (涉密) layer and the workers cannot load it
        themselves (or ``ship_layers=True``): confidential geometry is never shipped.

    Examples
    --------
    >>> from redline.checks import read_sites
    >>> from redline.layers import load_layerset, sample_dir
    >>> layers = load_layerset("sample")
    >>> sites, _ = read_sites(sample_dir() / "sites.geojson")
    >>> result = screen_sites_dask(sites, layers, scheduler="tcp://127.0.0.1:8786")  # doctest: +SKIP
    >>> result.sites["verdict"].value_counts()  # doctest: +SKIP
    """
    import dask
    import dask_geopandas
    from distributed import as_completed

    from redline.layers import load_layerset

    if isinstance(layerset, LayerSet):
        ls = layerset
    else:
        ls = load_layerset(layerset)
    screen_kwargs.pop("progress", None)
    catalog = screen_kwargs.get("catalog") or ls.catalog()
    is_dask = isinstance(sites, dask_geopandas.GeoDataFrame)
    if not is_dask and len(sites) == 0:
        from redline.checks.screen import screen_sites

        return screen_sites(sites, ls, **{"catalog": catalog, **screen_kwargs})

    with _connect(scheduler) as client, dask.config.set({"dataframe.convert-string": False}):
        layers_ref, placed = _place_layers(client, ls, ship_layers)
        if is_dask:
            ddf = sites
        else:
            sites = sites.reset_index(drop=True)
            n = npartitions or _default_partitions(client, len(sites))
            ddf = dask_geopandas.from_geopandas(sites, npartitions=max(1, min(n, len(sites))), sort=False)
        tasks = [dask.delayed(_screen_partition)(part, layers_ref, screen_kwargs) for part in ddf.to_delayed()]
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*[Ll]arge graph.*")
            futures = client.compute(tasks)
        bar = Progress(None if is_dask else len(sites), progress, desc="screening (dask)")
        order = {future.key: i for i, future in enumerate(futures)}
        parts: list = [None] * len(futures)
        try:
            for future, part in as_completed(futures, with_results=True):
                parts[order[future.key]] = part
                bar.update(len(part[0]))
        finally:
            bar.close()
        client.cancel(futures)
    out_sites = _concat([p[0] for p in parts])
    if not is_dask:
        out_sites.attrs = dict(sites.attrs)
    findings = _concat([p[1] for p in parts])
    access: dict = {}
    for p in parts:
        for unit, clauses in p[2].items():
            access.setdefault(unit, clauses)
    meta = dict(parts[0][3])
    meta.update(
        {
            "created": datetime.now(UTC).astimezone().isoformat(timespec="seconds"),
            "engine": "dask",
            "npartitions": len(parts),
            "layers_on_workers": placed,
        }
    )
    return ScreeningResult(out_sites, findings, ls, catalog, meta, access_lists=access)


def require_dask() -> None:
    """Raise :class:`~redline.zones.errors.RedlineError` naming the ``dask`` extra when Dask is not installed.

    For the command line, before it reads anything (``--engine dask``).

    Examples
    --------
    >>> require_dask()  # silent when dask[distributed] and dask-geopandas are installed
    """
    try:
        import dask_geopandas  # noqa: F401
        import distributed  # noqa: F401
    except ImportError:
        raise RedlineError(
            f'{param_ref("engine")} dask needs Dask: pip install "redline-checker[dask]" (dask[distributed], '
            "dask-geopandas)",
            param="engine",
            value="dask",
            zh=f'{param_ref("engine")} dask 需要安装 Dask：pip install "redline-checker[dask]"（dask[distributed]、'
            "dask-geopandas）",
        ) from None
