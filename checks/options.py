"""The options of a screening run, checked in one place for every interface.

The command line, the service and the library take the same options (the buffer, the chunk
size, the output formats ...); each is checked here by one function, which returns the value
in its type and raises :class:`~redline.zones.errors.RedlineError` with ``param`` (the option's
Python name) and ``value`` set.  A message names its option with
:func:`~redline.zones.errors.param_ref`, so each interface says it in its own words:
``--buffer`` on the command line, ``buffer`` in the service's JSON, ``buffer_m`` in Python.

A value may come as text (a command-line argument, a form field) or as a number (Python, JSON).
The allowed choices and ranges are the constants below; argparse's ``choices`` and the service's
request models take them from here.

Examples
--------
>>> buffer_m("250")
250.0
>>> try:
...     buffer_m("-5")
... except RedlineError as exc:
...     print(exc.render({"buffer_m": "--buffer"}), "|", exc.param, exc.value)
--buffer: -5 is outside 0..100000 metres | buffer_m -5
"""

from __future__ import annotations

import codecs
import math
from collections.abc import Callable, Iterable

from redline.zones.errors import RedlineError, SiteError, param_ref

__all__ = [
    "BUFFER_M_MAX",
    "ENGINES",
    "JOBS_MAX",
    "LANGS",
    "NEARBY",
    "ON_INVALID",
    "PORT_RANGE",
    "UPLOAD_MB_MAX",
    "at_least_one",
    "buffer_m",
    "chunk_size",
    "crs",
    "encoding",
    "engine",
    "formats",
    "jobs",
    "lang",
    "max_upload_bytes",
    "max_upload_mb",
    "nearby",
    "on_invalid",
    "port",
    "split_tags",
    "token",
    "tolerance_m2",
]

#: Largest buffer in metres: zones within it of a site are reported as nearby.
BUFFER_M_MAX = 100_000
#: Of the zones only near a site: the nearest of each kind and class, or all.
NEARBY: tuple[str, ...] = ("nearest", "all")
#: Languages of labels, rule texts, reports and maps.
LANGS: tuple[str, ...] = ("zh", "en")
#: Where a batch is screened: this machine, or a Dask distributed cluster.
ENGINES: tuple[str, ...] = ("local", "dask")
#: What an invalid site polygon does: an error row, the same with a warning, or repaired.
ON_INVALID: tuple[str, ...] = ("raise", "warn", "fix")
#: Ports the service may listen on.
PORT_RANGE: tuple[int, int] = (1, 65535)
#: Most batch jobs the service runs at once.
JOBS_MAX = 64
#: Largest upload limit of the service, in megabytes (1 TB).
UPLOAD_MB_MAX = 1024.0 * 1024


def _shown(value: object) -> str:
    """Return a value as a message shows it: text as given, a number in its shortest form."""
    return value if isinstance(value, str) else f"{value:g}" if isinstance(value, float) else str(value)


def _convert(
    value: object, param: str, to: Callable[[object], float], not_a_number: str, not_a_number_zh: str
) -> float:
    """Return ``to(value)``; raise naming the parameter when it is not a number (English, Chinese)."""
    try:
        return to(value)
    except (TypeError, ValueError):
        raise RedlineError(
            f"{param_ref(param)}: {value!r} {not_a_number}",
            param=param,
            value=value,
            zh=f"{param_ref(param)}：{value!r} {not_a_number_zh}",
        ) from None


def _whole(value: object) -> int:
    """Return an int from text (``"12"``) or a whole number (``12``, ``12.0``); not from ``2.5`` or ``True``."""
    if isinstance(value, bool):
        raise TypeError(value)
    if isinstance(value, str):
        return int(value)
    number = float(value)
    if not number.is_integer():
        raise ValueError(value)
    return int(number)


