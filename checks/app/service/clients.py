"""Who calls the service, and how often they may: named tokens, per-client quotas, token buckets.

A client is known by its token's **name** when the service has tokens (``--token``, named
``token``, and the entries of a tokens file), else by its address.  Every client has a quota of
screening calls (``POST /api/check`` and ``POST /api/batch``): a :class:`Rate` such as ``30/min``,
spent from a bucket that holds a minute's worth and refills evenly, so a client may send a
minute's worth at once and then keeps to the rate.  Every other ``/api`` call is counted in a
second bucket :data:`READ_FACTOR` times larger (the page's look-ups, job polling, report files).

The tokens file (``redline serve --tokens FILE``, YAML or JSON) names each token and holds only
its SHA-256, so the file gives no token away; a token's own ``rate_limit`` raises (or lowers) its
quota, e.g. for an approval system::

    tokens:
      - name: reviewers              # the name the audit log records, never the token
        sha256: 2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b
      - name: approval-system
        sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
        rate_limit: 1200/min         # default: the service's --rate-limit; "off" for none

The SHA-256 of a token is ``printf %s 'THE-TOKEN' | sha256sum`` (or :func:`token_sha256`).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redline.zones.errors import RedlineError, param_ref

__all__ = [
    "DEFAULT_RATE",
    "READ_FACTOR",
    "Client",
    "Clients",
    "Rate",
    "RateLimiter",
    "load_tokens",
    "parse_rate",
    "retry_after",
    "token_sha256",
]

#: The default quota of screening calls per client: a reviewer checks a site every few seconds at most.
DEFAULT_RATE = "30/min"
#: Other ``/api`` calls a client may make per screening call of its quota.
READ_FACTOR = 20
_PERIODS = {"s": 1.0, "sec": 1.0, "min": 60.0, "h": 3600.0, "hour": 3600.0}
_RATE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*/\s*([a-z]+)\s*$")
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,63}$")
_SHA_RE = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Rate:
    """A quota: ``per_second`` calls on average, up to ``burst`` at once.

    Examples
    --------
    >>> r = parse_rate("30/min")
    >>> r.per_second, r.burst, r.text
    (0.5, 30.0, '30/min')
    """

    per_second: float
    burst: float
    text: str

    def scaled(self, factor: float) -> Rate:
        """Return the same quota ``factor`` times larger."""
        return Rate(self.per_second * factor, self.burst * factor, f"{self.text} x{factor:g}")

    def per_minute(self) -> float:
        """Return the calls a minute."""
        return self.per_second * 60


def parse_rate(text: str | None, param: str = "rate_limit") -> Rate | None:
    """Read a quota: ``N/s``, ``N/min`` or ``N/h``; ``off`` (or None) for no limit.

    The bucket holds a minute's worth (at least one call).

    Raises
    ------
    RedlineError
        Naming ``param`` for anything else.

    Examples
    --------
    >>> parse_rate("2/s").burst, parse_rate("off")
    (120.0, None)
    >>> parse_rate("lots")
    Traceback (most recent call last):
    redline.zones.errors.RedlineError: rate_limit: 'lots' is not a rate; give e.g. 30/min, 2/s, 600/h or off
    """
    if text is None or str(text).strip().lower() == "off":
        return None
    m = _RATE_RE.match(str(text).lower())
    if not m or m.group(2) not in _PERIODS or float(m.group(1)) <= 0:
        raise RedlineError(
            f"{param_ref(param)}: {text!r} is not a rate; give e.g. 30/min, 2/s, 600/h or off",
            param=param,
            value=text,
            zh=f"{param_ref(param)}：{text!r} 不是调用频率；请写作如 30/min、2/s、600/h 或 off",
        )
    per_second = float(m.group(1)) / _PERIODS[m.group(2)]
    return Rate(per_second, max(1.0, per_second * 60), f"{m.group(1)}/{m.group(2)}")


def token_sha256(token: str) -> str:
    """Return the SHA-256 (hex) a tokens file holds for ``token``.

    Examples
    --------
    >>> token_sha256("test")[:16]
    '9f86d081884c7d65'
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Client:
    """One caller: ``label`` is what the audit log records (``token:NAME`` or ``address:HOST``)."""

    label: str
    rate: Rate | None


def _tokens_error(path: Path, problem: str, zh: str) -> RedlineError:
    """Return the error of a tokens file: its ``problem`` (and the same in Chinese, ``zh``)."""
    ref = param_ref("tokens")
    return RedlineError(
        f"{ref}: {path.name}: {problem}", param="tokens", value=str(path), zh=f"{ref}：{path.name}：{zh}"
    )


def _read_tokens_file(path: Path) -> Any:
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        cause = getattr(exc, "strerror", None) or exc
        raise _tokens_error(path, f"cannot read it ({cause})", f"无法读取（{cause}）") from None
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        import yaml

        return yaml.safe_load(text)
    except ValueError as exc:
        raise _tokens_error(path, f"not valid JSON ({exc})", f"不是有效的 JSON（{exc}）") from None
    except Exception as exc:  # yaml.YAMLError
        first = str(exc).splitlines()[0]
        raise _tokens_error(path, f"not valid YAML ({first})", f"不是有效的 YAML（{first}）") from None


