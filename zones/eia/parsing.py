"""Reading the cells' conditions from ``conditions.yaml`` into :mod:`redline.zones.eia.conditions` nodes.

The YAML forms are listed in :mod:`redline.zones.eia.conditions`; :func:`parse_condition` checks every
name against the edition (facts, processes, sensitive types, GB/T 4754-2017 codes, actions) and raises
:class:`ValueError` naming what it cannot read, which the loader reports with the row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from redline.zones.eia.conditions import (
    ACTIONS,
    OPERATORS,
    Action,
    All,
    Amount,
    AnyOf,
    Condition,
    Const,
    Flag,
    Industry,
    Not,
    OnlyProcess,
    Process,
    Sensitive,
    TypeIs,
    Unless,
)
from redline.zones.eia.facts import FactSpec, Quantity, parse_quantity
from redline.zones.eia.sensitive import Scheme
from redline.zones.industry import lookup, normalize_code

__all__ = ["Env", "parse_condition"]


@dataclass(frozen=True)
class Env:
    """What parsing checks names against: the fact vocabulary, processes, defines, sensitive scheme."""

    vocabulary: Mapping[str, FactSpec]
    processes: frozenset[str]
    defines: Mapping[str, Condition]
    scheme: Scheme


def _names(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list | tuple) else [value]
    return tuple(str(v).strip() for v in items)


def _thresholds(spec: FactSpec, value: Any) -> tuple[tuple[Quantity, ...], str]:
    raws = _names(value)
    out = []
    for raw in raws:
        q = parse_quantity(raw, spec.unit)
        if spec.dims and q.dim not in spec.dims:
            raise ValueError(f"threshold {raw!r} of {spec.name} is not in {'、'.join(spec.units)}")
        out.append(q)
    return tuple(out), "（".join(raws) + "）" * (len(raws) - 1)


def _parse_amount(raw: Mapping[str, Any], env: Env) -> Condition:
    fact = str(raw["fact"])
    spec = env.vocabulary.get(fact)
    if spec is None or spec.kind != "quantity":
        raise ValueError(f"{fact!r} is not a quantity fact of the vocabulary")
    extra = set(raw) - {"fact", *OPERATORS}
    if extra or len(raw) < 2:
        raise ValueError(f"fact {fact}: give one or more of ge, gt, le, lt, eq (got {sorted(raw)})")
    tests = []
    for op in OPERATORS:
        if op in raw:
            qs, text = _thresholds(spec, raw[op])
            tests.append((op, qs, text))
    return Amount(fact, tuple(tests))


def _parse_sensitive(value: Any, env: Env) -> Condition:
    if value is True or value == "row":
        return Sensitive()
    if isinstance(value, Mapping):
        without = _types(value.get("without"), env)
        return Sensitive(None, without)
    types = _types(value, env)
    shown = tuple(sorted(t for t in types if env.scheme.types[t].parent not in types))
    return Sensitive(types, frozenset(), shown)


def _types(value: Any, env: Env) -> frozenset[str]:
    out = set()
    for name in _names(value or []):
        t = env.scheme.get(name)
        if t is None:
            raise ValueError(f"unknown sensitive area type {name!r}")
        out.add(t.name)
    return frozenset(out)


def _leaf(key: str, value: Any, env: Env) -> Condition:
    if key == "flag":
        spec = env.vocabulary.get(str(value))
        if spec is None or spec.kind != "flag":
            raise ValueError(f"{value!r} is not a yes/no fact of the vocabulary")
        return Flag(str(value))
    if key == "type":
        names = _names(value)
        bad = [n for n in names if any(s in n for s in ";；,，、")]
        if bad:
            raise ValueError(f"类型 {bad[0]!r} contains a list separator (;；,，、); name it without")
        return TypeIs(names)
    if key in ("process", "only_process"):
        names = _names(value)
        unknown = [n for n in names if n not in env.processes]
        if unknown:
            raise ValueError(f"unknown process {unknown[0]!r}; add it to processes:")
        return Process(names) if key == "process" else OnlyProcess(names)
    if key == "industry":
        codes = tuple(normalize_code(c) for c in _names(value))
        bad = [c for c in codes if lookup(c) is None]
        if bad:
            raise ValueError(f"industry code {bad[0]!r} is not in GB/T 4754-2017")
        return Industry(codes)
    if key == "action":
        acts = _names(value)
        bad = [a for a in acts if a not in ACTIONS]
        if bad:
            raise ValueError(f"unknown action {bad[0]!r}; use {', '.join(ACTIONS)}")
        return Action(acts)
    if key == "sensitive":
        return _parse_sensitive(value, env)
    raise ValueError(f"unknown condition {key!r}")


def parse_condition(raw: Any, env: Env) -> Condition:
    """Build a :class:`Condition` from its YAML form (see the module docstring).

    Raises
    ------
    ValueError
        Naming what cannot be read.
    """
    if isinstance(raw, bool):
        return Const(raw)
    if isinstance(raw, str):
        if raw == "sensitive":
            return Sensitive()
        if raw in env.defines:
            return env.defines[raw]
        raise ValueError(f"unknown condition {raw!r} (not 'sensitive' nor a name from define:)")
    if not isinstance(raw, Mapping) or not raw:
        raise ValueError(f"cannot read condition {raw!r}")
    if "fact" in raw:
        return _parse_amount(raw, env)
    if len(raw) != 1:
        raise ValueError(f"a condition has one key, got {sorted(raw)}")
    ((key, value),) = raw.items()
    if key in ("all", "any"):
        if not isinstance(value, list) or not value:
            raise ValueError(f"{key}: needs a non-empty list")
        items = tuple(parse_condition(v, env) for v in value)
        return All(items) if key == "all" else AnyOf(items)
    if key in ("not", "unless"):
        item = parse_condition(value, env)
        return Not(item) if key == "not" else Unless(item)
    return _leaf(str(key), value, env)