def _one_of(value: object, param: str, choices: tuple[str, ...], error: type[RedlineError] = RedlineError) -> str:
    if value not in choices:
        raise error(
            f"{param_ref(param)} {value!r} is not one of {', '.join(choices)}",
            param=param,
            value=value,
            zh=f"{param_ref(param)} {value!r} 不是 {'、'.join(choices)} 之一",
        )
    return value


def buffer_m(value: object) -> float:
    """Check a buffer: metres, 0 to :data:`BUFFER_M_MAX`.

    Examples
    --------
    >>> buffer_m(1000), buffer_m("0")
    (1000.0, 0.0)
    >>> buffer_m("far")
    Traceback (most recent call last):
    redline.zones.errors.RedlineError: buffer_m: 'far' is not a number of metres (e.g. 1000)
    """
    number = _convert(value, "buffer_m", float, "is not a number of metres (e.g. 1000)", "不是以米计的数（如 1000）")
    if not 0 <= number <= BUFFER_M_MAX:
        raise RedlineError(
            f"{param_ref('buffer_m')}: {_shown(value)} is outside 0..{BUFFER_M_MAX:g} metres",
            param="buffer_m",
            value=value,
            zh=f"{param_ref('buffer_m')}：{_shown(value)} 超出 0..{BUFFER_M_MAX:g} 米的范围",
        )
    return number


def chunk_size(value: object) -> int:
    """Check a chunk size: sites read or screened at a time, at least 1.

    Examples
    --------
    >>> chunk_size("5000")
    5000
    >>> chunk_size(0)
    Traceback (most recent call last):
    redline.zones.errors.RedlineError: chunk_size must be >= 1, got 0
    """
    return _count(value, "chunk_size", "must be >= 1, got", "须不小于 1，收到")


def _count(value: object, param: str, too_small: str, too_small_zh: str) -> int:
    number = _convert(value, param, _whole, "is not a whole number", "不是整数")
    if number < 1:
        raise RedlineError(
            f"{param_ref(param)} {too_small} {_shown(value)}",
            param=param,
            value=value,
            zh=f"{param_ref(param)} {too_small_zh} {_shown(value)}",
        )
    return number


def at_least_one(value: object, param: str) -> int:
    """Check a count that must be a whole number of at least 1.

    For the counts of the service (``max_jobs``, ``check_threads``, ``check_cache`` ...).

    Examples
    --------
    >>> at_least_one("3", "check_threads")
    3
    >>> at_least_one(0, "check_threads")
    Traceback (most recent call last):
    redline.zones.errors.RedlineError: check_threads must be at least 1, got 0
    """
    return _count(value, param, "must be at least 1, got", "至少为 1，收到")


def jobs(value: object) -> int:
    """Check the number of batch jobs ``redline serve`` runs at once: 1 to :data:`JOBS_MAX`.

    (The Python API takes any number of at least 1: :func:`at_least_one`.)

    Examples
    --------
    >>> jobs("4")
    4
    >>> jobs(0)
    Traceback (most recent call last):
    redline.zones.errors.RedlineError: jobs: 0 is outside 1..64
    """
    number = _convert(value, "jobs", _whole, "is not a whole number", "不是整数")
    if not 1 <= number <= JOBS_MAX:
        raise RedlineError(
            f"{param_ref('jobs')}: {number} is outside 1..{JOBS_MAX}",
            param="jobs",
            value=value,
            zh=f"{param_ref('jobs')}：{number} 超出 1..{JOBS_MAX} 的范围",
        )
    return number


def tolerance_m2(value: object) -> float:
    """Check a sliver tolerance of the layer validation: m², zero or more.

    Examples
    --------
    >>> tolerance_m2("20000")
    20000.0
    >>> tolerance_m2("-3")
    Traceback (most recent call last):
    redline.zones.errors.RedlineError: tolerance_m2: -3 is not a non-negative number of m²
    """
    number = _convert(value, "tolerance_m2", float, "is not a number of m² (e.g. 1)", "不是以 m² 计的数（如 1）")
    if not 0 <= number < math.inf:
        raise RedlineError(
            f"{param_ref('tolerance_m2')}: {_shown(value)} is not a non-negative number of m²",
            param="tolerance_m2",
            value=value,
            zh=f"{param_ref('tolerance_m2')}：{_shown(value)} 不是非负的 m² 数",
        )
    return number