def _entry(path: Path, i: int, raw: Any, default: Rate | None) -> tuple[str, str, Rate | None]:
    """Return (name, sha256, rate) of one ``tokens[i]`` entry."""
    where = f"tokens[{i}]"
    if not isinstance(raw, dict):
        raise _tokens_error(
            path,
            f"{where} is not a mapping of name, sha256 and rate_limit",
            f"{where} 不是含 name、sha256 和 rate_limit 的映射",
        )
    unknown = sorted(set(raw) - {"name", "sha256", "rate_limit"})
    if unknown:
        raise _tokens_error(
            path,
            f"{where}: unknown key {unknown[0]!r}; use name, sha256, rate_limit",
            f"{where}：未知的键 {unknown[0]!r}；可用的键为 name、sha256、rate_limit",
        )
    name, digest = str(raw.get("name") or ""), str(raw.get("sha256") or "").lower()
    if not _NAME_RE.match(name):
        raise _tokens_error(
            path,
            f"{where}: name {name[:70]!r} must be 1-64 letters, digits or _.:@-",
            f"{where}：名称 {name[:70]!r} 须为 1 到 64 个字母、数字或 _.:@-",
        )
    if not _SHA_RE.match(digest):
        raise _tokens_error(
            path,
            f"{where} ({name}): sha256 must be the 64 hex digits of the token's SHA-256",
            f"{where}（{name}）：sha256 须为令牌 SHA-256 的 64 位十六进制数字",
        )
    rate = default
    if "rate_limit" in raw:
        try:
            rate = parse_rate(raw["rate_limit"])
        except RedlineError:
            given = raw["rate_limit"]
            raise _tokens_error(
                path,
                f"{where} ({name}): rate_limit {given!r} is not e.g. 600/min or off",
                f"{where}（{name}）：rate_limit {given!r} 不是如 600/min 或 off 的调用频率",
            ) from None
    return name, digest, rate


def load_tokens(path: str | Path, default: Rate | None) -> dict[str, Client]:
    """Read a tokens file (YAML or JSON, see the module docstring): token SHA-256 -> client.

    Raises
    ------
    RedlineError
        (``param="tokens"``) for a file that cannot be read, a bad entry, or a name or hash twice.
    """
    path = Path(path)
    data = _read_tokens_file(path)
    entries = data.get("tokens") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise _tokens_error(
            path, "holds no `tokens:` list; see redline serve --help", "没有 `tokens:` 列表；见 redline serve --help"
        )
    clients: dict[str, Client] = {}
    names: set[str] = set()
    for i, raw in enumerate(entries):
        name, digest, rate = _entry(path, i, raw, default)
        if name in names or digest in clients:
            raise _tokens_error(
                path,
                f"tokens[{i}] ({name}): its name or token is given twice",
                f"tokens[{i}]（{name}）：名称或令牌重复出现",
            )
        names.add(name)
        clients[digest] = Client(f"token:{name}", rate)
    return clients


class Clients:
    """Tell who a request comes from (None: it has no valid token).

    Parameters
    ----------
    token : str, optional
        The service's one token (named ``token``).
    tokens : dict, optional
        From :func:`load_tokens`.
    rate : Rate or None
        The quota of the one token and of clients known by address.
    """

    def __init__(self, *, token: str | None = None, tokens: dict[str, Client] | None = None, rate: Rate | None) -> None:
        self.by_hash = dict(tokens or {})
        if token:
            self.by_hash.setdefault(token_sha256(token), Client("token:token", rate))
        self.rate = rate

    @property
    def needs_token(self) -> bool:
        """Whether ``/api`` calls need a bearer token."""
        return bool(self.by_hash)

    def identify(self, authorization: str, address: str | None) -> Client | None:
        """Return the client of a request from its ``Authorization`` header and its address."""
        if not self.by_hash:
            return Client(f"address:{address or 'unknown'}", self.rate)
        scheme, _, given = authorization.partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            return None
        return self.by_hash.get(token_sha256(given.strip()))


class RateLimiter:
    """Token buckets, one per (client, kind of call); thread-safe, bounded in the clients it remembers.

    Examples
    --------
    >>> limiter, rate = RateLimiter(), parse_rate("2/min")
    >>> [limiter.take("a", rate, now=0.0) for _ in range(3)]
    [0.0, 0.0, 30.0]
    >>> limiter.take("a", rate, now=30.0), limiter.take("b", rate, now=30.0)
    (0.0, 0.0)
    """

    def __init__(self, max_keys: int = 100_000) -> None:
        self.max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, time)
        self._lock = threading.Lock()

    def take(self, key: str, rate: Rate | None, now: float | None = None) -> float:
        """Spend one call of ``key``'s bucket: 0.0 when allowed, else the seconds until one is there."""
        if rate is None:
            return 0.0
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, stamp = self._buckets.get(key, (rate.burst, now))
            tokens = min(rate.burst, tokens + (now - stamp) * rate.per_second)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                if len(self._buckets) > self.max_keys:
                    self._forget_old()
                return 0.0
            self._buckets[key] = (tokens, now)
            return max(1e-3, (1.0 - tokens) / rate.per_second)

    def _forget_old(self) -> None:
        """Drop the older half of the buckets (a bucket left alone for long has refilled anyway)."""
        by_age = sorted(self._buckets, key=lambda k: self._buckets[k][1])
        for key in by_age[: len(by_age) // 2]:
            del self._buckets[key]


def retry_after(seconds: float) -> str:
    """Return a ``Retry-After`` header value: whole seconds, at least 1.

    Examples
    --------
    >>> retry_after(0.2), retry_after(12.5)
    ('1', '13')
    """
    return str(max(1, math.ceil(seconds)))
