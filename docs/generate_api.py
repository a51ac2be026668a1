"""Generate ``docs/api.md``, the Python API reference, from the docstrings of the public API.

The page documents every name in the ``__all__`` of the four packages (``layers``, ``checks``,
``maps``, ``zones``) and of the two public modules the planner's notebook uses
(``layers.validate``, ``layers.inventory``): the signature and numpydoc docstring of each
function and class, the public methods and properties of the classes, and the constants with
their ``#:`` comments.  ``tests/test_api_docs.py`` checks that the committed page is exactly
what this script writes, and that every function and class has an ``Examples`` section.

Usage::

    python docs/generate_api.py            # rewrite docs/api.md
    python docs/generate_api.py --check    # exit 1 when docs/api.md is out of date
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import importlib
import inspect
import re
import sys
import types
import unicodedata
from collections.abc import Iterator
from pathlib import Path

__all__ = ["API_DOC", "MODULES", "PublicName", "literal", "public_names", "render", "render_docstring", "signature"]

#: The generated page.
API_DOC = Path(__file__).resolve().parent / "api.md"

#: The documented modules, in page order: the four packages, then the public modules the notebooks use.
MODULES: tuple[str, ...] = (
    "redline.layers",
    "redline.checks",
    "redline.maps",
    "redline.zones",
    "redline.layers.validate",
    "redline.layers.inventory",
)

_NOTEBOOKS = (
    ("01_screen_a_site.ipynb", "审查一个选址 / screen one site: findings, map, report"),
    ("02_batch_screening.ipynb", "批量筛查 / batch screening: a shapefile of sites, verdict table, plots, batch map"),
    (
        "03_zoning_maps_and_validation.ipynb",
        "规划校验 / planners: layer statistics, validation, zoning maps",
    ),
)

_ITEM_SECTIONS = {"Parameters", "Other Parameters", "Attributes", "Returns", "Yields", "Raises", "Warns"}
_SIGNATURE_WIDTH = 88
_LINE_WIDTH = 120  # ruff.toml's line-length: ruff format also formats the page's code blocks
_MAX_VALUE_CHARS = 700


@dataclasses.dataclass
class PublicName:
    """One documented name: where it is exported from and what it is.

    Attributes
    ----------
    module : str
        The package or module whose ``__all__`` lists it (``layers``, ``layers.validate`` ...).
    name : str
        The exported name.
    obj : object
        The object itself.

    Examples
    --------
    >>> [p.qualname for p in public_names() if p.name == "check_site"]
    ['redline.checks.check_site']
    """

    module: str
    name: str
    obj: object

    @property
    def qualname(self) -> str:
        """``module.name``, as the page heads it."""
        return f"{self.module}.{self.name}"

    @property
    def category(self) -> str:
        """``function``, ``class``, ``exception`` or ``constant``."""
        if inspect.isclass(self.obj):
            return "exception" if issubclass(self.obj, BaseException) else "class"
        if callable(self.obj):
            return "function"
        return "constant"


_ORDER = {"function": 0, "class": 1, "exception": 2, "constant": 3}


def public_names() -> list[PublicName]:
    """Return every documented name, in page order; a name re-exported by a later module is left out there.

    Examples
    --------
    >>> names = [p.qualname for p in public_names()]
    >>> "redline.layers.load_layerset" in names and "redline.maps.site_map" in names
    True
    """
    seen: set[int] = set()
    out: list[PublicName] = []
    for modname in MODULES:
        module = importlib.import_module(modname)
        items = []
        for name in module.__all__:
            obj = getattr(module, name)
            if (inspect.isclass(obj) or callable(obj)) and id(obj) in seen:
                continue
            seen.add(id(obj))
            items.append(PublicName(modname, name, obj))
        out.extend(sorted(items, key=lambda p: _ORDER[p.category]))  # stable: __all__ order within a category
    return out


# ----------------------------------------------------------------------------------------------
# inline markup


_ROLE = re.compile(r":(?:func|class|meth|data|mod|attr|exc|obj):`(~?)([^`]+)`")
_LITERAL = re.compile(r"``(.+?)``")


def _resolve(target: str, context: str, anchors: dict[int | str, str]) -> str | None:
    """Return the anchor of a documented object named ``target`` (absolute, or relative to ``context``)."""
    for base in (None, context, context.split(".")[0]):
        full = target if base is None else f"{base}.{target}"
        parts = full.split(".")
        for i in range(len(parts), 0, -1):
            try:
                obj = importlib.import_module(".".join(parts[:i]))
            except ImportError:
                continue
            try:
                for attr in parts[i:]:
                    obj = inspect.getattr_static(obj, attr) if inspect.isclass(obj) else getattr(obj, attr)
            except AttributeError:
                break
            if id(obj) in anchors:
                return anchors[id(obj)]
            break
    return anchors.get(target.split(".")[-1])  # a name documented once, whatever module it is imported from


def _escape(text: str) -> str:
    """Escape what Markdown would read as an HTML tag in plain text (``"<kind>分布图"``)."""
    return re.sub(r"<(?=[A-Za-z/!])", "&lt;", text)


def inline(text: str, context: str, anchors: dict[int | str, str]) -> str:
    """Convert reST inline markup (roles, double backticks) to Markdown."""
    out = []
    pos = 0
    tokens = re.compile(rf"{_ROLE.pattern}|{_LITERAL.pattern}|`([^`]+)`")
    for m in tokens.finditer(text):
        out.append(_escape(text[pos : m.start()]))
        pos = m.end()
        if m.group(2) is not None:
            target = m.group(2).strip()
            shown = target.split(".")[-1] if m.group(1) else target
            anchor = _resolve(target, context, anchors)
            out.append(f"[`{shown}`](#{anchor})" if anchor else f"`{shown}`")
        elif m.group(3) is not None:
            out.append(f"`{m.group(3)}`")
        else:
            out.append(f"`{m.group(4)}`")
    out.append(_escape(text[pos:]))
    return "".join(out)


# ----------------------------------------------------------------------------------------------
# numpydoc


def _sections(doc: str) -> list[tuple[str | None, list[str]]]:
    """Split a docstring into ``(title, lines)``; the text before the first section has title None."""
    lines = doc.splitlines()
    out: list[tuple[str | None, list[str]]] = [(None, [])]
    i = 0
    while i < len(lines):
        line = lines[i]
        underline = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if (
            line.strip()
            and not line.startswith(" ")
            and re.fullmatch(r"-{3,}", underline)
            and len(underline) >= len(line.strip()) - 2
        ):
            out.append((line.strip(), []))
            i += 2
            continue
        out[-1][1].append(line)
        i += 1
    return [(title, body) for title, body in out if title is not None or any(x.strip() for x in body)]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _blocks(lines: list[str]) -> Iterator[list[str]]:
    block: list[str] = []
    for line in lines:
        if line.strip():
            block.append(line)
        elif block:
            yield block
            block = []
    if block:
        yield block


def _dedent(lines: list[str]) -> list[str]:
    width = min((_indent(x) for x in lines if x.strip()), default=0)
    return [x[width:] for x in lines]


def _prose(lines: list[str], context: str, anchors: dict[int | str, str]) -> str:
    """Render reST-ish prose: paragraphs, bullet lists, definition lists and ``::`` literal blocks."""
    out: list[str] = []
    lines = _dedent(lines)
    literal = False
    for block in _blocks(lines):
        if literal and _indent(block[0]) > 0:
            out.append("```text\n" + "\n".join(_dedent(block)) + "\n```")
            continue
        literal = block[-1].rstrip().endswith("::")
        if literal:
            block = [*block[:-1], re.sub(r"\s*::$", ":", block[-1].rstrip())]
        rendered: list[str] = []
        i = 0
        while i < len(block):
            line = block[i]
            bullet = re.match(r"^[-*] |^\d+\. ", line.lstrip())
            if _indent(line) == 0 and not bullet and i + 1 < len(block) and _indent(block[i + 1]) > 0:
                j = i + 1
                while j < len(block) and _indent(block[j]) > 0:
                    j += 1
                term = inline(line.strip(), context, anchors)
                text = inline(" ".join(x.strip() for x in block[i + 1 : j]), context, anchors)
                rendered.append(f"- **{term}** — {text}")
                i = j
                continue
            if bullet and _indent(line) == 0:
                rendered.append(inline(line, context, anchors))
            elif rendered and rendered[-1].startswith(("- ", "* ")) and _indent(line) > 0:
                rendered[-1] += " " + inline(line.strip(), context, anchors)
            else:
                rendered.append(inline(line.strip(), context, anchors))
            i += 1
        out.append("\n".join(rendered))
    return "\n\n".join(out)


def _items(lines: list[str], title: str, context: str, anchors: dict[int | str, str]) -> str:
    """Render a Parameters/Returns/Raises/Attributes section as a list."""
    entries: list[tuple[str, list[str]]] = []
    for line in _dedent(lines):
        if not line.strip() and not entries:
            continue
        if line.strip() and _indent(line) == 0:
            entries.append((line.strip(), []))
        elif entries:
            entries[-1][1].append(line)
    out = []
    for head, body in entries:
        if " : " in head or head.endswith(" :"):
            name, _, kind = head.partition(" :")
            label = f"**{_escape(name.strip())}**"
            if kind.strip():
                label += f" : *{inline(kind.strip(), context, anchors)}*"
        elif title in ("Returns", "Yields", "Raises", "Warns"):
            label = f"*{inline(head, context, anchors)}*"
        else:
            label = f"**{_escape(head)}**"
        text = _prose(body, context, anchors) if any(x.strip() for x in body) else ""
        if not text:
            out.append(f"- {label}")
        else:
            first, *rest = text.split("\n\n")
            first = first.replace("\n", "\n  ")
            item = f"- {label} — {first}"
            for para in rest:
                item += "\n\n  " + para.replace("\n", "\n  ")
            out.append(item)
    return "\n".join(out)


def _examples(lines: list[str], context: str, anchors: dict[int | str, str]) -> str:
    """Render an Examples section: doctest blocks as ``pycon`` code, the rest as prose."""
    out = []
    for block in _blocks(_dedent(lines)):
        if block[0].lstrip().startswith(">>>"):
            code = [re.sub(r"\s+#\s*doctest:.*$", "", x) for x in _dedent(block)]
            out.append("```pycon\n" + "\n".join(code) + "\n```")
        else:
            out.append(_prose(block, context, anchors))
    return "\n\n".join(out)


def render_docstring(doc: str | None, context: str = "", anchors: dict[int | str, str] | None = None) -> str:
    """Render a numpydoc docstring as Markdown.

    Parameters
    ----------
    doc : str or None
        The docstring, as :func:`inspect.getdoc` returns it.
    context : str
        The module the docstring belongs to, for resolving relative cross-references.
    anchors : dict, optional
        ``id(object) -> anchor`` of the documented objects; references to them become links.

    Returns
    -------
    str

    Examples
    --------
    >>> def add_one(x):
    ...     '''Add one.
    ...
    ...     Parameters
    ...     ----------
    ...     x : int
    ...         A number.
    ...     '''
    >>> print(render_docstring(add_one.__doc__))
    Add one.
    <BLANKLINE>
    **Parameters**
    <BLANKLINE>
    - **x** : *int* — A number.
    """
    anchors = anchors or {}
    parts = []
    for title, body in _sections(inspect.cleandoc(doc or "")):
        if title is None:
            parts.append(_prose(body, context, anchors))
        elif title in _ITEM_SECTIONS:
            parts.append(f"**{title}**\n\n" + _items(body, title, context, anchors))
        elif title == "Examples":
            parts.append("**Examples**\n\n" + _examples(body, context, anchors))
        else:
            parts.append(f"**{inline(title, context, anchors)}**\n\n" + _prose(body, context, anchors))
    return "\n\n".join(p for p in parts if p.strip())


# ----------------------------------------------------------------------------------------------
# signatures and values


def _annotation(annotation: object) -> str:
    if isinstance(annotation, str):
        return annotation
    if isinstance(annotation, type) and annotation.__module__ == "builtins":
        return annotation.__qualname__
    return inspect.formatannotation(annotation)


def _parameters(sig: inspect.Signature, *, skip_self: bool) -> list[str]:
    params = list(sig.parameters.values())
    if skip_self and params and params[0].name in ("self", "cls"):
        params = params[1:]
    out: list[str] = []
    star_done = False
    for i, p in enumerate(params):
        if p.kind is p.KEYWORD_ONLY and not star_done:
            out.append("*")
            star_done = True
        if p.kind is p.VAR_POSITIONAL:
            star_done = True
        prefix = {p.VAR_POSITIONAL: "*", p.VAR_KEYWORD: "**"}.get(p.kind, "")
        text = prefix + p.name
        if p.annotation is not p.empty:
            text += f": {_annotation(p.annotation)}"
        if p.default is not p.empty:
            text += (" = " if p.annotation is not p.empty else "=") + _flat(p.default)
        out.append(text)
        if p.kind is p.POSITIONAL_ONLY and (i + 1 == len(params) or params[i + 1].kind is not p.POSITIONAL_ONLY):
            out.append("/")
    return out


def signature(name: str, obj: object, *, skip_self: bool = False) -> str:
    """Return ``name(params) -> returns`` for a callable, one parameter a line when long.

    Examples
    --------
    >>> def f(a: int, *, b: str = "x") -> None: ...
    >>> print(signature("f", f))
    f(a: int, *, b: str = "x") -> None
    """
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return f"{name}(...)"
    params = _parameters(sig, skip_self=skip_self)
    returns = ""
    if sig.return_annotation is not sig.empty and not inspect.isclass(obj):
        returns = f" -> {_annotation(sig.return_annotation)}"
    line = f"{name}({', '.join(params)}){returns}"
    if len(line) <= _SIGNATURE_WIDTH:
        return line
    return f"{name}(\n" + "".join(f"    {p},\n" for p in params) + f"){returns}"


def _constant_comment(module: str, name: str) -> str:
    """Return the ``#:`` comment above ``name``'s assignment in the module that defines it."""
    source_module = module
    package = importlib.import_module(module)
    try:
        tree = ast.parse(inspect.getsource(package))
    except (OSError, TypeError):
        return ""
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and any((a.asname or a.name) == name for a in node.names):
            source_module = node.module or module
            break
    try:
        source = inspect.getsource(importlib.import_module(source_module))
    except (OSError, TypeError):
        return ""
    lines = source.splitlines()
    for node in ast.parse(source).body:
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        )
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            comment: list[str] = []
            i = node.lineno - 2
            while i >= 0 and lines[i].lstrip().startswith("#:"):
                comment.insert(0, lines[i].lstrip()[2:].strip())
                i -= 1
            return " ".join(comment)
    return ""