def port(value: object) -> int:
    """Check a TCP port, within :data:`PORT_RANGE`.

    Examples
    --------
    >>> port("8765")
    8765
    >>> port("http")
    Traceback (most recent call last):
    redline.zones.errors.RedlineError: port: 'http' is not a port number (1-65535)
    """
    low, high = PORT_RANGE
    number = _convert(value, "port", _whole, f"is not a port number ({low}-{high})", f"不是端口号（{low}-{high}）")
    if not low <= number <= high:
        raise RedlineError(
            f"{param_ref('port')}: {number} is outside {low}..{high}",
            param="port",
            value=value,
            zh=f"{param_ref('port')}：{number} 超出 {low}..{high} 的范围",
        )
    return number


def max_upload_mb(value: object) -> float:
    """Check the service's upload limit in megabytes: more than 0, at most :data:`UPLOAD_MB_MAX`.

    Examples
    --------
    >>> max_upload_mb("200")
    200.0
    >>> max_upload_mb("-1")
    Traceback (most recent call last):
    redline.zones.errors.RedlineError: max_upload_mb: -1 must be more than 0
    """
    number = _convert(value, "max_upload_mb", float, "is not a number of megabytes", "不是以兆字节（MB）计的数")
    if not number > 0:
        raise RedlineError(
            f"{param_ref('max_upload_mb')}: {_shown(value)} must be more than 0",
            param="max_upload_mb",
            value=value,
            zh=f"{param_ref('max_upload_mb')}：{_shown(value)} 须大于 0",
        )
    if number > UPLOAD_MB_MAX:
        raise RedlineError(
            f"{param_ref('max_upload_mb')}: {_shown(value)} is more than {UPLOAD_MB_MAX:g} (1 TB)",
            param="max_upload_mb",
            value=value,
            zh=f"{param_ref('max_upload_mb')}：{_shown(value)} 超过上限 {UPLOAD_MB_MAX:g}（1 TB）",
        )
    return number


def max_upload_bytes(value: object) -> int:
    """Check the service's upload limit in bytes: at least 1.

    Examples
    --------
    >>> max_upload_bytes(200 * 1024**2)
    209715200
    """
    return at_least_one(value, "max_upload_bytes")


def formats(value: str | Iterable[str] | None) -> list[str]:
    """Check output formats: ``all`` (or nothing, or no name) for every one, or a comma list of names.

    Returns
    -------
    list of str
        Keys of :data:`redline.checks.outputs.writers.FORMATS`, each once, in the order given.

    Examples
    --------
    >>> formats("csv, HTML,csv")
    ['csv', 'html']
    >>> formats("csv,pdf")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    redline.zones.errors.RedlineError: formats: unknown format 'pdf'; use a comma list of csv, gpkg, ... or all
    """
    from redline.checks.outputs.writers import FORMATS

    items = value.split(",") if isinstance(value, str) else list(value or [])
    names = [str(v).strip().lower() for v in items if str(v).strip()]
    if not names or names == ["all"]:
        return list(FORMATS)
    for name in names:
        if name not in FORMATS:
            raise RedlineError(
                f"{param_ref('formats')}: unknown format {name!r}; use a comma list of {', '.join(FORMATS)} or all",
                param="formats",
                value=value,
                zh=f"{param_ref('formats')}：没有 {name!r} 这种格式；"
                f"请用逗号分隔列出 {', '.join(FORMATS)} 中的格式，或写 all",
            )
    return list(dict.fromkeys(names))


def nearby(value: object) -> str:
    """Check which zones near a site are reported: one of :data:`NEARBY`.

    Examples
    --------
    >>> nearby("all")
    'all'
    """
    return _one_of(value, "nearby", NEARBY)


