"""The public error hierarchy of redline-checker.

Every error a user can cause by bad input (a file, an option, a manifest) is a
:class:`RedlineError`; the command line prints its message and exits with 2.
Input errors also subclass :class:`ValueError`, so plain ``except ValueError``
works in scripts.

An error names the parameter it concerns (``param``, e.g. ``"crs"``) and the value at fault.  A
message that points the user to a parameter marks it with :func:`param_ref` instead of spelling
an interface's name for it, so that each interface renders it in its own words
(:meth:`RedlineError.render`): ``crs`` in Python and in the service's JSON, ``--crs`` on the
command line.  No code needs to read a message's text to learn what went wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

__all__ = [
    "Bilingual",
    "CRSError",
    "LayerError",
    "ManifestError",
    "RedlineError",
    "RuleError",
    "SiteError",
    "listed",
    "param_ref",
    "render_refs",
    "value_error",
    "zh_text",
]

_REF = re.compile(r"⟨([A-Za-z_][A-Za-z0-9_]*)⟩")


#: what a message says for a parameter when no interface renders it: its Python name
class _Unset:
    """The default of ``value``: no value given (a stable repr, for the API page)."""

    def __repr__(self) -> str:
        return "<unset>"


_UNSET: Any = _Unset()


def param_ref(name: str) -> str:
    """Mark parameter ``name`` inside a message, for :meth:`RedlineError.render` to name per interface.

    Examples
    --------
    >>> err = RedlineError(f"unknown CRS; give one with {param_ref('crs')}", param="crs")
    >>> str(err)
    'unknown CRS; give one with crs'
    >>> err.render({"crs": "--crs"})
    'unknown CRS; give one with --crs'
    """
    return f"⟨{name}⟩"


def render_refs(text: str, names: Mapping[str, str] | Callable[[str], str] | None = None) -> str:
    """Replace the :func:`param_ref` marks in ``text`` by each parameter's name in ``names``.

    ``names`` maps a parameter to what an interface calls it (a mapping or a function); parameters
    it does not name keep their Python name.

    Examples
    --------
    >>> render_refs(f"use {param_ref('buffer_m')}", lambda name: "--" + name.replace("_", "-"))
    'use --buffer-m'
    """
    if names is None:
        lookup: Callable[[str], str] = lambda name: name  # noqa: E731
    elif callable(names):
        lookup = names
    else:
        lookup = lambda name: names.get(name, name)  # noqa: E731
    return _REF.sub(lambda m: lookup(m.group(1)), text)


def _rebuilt(cls: type[RedlineError], args: tuple[Any, ...]) -> RedlineError:
    """Return an error of ``cls`` holding ``args``, its attributes to be restored by pickle."""
    return cls.__new__(cls, *args)


class Bilingual(str):
    """A problem's text in English (the string itself) that also carries its Chinese text (``zh``).

    For the lists of problems an error gathers (a manifest's, an access list's): the list stays a
    list of English strings, and :func:`listed` can say each in Chinese.

    Examples
    --------
    >>> p = Bilingual("row 3: no id", "第 3 行：没有编号")
    >>> p == "row 3: no id", p.zh
    (True, '第 3 行：没有编号')
    """

    zh: str | None

    def __new__(cls, text: str, zh: str | None = None) -> Bilingual:
        """Return ``text`` carrying ``zh``."""
        obj = super().__new__(cls, text)
        obj.zh = zh
        return obj

    @classmethod
    def of(cls, err: RedlineError, prefix: str = "") -> Bilingual:
        """Return an error's raw message (with its marks) and its Chinese text, after ``prefix`` (``"where: "``).

        Examples
        --------
        >>> p = Bilingual.of(RedlineError("no id", zh="没有编号"), "layers[0]")
        >>> str(p), p.zh
        ('layers[0]: no id', 'layers[0]：没有编号')
        """
        en, zh = err.raw_message, err.zh or err.raw_message
        if not prefix:
            return cls(en, zh)
        return cls(f"{prefix}: {en}", f"{prefix}：{zh}")


def zh_text(exc: BaseException) -> str:
    """Return an exception's Chinese text (its ``zh`` attribute) when it has one, else its message.

    For errors that wrap another's message: the wrapped one may be a plain :class:`ValueError`
    given a ``zh`` attribute (see :func:`value_error`).

    Examples
    --------
    >>> zh_text(value_error("bad amount", "数量有误")), zh_text(ValueError("bad amount"))
    ('数量有误', 'bad amount')
    """
    return getattr(exc, "zh", None) or str(exc)


def value_error(message: str, zh: str) -> ValueError:
    """Return a plain :class:`ValueError` that also carries its Chinese text (``zh``), for :func:`zh_text`.

    For checks below the user-facing errors, whose message a :class:`RedlineError` wraps.
    """
    exc = ValueError(message)
    exc.zh = zh  # type: ignore[attr-defined]
    return exc


def listed(problems: list[str], zh: bool = False) -> str:
    """Return problems as an error message lists them under its lead-in: one indented ``-`` line each.

    With ``zh``, a problem that carries a Chinese text (:class:`Bilingual`) is listed in Chinese.

    Examples
    --------
    >>> print(listed(["row 3: no id", Bilingual("row 9: no class", "第 9 行：没有类别")], zh=True))
      - row 3: no id
      - 第 9 行：没有类别
    """
    return "\n".join(f"  - {(getattr(p, 'zh', None) or p) if zh else p}" for p in problems)


class RedlineError(ValueError):
    """Base class of every user-facing error of redline-checker.

    Parameters
    ----------
    message : str
        What is wrong, the value, and the fix; parameters it mentions are marked with
        :func:`param_ref`.
    param : str, optional
        The parameter (argument, option, request field) at fault, by its Python name.
    value : object, optional
        The value at fault.
    zh : str, optional
        The same message in Chinese (``err.zh``; None when there is none), marked with
        :func:`param_ref` like ``message``.  ``str(err)`` and :meth:`render` stay English; an
        interface that speaks Chinese renders ``zh`` with :func:`render_refs` instead.

    Notes
    -----
    An error pickles whole (its message, ``param``, ``value``, ``zh`` and a subclass's own
    attributes), whatever its subclass's ``__init__`` takes: errors cross process boundaries
    (the Dask engine's workers).

    Examples
    --------
    >>> from redline.checks import parse_site_text
    >>> try:
    ...     parse_site_text("not a site")
    ... except RedlineError as exc:
    ...     print(type(exc).__name__, isinstance(exc, ValueError))
    SiteError True
    >>> err = RedlineError(f"{param_ref('buffer_m')} must be >= 0, got -1", param="buffer_m", value=-1)
    >>> err.param, err.value, str(err)
    ('buffer_m', -1, 'buffer_m must be >= 0, got -1')
    >>> err = RedlineError(
    ...     f"{param_ref('buffer_m')} must be >= 0, got -1", param="buffer_m", value=-1,
    ...     zh=f"{param_ref('buffer_m')} 不能为负，收到 -1",
    ... )
    >>> str(err), render_refs(err.zh, {"buffer_m": "--buffer"})
    ('buffer_m must be >= 0, got -1', '--buffer 不能为负，收到 -1')
    """

    def __init__(
        self, message: str = "", *, param: str | None = None, value: Any = _UNSET, zh: str | None = None
    ) -> None:
        super().__init__(message)
        self.param = param
        self.value = None if value is _UNSET else value
        self.has_value = value is not _UNSET
        self.zh = zh

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as the arguments of :class:`BaseException` and the attributes, not through ``__init__``."""
        return (_rebuilt, (type(self), self.args), self.__dict__)

    @property
    def raw_message(self) -> str:
        """The message with its parameter marks, as raised."""
        return str(self.args[0]) if self.args else ""

    def render(self, names: Mapping[str, str] | Callable[[str], str] | None = None) -> str:
        """Return the message with each marked parameter named as ``names`` says (see :func:`render_refs`)."""
        return render_refs(self.raw_message, names)

    def __str__(self) -> str:
        return self.render()


class LayerError(RedlineError):
    """A zone layer cannot be read or normalised (file, field, format).

    Examples
    --------
    >>> from redline.layers import load_layerset
    >>> load_layerset("no/such/folder")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    redline.zones.errors.LayerError: layer set 'no/such/folder' does not exist; give a layerset.yaml, ...
    """


class ManifestError(LayerError):
    """A ``layerset.yaml`` manifest has one or more mistakes.

    Parameters
    ----------
    path : str
        The manifest file.
    problems : list of str
        Every problem found; the message lists all of them.
    problems_zh : list of str, optional
        The same problems in Chinese, in the same order.  Without them the Chinese text
        (``zh``) lists each problem in Chinese when it carries a Chinese text (:class:`Bilingual`),
        else in English, under a Chinese lead-in.

    Examples
    --------
    >>> err = ManifestError("layerset.yaml", ["layers[0]: no path", "layers[1]: unknown kind 'forest'"])
    >>> print(err)
    layer set manifest 'layerset.yaml' has 2 problems:
      - layers[0]: no path
      - layers[1]: unknown kind 'forest'
    >>> print(err.zh)
    图层集清单 'layerset.yaml' 有 2 处问题：
      - layers[0]: no path
      - layers[1]: unknown kind 'forest'
    >>> err.problems[1], isinstance(err, LayerError)
    ("layers[1]: unknown kind 'forest'", True)
    """

    def __init__(self, path: str, problems: list[str], *, problems_zh: list[str] | None = None) -> None:
        self.path = path
        self.problems = list(problems)
        n = len(self.problems)
        header = f"layer set manifest '{path}' has {n} problem{'s' if n != 1 else ''}"
        super().__init__(
            f"{header}:\n{listed(self.problems)}",
            param="layers",
            value=path,
            zh=f"图层集清单 '{path}' 有 {n} 处问题：\n{listed(problems_zh or self.problems, zh=True)}",
        )


class CRSError(RedlineError):
    """A coordinate reference system is missing, unknown or ambiguous.

    Examples
    --------
    >>> from redline.checks import parse_site_text
    >>> try:
    ...     parse_site_text("109.40,22.49", crs="EPSG:99999")
    ... except CRSError as exc:
    ...     print(str(exc)[:54], exc.param)
    crs: 'EPSG:99999' is not a coordinate reference system crs
    """


class SiteError(RedlineError):
    """A project site (coordinates, WKT, file or column) cannot be used.

    Examples
    --------
    >>> from redline.checks import parse_site_text
    >>> try:
    ...     parse_site_text("200,100")
    ... except SiteError as exc:
    ...     print(str(exc)[:50])
    site '200,100': 200.0, 100.0 are not longitude/lat
    """


class RuleError(RedlineError):
    """A rule catalogue or a project description is invalid.

    Examples
    --------
    >>> from redline.zones import make_project
    >>> try:
    ...     make_project("C3360", tags="no_such_tag")
    ... except RuleError as exc:
    ...     print(type(exc).__name__)
    RuleError
    """