def _width(text: str) -> int:
    """Display width, as ruff measures lines: East Asian wide characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _flat(obj: object) -> str:
    """``repr`` in the formatter's style: double-quoted strings, no trailing commas."""
    if isinstance(obj, str):
        if '"' in obj and "'" not in obj:
            return repr(obj)
        return '"' + repr(obj)[1:-1].replace("\\'", "'").replace('"', '\\"') + '"'
    if isinstance(obj, tuple):
        inner = ", ".join(_flat(x) for x in obj)
        return f"({inner},)" if len(obj) == 1 else f"({inner})"
    if isinstance(obj, list):
        return "[" + ", ".join(_flat(x) for x in obj) + "]"
    if isinstance(obj, dict):
        return "{" + ", ".join(f"{_flat(k)}: {_flat(v)}" for k, v in obj.items()) + "}"
    return repr(obj)


def literal(obj: object, indent: int = 0) -> str:
    """Lay out a constant as ruff format would: on one line when it fits, else one item a line.

    Examples
    --------
    >>> print(literal(["a", "b"]))
    ["a", "b"]
    >>> print(literal(["x" * 60, "y" * 60]))
    [
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy",
    ]
    """
    flat = _flat(obj)
    if indent + _width(flat) <= _LINE_WIDTH or not isinstance(obj, list | tuple | dict) or not obj:
        return flat
    pad = " " * (indent + 4)
    if isinstance(obj, dict):
        items = [f"{_flat(k)}: {literal(v, indent + 4 + _width(_flat(k)) + 2).lstrip()}," for k, v in obj.items()]
    else:
        items = [f"{literal(x, indent + 4)}," for x in obj]
    opening, closing = {list: "[]", tuple: "()", dict: "{}"}[type(obj)]
    return opening + "\n" + "".join(f"{pad}{item}\n" for item in items) + " " * indent + closing