def lang(value: object) -> str:
    """Check a language: one of :data:`LANGS`.

    Examples
    --------
    >>> lang("fr")
    Traceback (most recent call last):
    redline.zones.errors.RedlineError: lang 'fr' is not one of zh, en
    """
    return _one_of(value, "lang", LANGS)


def engine(value: object) -> str:
    """Check where a batch is screened: one of :data:`ENGINES`.

    Examples
    --------
    >>> engine("dask")
    'dask'
    """
    return _one_of(value, "engine", ENGINES)


def on_invalid(value: object) -> str:
    """Check what an invalid site polygon does: one of :data:`ON_INVALID` (a :class:`SiteError` if not).

    Examples
    --------
    >>> on_invalid("repair")
    Traceback (most recent call last):
    redline.zones.errors.SiteError: on_invalid 'repair' is not one of raise, warn, fix
    """
    return _one_of(value, "on_invalid", ON_INVALID, SiteError)


def encoding(value: str | None) -> str | None:
    """Check a text encoding Python knows (``utf-8``, ``gbk`` ...); None or blank is "detect".

    Examples
    --------
    >>> encoding("GB18030"), encoding(" ")
    ('GB18030', None)
    >>> encoding("klingon")
    Traceback (most recent call last):
    redline.zones.errors.RedlineError: encoding 'klingon' is unknown; e.g. utf-8, gbk, gb18030
    """
    if value is None or not value.strip():
        return None
    try:
        codecs.lookup(value)
    except LookupError:
        raise RedlineError(
            f"{param_ref('encoding')} {value!r} is unknown; e.g. utf-8, gbk, gb18030",
            param="encoding",
            value=value,
            zh=f"{param_ref('encoding')} {value!r} 不是已知的文字编码；可用 utf-8、gbk、gb18030 等",
        ) from None
    return value


def crs(value: str | None) -> str | None:
    """Check a CRS as users write it (see :func:`redline.layers.crs.parse_crs`); None or blank is "none given".

    Returns the text as given, for the reader to parse again where it places the coordinates.

    Examples
    --------
    >>> crs("CGCS2000-GK3-36")
    'CGCS2000-GK3-36'
    >>> crs("EPSG:999999")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    redline.zones.errors.CRSError: crs: 'EPSG:999999' is not a coordinate reference system; ...
    """
    if value is None or not value.strip():
        return None
    from redline.layers.crs import parse_crs

    parse_crs(value)  # a CRSError naming the parameter crs
    return value


def token(value: str | None) -> str | None:
    """Check the service's bearer token: None (no token), else no blank and no spaces.

    Examples
    --------
    >>> token(" ")
    Traceback (most recent call last):
    redline.zones.errors.RedlineError: token: the token is empty; give a long random string, or leave token out
    """
    if value is None:
        return None
    ref = param_ref("token")
    if not value.strip():
        raise RedlineError(
            f"{ref}: the token is empty; give a long random string, or leave {ref} out",
            param="token",
            value=value,
            zh=f"{ref}：令牌为空；请给一个较长的随机字符串，或不给 {ref}",
        )
    if any(c.isspace() for c in value):
        raise RedlineError(
            f"{ref}: the token has spaces; give a token without spaces",
            param="token",
            value=value,
            zh=f"{ref}：令牌含有空白字符；请给一个不含空白的令牌",
        )
    return value


def split_tags(values: str | Iterable[str] | None) -> list[str]:
    """Split project tags given as one or more ``;``-separated texts (``；`` too) into a list.

    Examples
    --------
    >>> split_tags(["water_supply; heavy_metal", "ecotourism；"])
    ['water_supply', 'heavy_metal', 'ecotourism']
    """
    items = [values] if isinstance(values, str) else list(values or [])
    return [t.strip() for v in items for t in str(v).replace("；", ";").split(";") if t.strip()]
