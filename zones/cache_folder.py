"""The package's cache folder, and keeping a derived object there under the digest of what made it.

The folder is ``$REDLINE_CACHE_DIR``, else ``$XDG_CACHE_HOME/redline-checker``, else
``~/.cache/redline-checker``; ``REDLINE_NO_CACHE=1`` turns every cache off.  The layer cache keeps
its stores in ``layers/`` (:mod:`redline.layers.cache`); here, parsed package data (the 名录's
conditions) is kept as a pickle named by the SHA-256 of its sources, so a changed source is never
served stale, and a pickle that cannot be read is a miss.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO, TypeVar

__all__ = ["cache_dir", "cache_enabled", "cached_object", "write_atomically"]

T = TypeVar("T")


def cache_enabled() -> bool:
    """Return False when ``REDLINE_NO_CACHE`` is set to a true value."""
    return os.environ.get("REDLINE_NO_CACHE", "").strip().lower() not in ("1", "true", "yes", "on")


def cache_dir() -> Path:
    """Return the cache folder (not created)."""
    if os.environ.get("REDLINE_CACHE_DIR"):
        return Path(os.environ["REDLINE_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "redline-checker"


def cached_object(kind: str, sources: Iterable[bytes], build: Callable[[], T]) -> T:
    """Return ``build()``, kept as a pickle in the cache folder under the digest of ``sources``.

    Only objects this package built from its own data are kept (never a user's file), in the
    user's own cache folder; a pickle that fails to load is rebuilt.

    Examples
    --------
    >>> cached_object("example", [b"a", b"b"], lambda: {"built": True})
    {'built': True}
    """
    from redline._version import __version__

    digest = hashlib.sha256(__version__.encode())
    for source in sources:
        digest.update(hashlib.sha256(source).digest())
    if not cache_enabled():
        return build()
    path = cache_dir() / "objects" / f"{kind}-{digest.hexdigest()[:32]}.pickle"
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError):
        pass
    value = build()
    with contextlib.suppress(OSError, pickle.PicklingError, TypeError, AttributeError):
        write_atomically(path, lambda fh: pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL))
    return value


def write_atomically(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write ``path`` through ``write(file)`` into a temporary file renamed into place: whole or not at all.

    The temporary file is removed when ``write`` fails (the exception is raised again).

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "sub" / "x.bin"
    >>> write_atomically(target, lambda fh: fh.write(b"ok"))
    >>> target.read_bytes()
    b'ok'
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