def _value(obj: object) -> tuple[str, str]:
    """Return (what is shown, the value as text) for a constant: dicts of objects, or long ones, by their keys."""
    if isinstance(obj, dict) and (
        len(_flat(obj)) > _MAX_VALUE_CHARS or not all(isinstance(v, str | int | float | tuple) for v in obj.values())
    ):
        return "keys", literal(list(obj))
    return "value", literal(obj)


# ----------------------------------------------------------------------------------------------
# the page


def _anchor(qualname: str) -> str:
    return qualname


def _members(cls: type) -> list[tuple[str, object]]:
    """Public methods and properties defined by the class itself, in definition order."""
    out = []
    for name, member in vars(cls).items():
        if name.startswith("_"):
            continue
        if isinstance(member, property | staticmethod | classmethod) or inspect.isfunction(member):
            out.append((name, member))
    return out


def _anchors(names: list[PublicName]) -> dict[int | str, str]:
    anchors: dict[int | str, str] = {}
    for p in names:
        if p.category != "constant" or isinstance(p.obj, list | dict | tuple):
            anchors[id(p.obj)] = _anchor(p.qualname)
        if inspect.isclass(p.obj):
            for member_name, member in _members(p.obj):
                anchors[id(member)] = _anchor(f"{p.qualname}.{member_name}")
    for modname in MODULES:
        anchors[id(importlib.import_module(modname))] = _anchor(modname)
    short = [p.name for p in names]
    for p in names:
        if short.count(p.name) == 1 and not p.name.startswith("_"):
            anchors[p.name] = _anchor(p.qualname)
    return anchors


