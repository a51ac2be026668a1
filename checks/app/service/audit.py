"""The audit log of calls that touch a confidential (涉密) layer: one JSON object a line.

Every ``/api/check`` whose answer names a zone of a confidential layer, and every batch job whose
findings do, is written as one line: the time, the client (its token's name, or its address;
never a token), the call, a digest of the site (or of the uploaded file), and the zones touched
with their (coarsened) relation.  The file is appended to, never rewritten; a line is written
whole under a lock, so lines of concurrent calls never mix.

Examples
--------
>>> import json, tempfile, pathlib
>>> log = AuditLog(pathlib.Path(tempfile.mkdtemp()) / "audit.jsonl")
>>> log.write(client="token:reviewers", call="check", ref="0" * 32, site_digest=site_digest("POINT (1 2)"),
...           zones=[{"kind": "nature_reserve", "zone_id": "NR-1", "relation": "boundary"}])
>>> entry = json.loads(log.path.read_text("utf-8"))
>>> entry["client"], entry["zones"][0]["zone_id"], entry["site_digest"][:7]
('token:reviewers', 'NR-1', 'sha256:')
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from datetime import UTC, datetime
from pathlib import Path

__all__ = ["AuditLog", "file_digest", "site_digest"]

log = logging.getLogger("redline.service")


def site_digest(site_wkt: str) -> str:
    """Return the digest the audit log gives a site: SHA-256 of its WKT in EPSG:4490 (full precision).

    The same place sent twice (as "lon,lat", WKT or GeoJSON) has the same digest.
    """
    return "sha256:" + hashlib.sha256(site_wkt.encode("utf-8")).hexdigest()


def file_digest(path: Path) -> str:
    """Return the SHA-256 digest of an uploaded file."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1024 * 1024):
            digest.update(chunk)
    return "sha256:" + digest.hexdigest()


class AuditLog:
    """Append-only JSON lines at ``path`` (its folder is made on first write)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def write(self, *, client: str, call: str, ref: str, site_digest: str, zones: list[dict], **extra) -> None:
        """Write one entry; a failure to write is logged as an error, never raised into the answer."""
        entry = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "client": client,
            "call": call,
            "ref": ref,
            "site_digest": site_digest,
            "zones": zones,
            **extra,
        }
        line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"
        with self._lock:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with open(self.path, "a", encoding="utf-8") as f:
                    f.write(line)
            except OSError as exc:
                log.error("cannot write the audit log %s: %s", self.path, exc.strerror or exc)
