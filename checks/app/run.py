"""One screening run: read the sites, screen them, write the outputs.

:func:`run_screening` is the one flow behind ``redline check``, ``redline batch``, ``redline
demo``, the service's checks and batch jobs: given the input (one site, or a file of sites),
the layer set, the project and reading options (:class:`SiteOptions`), the screening options
(:class:`ScreenOptions`), and where to write what, it returns a :class:`Run` that says what
came out.  Every option is checked first (:mod:`redline.checks.options`), before a file is read.

How the sites are screened is a strategy of the run:

- **one site** (:class:`OneSite`): :func:`redline.checks.screen.check_site`;
- **a file, whole** (:class:`SitesFile`): read at once, screened by
  :func:`redline.checks.screen.screen_sites` on this machine or by
  :func:`redline.checks.dask_screen.screen_sites_dask` on a Dask cluster (``engine="dask"``);
- **a file, streamed**: when only the CSV tables are written on this machine, chunk after chunk
  is read, screened and appended (:func:`redline.checks.app.batch_stream.stream_batch`), so the
  memory does not grow with the number of sites.  There is then no whole result in memory.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from redline.checks import options

__all__ = [
    "PROJECT_INFO",
    "OneSite",
    "Run",
    "ScreenOptions",
    "SiteOptions",
    "SitesFile",
    "default_site_id",
    "run_screening",
    "site_input",
]

#: What is said of the project beyond what rules test: its name, 建设单位 and 项目编号 (columns of the sites).
PROJECT_INFO: tuple[str, ...] = ("project_name", "builder", "project_no")


@dataclass(frozen=True)
class OneSite:
    """One site: ``"lon,lat"``, WKT, or a shapely geometry in EPSG:4490.

    Examples
    --------
    >>> OneSite("109.4015,22.4923", site_id="S01").site_id
    'S01'
    """

    site: Any
    site_id: str = "site"


@dataclass(frozen=True)
class SitesFile:
    """A file of sites (SHP, GPKG, GeoJSON, CSV/XLSX ...; see :func:`redline.checks.read_sites`).

    Attributes
    ----------
    path : str or Path
        The file.
    label : str, optional
        The source as ``summary.json`` names it; by default the path as given.

    Examples
    --------
    >>> SitesFile("sites.gpkg").source
    'sites.gpkg'
    """

    path: str | Path
    label: str | None = None

    @property
    def source(self) -> str:
        """The source as the outputs name it."""
        return self.label if self.label is not None else str(self.path)


def default_site_id(project_no: str | None = None, project_name: str | None = None, lang: str = "zh") -> str:
    """Return the id of a site given alone: the project's number, else its name, else ``选址1`` (``site-1``).

    Examples
    --------
    >>> default_site_id("2024-450721-01"), default_site_id(None, "武利镇光伏电站"), default_site_id(lang="en")
    ('2024-450721-01', '武利镇光伏电站', 'site-1')
    """
    for given in (project_no, project_name):
        if given and str(given).strip():
            return str(given).strip()
    return "选址1" if lang == "zh" else "site-1"


def site_input(value: str, site_id: str = "site") -> OneSite | SitesFile:
    """Return a command-line site argument as a file when such a file exists, else as one site (``site_id``).

    Examples
    --------
    >>> site_input("109.4015,22.4923", "S01")
    OneSite(site='109.4015,22.4923', site_id='S01')
    """
    return SitesFile(value) if Path(value).exists() else OneSite(value, site_id)


@dataclass(frozen=True)
class SiteOptions:
    """The project on the sites and how to read them; checked when made.

    Attributes
    ----------
    crs, layer, encoding, on_invalid, id_field, name_field, industry_field, tags_field, action_field
        As for :func:`redline.checks.read_sites` (``layer`` and the fields only for files).
    industry, tags, action
        The project (the defaults of a file's rows).  A tag may be given by its Chinese label
        (``排放废水``, as ``redline rules tags`` shows it).
    facts : mapping or list of ``KEY=VALUE`` str, optional
        Project facts for the 名录 (``装机容量=6万千瓦``; the defaults of a file's rows, whose fact
        columns win), named as the edition's vocabulary names them.
    project_name, builder, project_no : str, optional
        The project's name, 建设单位 and 项目编号 (the defaults of a file's rows).
    project_name_field, builder_field, project_no_field : str, optional
        The columns holding them (default: found by their usual names, e.g. 项目名称, 建设单位, 项目编号).

    Raises
    ------
    RedlineError
        Naming the option at fault (``param``).

    Examples
    --------
    >>> SiteOptions(industry="C3360", tags=["heavy_metal"]).read_kwargs()["tags"]
    ['heavy_metal']
    """

    crs: str | None = None
    layer: str | None = None
    industry: str | list[str] | None = None
    tags: list[str] = field(default_factory=list)
    action: str | None = None
    on_invalid: str = "raise"
    encoding: str | None = None
    id_field: str | None = None
    name_field: str | None = None
    industry_field: str | None = None
    tags_field: str | None = None
    action_field: str | None = None
    facts: Mapping[str, Any] | list[str] | None = None
    project_name: str | None = None
    builder: str | None = None
    project_no: str | None = None
    project_name_field: str | None = None
    builder_field: str | None = None
    project_no_field: str | None = None

    def __post_init__(self) -> None:
        from redline.zones.project import make_project
        from redline.zones.tag_labels import tags_from_labels

        object.__setattr__(self, "on_invalid", options.on_invalid(self.on_invalid))
        object.__setattr__(self, "encoding", options.encoding(self.encoding))
        object.__setattr__(self, "crs", options.crs(self.crs))
        object.__setattr__(self, "tags", tags_from_labels(self.tags))
        # a RuleError naming the industry, a tag, the action or a fact that is not KEY=VALUE
        project = make_project(self.industry, self.tags, self.action, self.facts)
        object.__setattr__(self, "facts", dict(project.facts) or None)
        if self.facts:
            check_facts(self.facts)

    def read_kwargs(self) -> dict[str, Any]:
        """Return the keyword arguments of :func:`redline.checks.read_sites`.

        The project's facts and information are included only when given.
        """
        kwargs = {f.name: getattr(self, f.name) for f in dataclasses.fields(SiteOptions)}
        for name in _GIVEN_ONLY:
            if kwargs[name] is None:
                del kwargs[name]
        return kwargs

    def project_kwargs(self) -> dict[str, Any]:
        """Return the keyword arguments of :func:`redline.checks.check_site`.

        The project's facts and information, only those given.
        """
        given = {name: getattr(self, name) for name in ("facts", *PROJECT_INFO)}
        return {name: value for name, value in given.items() if value is not None}


#: Options passed on to the readers only when given.
_GIVEN_ONLY = ("facts", *PROJECT_INFO, *(f"{name}_field" for name in PROJECT_INFO))


def check_facts(facts: Mapping[str, Any], edition: Any = None) -> None:
    """Check project facts against the vocabulary of a 名录 edition (default: in force): names, units, yes/no, 类型.

    Raises
    ------
    RuleError
        Naming the fact and what is wrong; ``param`` is ``facts``.

    Examples
    --------
    >>> check_facts({"装机容量": "6万千瓦", "年出栏生猪": "5000头"})
    >>> check_facts({"装机容量": "6 furlongs"})
    Traceback (most recent call last):
        ...
    redline.zones.errors.RuleError: facts: fact 装机容量: unknown unit 'furlongs' in '6 furlongs'; use one such as ...
    """
    from redline.zones.eia import load_edition
    from redline.zones.eia.facts import normalize_facts
    from redline.zones.errors import RuleError, param_ref, zh_text

    edition = load_edition(edition)
    try:
        normalize_facts(edition.facts, facts, type_names=edition.type_names)
    except ValueError as exc:
        raise RuleError(
            f"{param_ref('facts')}: {exc}", param="facts", value=dict(facts), zh=f"{param_ref('facts')}：{zh_text(exc)}"
        ) from None


@dataclass(frozen=True)
class ScreenOptions:
    """How the sites are screened; checked when made (see :mod:`redline.checks.options`).

    Attributes
    ----------
    buffer_m, nearby, lang, chunk_size
        As for :func:`redline.checks.screen_sites`.
    engine : {"local", "dask"}
        Screen a file on this machine or on a Dask distributed cluster (one site: always here).
    scheduler : str, optional
        With ``engine="dask"``: the scheduler's address (default: a local cluster).

    Examples
    --------
    >>> ScreenOptions(buffer_m="500").buffer_m
    500.0
    """

    buffer_m: float = 1000.0
    nearby: str = "nearest"
    lang: str = "zh"
    chunk_size: int = 20_000
    engine: str = "local"
    scheduler: str | None = None

    def __post_init__(self) -> None:
        for name in ("buffer_m", "nearby", "lang", "chunk_size", "engine"):
            object.__setattr__(self, name, getattr(options, name)(getattr(self, name)))

    def screen_kwargs(self) -> dict[str, Any]:
        """Return the keyword arguments of :func:`redline.checks.screen_sites` these options set."""
        return {"buffer_m": self.buffer_m, "nearby": self.nearby, "lang": self.lang, "chunk_size": self.chunk_size}


@dataclass
class Run:
    """What a run screened and wrote.

    Attributes
    ----------
    result : ScreeningResult or None
        The whole result; None when the run was streamed.
    files : list of Path
        The files written (``summary.json`` last); empty without an output folder.
    n_sites : int
    verdicts : dict
        Sites per verdict (``error`` included), worst first.
    illustrative : bool
        Whether the layer set is illustrative (示意数据) data.
    streamed : bool
        Whether the file was screened and written chunk by chunk.
    run_id : int or None
        The run's number in the register, when it was recorded there.
    """

    result: Any
    files: list[Path]
    n_sites: int
    verdicts: dict[str, int]
    illustrative: bool
    streamed: bool = False
    run_id: int | None = None

    @classmethod
    def of(cls, result, files: list[Path]) -> Run:
        """Describe a run that kept its whole result."""
        return cls(result, files, len(result.sites), result.verdict_counts(), bool(result.illustrative))


def run_screening(
    source: OneSite | SitesFile,
    layers,
    *,
    sites: SiteOptions | None = None,
    screen: ScreenOptions | None = None,
    out: str | Path | None = None,
    formats: str | list[str] | None = None,
    stream: bool | None = None,
    catalog=None,
    progress: bool | Callable[[int, int | None], None] = False,
    on_screened: Callable[[Any], None] | None = None,
    register=None,
    command: str = "",
    client: str | None = None,
) -> Run:
    """Read the sites, screen them against the layers, and write the outputs.

    Parameters
    ----------
    source : OneSite or SitesFile
    layers : str, Path or LayerSet
        A ``layerset.yaml``, a folder holding one or ``"sample"``, or a loaded layer set.  A
        path is loaded together with a file of sites, each helping to place the other when a
        CRS is missing (:func:`redline.checks.sites.reader.read_sites_and_layers`).
    sites : SiteOptions, optional
        The project and the reading options (default: none given).
    screen : ScreenOptions, optional
        The screening options (default: the defaults of :func:`redline.checks.screen_sites`).
    out : str or Path, optional
        Output folder; without it nothing is written.
    formats : str or list of str, optional
        Outputs to write (see :func:`redline.checks.options.formats`); all by default.
    stream : bool, optional
        Screen a file chunk by chunk (only the CSV tables and ``summary.json`` are written, on
        this machine).  By default it streams exactly then: a file, an output folder, CSV
        only, the local engine.
    catalog : Catalog, optional
        The rules in force (default: the layer set's).
    progress : bool or callable
        ``True`` shows a progress bar on stderr; a callable is called as ``progress(done, total)``.
    on_screened : callable, optional
        Called with the whole result once it is screened, before anything is written (not
        when streamed).
    register : Register, optional
        Record the run there (:meth:`redline.checks.register.Register.record`) once the outputs
        are written: a run that fails records nothing.  A run to record keeps its whole result,
        so a file is then not streamed.
    command, client : str, optional
        What ran it (the command line, the API route) and the API client, for the register.

    Returns
    -------
    Run

    Raises
    ------
    RedlineError
        For a bad option (before anything is read), input or layer set, or an output folder
        that cannot be written.

    Examples
    --------
    >>> from redline.layers import sample_dir
    >>> run = run_screening(SitesFile(sample_dir() / "sites.geojson"), "sample", out="out", formats="csv")
    >>> run.streamed, [p.name for p in run.files]
    (True, ['sites.csv', 'findings.csv', 'summary.json'])
    >>> one = run_screening(OneSite("109.4015,22.4923"), "sample", sites=SiteOptions(industry="H6210"))
    >>> one.verdicts["prohibited"], one.files
    (1, [])
    """
    sites = sites or SiteOptions()
    screen = screen or ScreenOptions()
    wanted = options.formats(formats)
    if isinstance(source, SitesFile) and screen.engine == "dask":
        from redline.checks.dask_screen import require_dask

        require_dask()
    if isinstance(source, OneSite):
        result = _check_one(source, layers, sites, screen, catalog)
    else:
        if register is not None and stream:
            raise ValueError("a run to record in a register keeps its whole result: it cannot be streamed")
        if _streams(False if register is not None else stream, out, wanted, screen):
            return _streamed(source, layers, sites, screen, out, catalog, progress)
        result = _screen_file(source, layers, sites, screen, wanted, catalog, progress)
    if on_screened is not None:
        on_screened(result)
    files: list[Path] = []
    if out is not None:
        from redline.checks.outputs.writers import write_outputs

        files = write_outputs(result, out, formats=wanted, lang=screen.lang)
    run = Run.of(result, files)
    if register is not None:
        run.run_id = register.record(result, command=command, client=client)
    return run


def _streams(stream: bool | None, out, formats: list[str], screen: ScreenOptions) -> bool:
    """Whether a file is screened chunk by chunk (see :func:`run_screening`)."""
    possible = out is not None and set(formats) <= {"csv"} and screen.engine == "local"
    if stream and not possible:
        raise ValueError("stream=True needs an output folder, formats='csv' and the local engine")
    return possible if stream is None else stream


def _loaded(layers):
    from redline.layers import load_layerset
    from redline.layers.layerset import LayerSet

    return layers if isinstance(layers, LayerSet) else load_layerset(layers)


def _check_one(source: OneSite, layers, sites: SiteOptions, screen: ScreenOptions, catalog):
    from redline.checks.screen import check_site

    return check_site(
        source.site,
        _loaded(layers),
        industry=sites.industry,
        tags=sites.tags,
        action=sites.action,
        crs=sites.crs,
        on_invalid=sites.on_invalid,
        site_id=source.site_id,
        catalog=catalog,
        buffer_m=screen.buffer_m,
        nearby=screen.nearby,
        lang=screen.lang,
        **sites.project_kwargs(),
    )


def _read_file(source: SitesFile, layers, sites: SiteOptions):
    """Return (sites, CRS label, layer set) of a file; a layer set path is loaded with the sites' help."""
    from redline.checks.sites.reader import read_sites, read_sites_and_layers
    from redline.layers.layerset import LayerSet

    if isinstance(layers, LayerSet):
        frame, label = read_sites(source.path, near=layers.center(), **sites.read_kwargs())
        return frame, label, layers
    return read_sites_and_layers(source.path, layers, **sites.read_kwargs())


def _screen_file(source: SitesFile, layers, sites: SiteOptions, screen: ScreenOptions, formats, catalog, progress):
    """Screen a whole file, here or on the Dask cluster."""
    from redline.checks.outputs.writers import GEOMETRY_FORMATS

    frame, crs_label, layerset = _read_file(source, layers, sites)
    kwargs = screen.screen_kwargs() | {
        "progress": progress,
        "overlap_geometry": bool(GEOMETRY_FORMATS & set(formats)),
        "meta": {"input_crs": crs_label, "source": source.source, "input_encoding": frame.attrs.get("encoding", "")},
    }
    if catalog is not None:
        kwargs["catalog"] = catalog
    if screen.engine == "dask":
        from redline.checks.dask_screen import screen_sites_dask

        return screen_sites_dask(frame, layerset, scheduler=screen.scheduler, **kwargs)
    from redline.checks.screen import screen_sites

    return screen_sites(frame, layerset, **kwargs)


def _streamed(source: SitesFile, layers, sites: SiteOptions, screen: ScreenOptions, out, catalog, progress) -> Run:
    """Read, screen and write a file a chunk at a time (the CSV tables only)."""
    from redline.checks.app.batch_stream import stream_batch
    from redline.checks.sites.chunks import iter_sites
    from redline.checks.sites.reader import load_layers_placed_by_sites, sites_center
    from redline.layers.layerset import LayerSet

    read = sites.read_kwargs()

    def center_of_sites():  # only when a layer has no CRS: the first chunk's middle places the proposal
        return sites_center(next(iter(iter_sites(source.path, chunk_size=screen.chunk_size, **read))))

    layerset = layers if isinstance(layers, LayerSet) else load_layers_placed_by_sites(layers, center_of_sites)
    chunks = iter_sites(source.path, chunk_size=screen.chunk_size, near=layerset.center(), **read)
    done = stream_batch(
        chunks,
        layerset,
        out,
        **screen.screen_kwargs(),
        catalog=catalog,
        progress=progress,
        meta={"input_crs": chunks.crs_label, "source": source.source, "input_encoding": chunks.encoding_note},
    )
    summary = done.summary
    return Run(None, done.files, summary["n_sites"], summary["verdicts"], done.illustrative, streamed=True)