def _render_member(owner: PublicName, name: str, member: object, anchors: dict[int | str, str]) -> str:
    qual = f"{owner.qualname}.{name}"
    context = owner.obj.__module__  # type: ignore[attr-defined]
    if isinstance(member, property):
        returns = ""
        if member.fget is not None:
            ann = inspect.signature(member.fget).return_annotation
            returns = "" if ann is inspect.Signature.empty else f": {_annotation(ann)}"
        head = f'<a id="{_anchor(qual)}"></a>\n#### `{owner.name}.{name}` *(property)*'
        code = f"```python\n{owner.name}.{name}{returns}\n```"
        doc = inspect.getdoc(member.fget) if member.fget is not None else ""
    else:
        func = member.__func__ if isinstance(member, staticmethod | classmethod) else member
        head = f'<a id="{_anchor(qual)}"></a>\n#### `{owner.name}.{name}()`'
        skip = not isinstance(member, staticmethod)
        code = f"```python\n{signature(f'{owner.name}.{name}', func, skip_self=skip)}\n```"
        doc = inspect.getdoc(func)
    return "\n\n".join(x for x in (head, code, render_docstring(doc, context, anchors)) if x)


def _render_name(p: PublicName, anchors: dict[int | str, str]) -> str:
    head = f'<a id="{_anchor(p.qualname)}"></a>\n### `{p.qualname}`'
    if p.category == "constant":
        comment = _constant_comment(p.module, p.name)
        if p.name == "__version__":
            return f"{head}\n\nThe installed version of redline-checker, a string (also `redline --version`)."
        shown, text = _value(p.obj)
        lines = [
            head,
            f"*constant* `{type(p.obj).__name__}`" + (f" — {inline(comment, p.module, anchors)}" if comment else ""),
        ]
        lines.append(("Keys:" if shown == "keys" else "Value:") + f"\n\n```python\n{text}\n```")
        return "\n\n".join(lines)
    obj = p.obj
    context = getattr(obj, "__module__", p.module)
    parts = [head]
    if inspect.isclass(obj):
        bases = [b for b in obj.__bases__ if b is not object]
        base_text = ", ".join(f"`{b.__qualname__}`" for b in bases)
        parts.append(f"*{p.category}*" + (f" — bases: {base_text}" if bases else ""))
        if issubclass(obj, BaseException) and "__init__" not in vars(obj):
            parts.append(f"```python\n{p.qualname}(message: str)\n```")
        else:
            parts.append(f"```python\n{signature(p.qualname, obj)}\n```")
    else:
        parts.append(f"```python\n{signature(p.qualname, obj)}\n```")
    parts.append(render_docstring(inspect.getdoc(obj), context, anchors))
    if inspect.isclass(obj):
        parts.extend(_render_member(p, name, member, anchors) for name, member in _members(obj))
    return "\n\n".join(x for x in parts if x)


