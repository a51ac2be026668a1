"""The API reference page at ``/docs``, rendered from the OpenAPI schema with no script and no CDN.

FastAPI's own ``/docs`` (Swagger UI) loads its script and stylesheet from a CDN, which a bureau's
closed network cannot reach.  This page lists every operation of ``/openapi.json`` (method, path,
summary, description, parameters, request body and responses, with the schemas they name) as plain
HTML; every text from the schema is escaped.  The schema itself stays at ``/openapi.json`` for
tools (Postman, Swagger UI installed locally, code generators).
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

__all__ = ["render_api_docs"]

_METHODS = ("get", "post", "put", "patch", "delete")
_STYLE = """
body{font:14px/1.5 "Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0 auto;max-width:1100px;
padding:1em 2em;color:#1c2833}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #d5d8dc}
.op{border:1px solid #d5d8dc;border-radius:4px;margin:1em 0;padding:.6em 1em}
.method{display:inline-block;min-width:4em;font-weight:bold;color:#fff;background:#2874a6;border-radius:3px;
text-align:center;margin-right:.6em}.post{background:#1e8449}.delete{background:#b03a2e}
code,pre{font-family:"DejaVu Sans Mono",monospace;font-size:12px}pre{background:#f4f6f7;padding:.6em;overflow:auto}
table{border-collapse:collapse;margin:.4em 0}
td,th{border:1px solid #d5d8dc;padding:2px 8px;text-align:left;vertical-align:top}
.desc{white-space:pre-wrap}
"""


def _ref_name(schema: dict[str, Any]) -> str:
    ref = schema.get("$ref", "")
    return ref.rsplit("/", 1)[-1] if ref else ""


def _type_of(schema: dict[str, Any]) -> str:
    """Return a short text for a parameter or property schema: a type, a schema name, or a union."""
    if not schema:
        return ""
    if "$ref" in schema:
        return _ref_name(schema)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return " | ".join(_type_of(part) or "?" for part in schema[key])
    kind = schema.get("type", "")
    if kind == "array":
        return f"array of {_type_of(schema.get('items', {}))}"
    if "enum" in schema:
        return " | ".join(json.dumps(v, ensure_ascii=False) for v in schema["enum"])
    return str(kind)


def _parameters(op: dict[str, Any]) -> str:
    rows = [
        "<tr>"
        f"<td><code>{escape(p.get('name', ''))}</code></td><td>{escape(p.get('in', ''))}</td>"
        f"<td>{'yes' if p.get('required') else ''}</td><td>{escape(_type_of(p.get('schema', {})))}</td>"
        f"<td class=desc>{escape(p.get('description', '') or p.get('schema', {}).get('description', ''))}</td>"
        "</tr>"
        for p in op.get("parameters", [])
    ]
    if not rows:
        return ""
    head = "<tr><th>name</th><th>in</th><th>required</th><th>type</th><th>description</th></tr>"
    return f"<h4>Parameters</h4><table>{head}{''.join(rows)}</table>"


def _body(op: dict[str, Any]) -> str:
    content = op.get("requestBody", {}).get("content", {})
    parts = [
        f"<li><code>{escape(media)}</code>: {escape(_type_of(spec.get('schema', {})))}</li>"
        for media, spec in content.items()
    ]
    return f"<h4>Request body</h4><ul>{''.join(parts)}</ul>" if parts else ""


def _responses(op: dict[str, Any]) -> str:
    rows = []
    for status, spec in op.get("responses", {}).items():
        schemas = [_type_of(v.get("schema", {})) for v in spec.get("content", {}).values()]
        rows.append(
            f"<tr><td>{escape(str(status))}</td><td class=desc>{escape(spec.get('description', ''))}</td>"
            f"<td>{escape(', '.join(s for s in schemas if s))}</td></tr>"
        )
    head = "<tr><th>status</th><th>description</th><th>schema</th></tr>"
    return f"<h4>Responses</h4><table>{head}{''.join(rows)}</table>" if rows else ""


def _schemas(schema: dict[str, Any]) -> str:
    out = []
    for name, spec in sorted(schema.get("components", {}).get("schemas", {}).items()):
        required = set(spec.get("required", []))
        rows = [
            f"<tr><td><code>{escape(prop)}</code></td><td>{'yes' if prop in required else ''}</td>"
            f"<td>{escape(_type_of(sub))}</td><td class=desc>{escape(sub.get('description', ''))}</td></tr>"
            for prop, sub in spec.get("properties", {}).items()
        ]
        table = (
            "<table><tr><th>field</th><th>required</th><th>type</th><th>description</th></tr>"
            + "".join(rows)
            + "</table>"
            if rows
            else f"<p>{escape(_type_of(spec))}</p>"
        )
        desc = f"<p class=desc>{escape(spec.get('description', ''))}</p>" if spec.get("description") else ""
        out.append(f'<h3 id="schema-{escape(name)}">{escape(name)}</h3>{desc}{table}')
    return "<h2>Schemas</h2>" + "".join(out) if out else ""


def render_api_docs(schema: dict[str, Any]) -> str:
    """Return the HTML reference page for an OpenAPI schema (no script, no external resource).

    Examples
    --------
    >>> page = render_api_docs({"info": {"title": "T <x>", "version": "1"}, "paths": {
    ...     "/healthz": {"get": {"summary": "Health", "responses": {"200": {"description": "ok"}}}}}})
    >>> "T &lt;x&gt;" in page and "/healthz" in page and "<script" not in page
    True
    """
    info = schema.get("info", {})
    ops = []
    for path, item in schema.get("paths", {}).items():
        for method in _METHODS:
            op = item.get(method)
            if op is None:
                continue
            ops.append(
                '<div class="op">'
                f'<div><span class="method {method}">{method.upper()}</span><code>{escape(path)}</code>'
                f" — {escape(op.get('summary', ''))}</div>"
                f"<p class=desc>{escape(op.get('description', ''))}</p>"
                f"{_parameters(op)}{_body(op)}{_responses(op)}</div>"
            )
    return (
        '<!doctype html><html lang="zh"><head><meta charset="utf-8">'
        f"<title>{escape(info.get('title', 'API'))} — API</title><style>{_STYLE}</style></head><body>"
        f"<h1>{escape(info.get('title', 'API'))} <small>{escape(str(info.get('version', '')))}</small></h1>"
        f"<p class=desc>{escape(info.get('description', ''))}</p>"
        '<p>Machine-readable schema: <a href="/openapi.json">/openapi.json</a>. '
        'The reviewers\' page: <a href="/">/</a>.</p>'
        "<h2>Operations</h2>" + "".join(ops) + _schemas(schema) + "</body></html>"
    )