def _summary(module: types.ModuleType) -> str:
    doc = inspect.getdoc(module) or ""
    return doc.split("\n\n")[0].replace("\n", " ")


def render() -> str:
    """Return the Markdown of ``docs/api.md``.

    Examples
    --------
    >>> render().startswith("# Python API reference")
    True
    """
    names = public_names()
    anchors = _anchors(names)
    out = [
        "# Python API reference",
        "<!-- Generated from the docstrings by docs/generate_api.py; do not edit by hand. -->\n"
        "<!-- fmt: off -->",  # ruff format leaves the code as the docstrings have it (the tests compare the page)
        "Generated from the docstrings by `python docs/generate_api.py` (the tests check that this page is up "
        "to date). Import the names from their package: `from layers import load_layerset`, "
        "`from checks import check_site, screen_sites`, `from maps import site_map, zoning_map`. "
        "`import checks` (and `layers`, `zones`) loads neither folium nor matplotlib; only `maps` does. "
        "The examples are doctests, run by the tests; those that need files are marked `# doctest: +SKIP`.",
        "> **The bundled sample layer set is illustrative (示意数据，非官方).** Examples and notebooks use it to "
        "show how the tool works; never use it for a real review.",
        "## Notebooks",
        "Runnable examples in [`notebooks/`](../notebooks/), executed by the tests on the bundled sample, "
        "offline:\n\n" + "\n".join(f"- [`{nb}`](../notebooks/{nb}) — {what}" for nb, what in _NOTEBOOKS),
        "## Contents",
    ]
    toc = []
    for modname in MODULES:
        module = importlib.import_module(modname)
        links = " · ".join(f"[`{p.name}`](#{_anchor(p.qualname)})" for p in names if p.module == modname)
        toc.append(
            f"- **[`{modname}`](#{_anchor(modname)})** — {inline(_summary(module), modname, anchors)}  \n  {links}"
        )
    out.append("\n".join(toc))
    for modname in MODULES:
        module = importlib.import_module(modname)
        out.append(f'<a id="{_anchor(modname)}"></a>\n## `{modname}`')
        out.append(render_docstring(inspect.getdoc(module), modname, anchors))
        out.extend(_render_name(p, anchors) for p in names if p.module == modname)
    return "\n\n".join(out).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write ``docs/api.md`` (or, with ``--check``, say whether it is up to date).

    Examples
    --------
    >>> main(["--check"])  # doctest: +SKIP
    0
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when docs/api.md is out of date")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = API_DOC.read_text("utf-8") if API_DOC.exists() else ""
        if current != text:
            print(f"{API_DOC} is out of date; run: python docs/generate_api.py", file=sys.stderr)
            return 1
        return 0
    API_DOC.write_text(text, encoding="utf-8")
    print(f"wrote {API_DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
