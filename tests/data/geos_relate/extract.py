"""Extract the relate cases with a polygon from GEOS's XML test suite into ``cases.json``.

Run:  python tests/data/geos_relate/extract.py GEOS_GIT_DIR [COMMIT]

``GEOS_GIT_DIR`` is a clone (or bare mirror) of https://github.com/libgeos/geos; the files are read
with ``git show COMMIT:path``.  Every ``<case>`` of the files below whose ``<a>`` or ``<b>`` is a
non-empty Polygon or MultiPolygon is kept with its ``relate`` answer (the DE-9IM matrix of A
against B, as the file gives it).  Only the geometries and the matrices are taken (facts, not code).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import shapely

HERE = Path(__file__).resolve().parent

FILES = [
    "tests/xmltester/tests/validate/TestRelatePA.xml",
    "tests/xmltester/tests/validate/TestRelateLA.xml",
    "tests/xmltester/tests/validate/TestRelateAA.xml",
    "tests/xmltester/tests/validate/TestRelateAA-big.xml",
    "tests/xmltester/tests/validate/TestRelateAC.xml",
    "tests/xmltester/tests/validate/TestRelateLC.xml",
    "tests/xmltester/tests/general/TestRelatePA.xml",
    "tests/xmltester/tests/general/TestRelateLA.xml",
    "tests/xmltester/tests/general/TestRelateAA.xml",
    "tests/xmltester/tests/general/TestRelateGC.xml",
    "tests/xmltester/tests/general/TestRelateEmpty.xml",
]


def _polygonal(wkt: str) -> bool:
    geom = shapely.from_wkt(wkt)
    return geom.geom_type in ("Polygon", "MultiPolygon") and not geom.is_empty


def _cases(git_dir: str, commit: str, path: str) -> list[dict]:
    text = subprocess.run(
        ["git", "-C", git_dir, "show", f"{commit}:{path}"], capture_output=True, text=True, check=True
    ).stdout
    out = []
    for number, case in enumerate(ET.fromstring(text).iter("case"), start=1):
        a, b = (" ".join((case.findtext(tag) or "").split()) for tag in ("a", "b"))
        relate = [op for op in case.iter("op") if op.get("name") == "relate"]
        if not relate or not a or not b:
            continue
        op = relate[0]
        matrix, answer = op.get("arg3", ""), (op.text or "").strip().lower()
        if (op.get("arg1"), op.get("arg2"), answer) != ("A", "B", "true") or not re.fullmatch(r"[F012]{9}", matrix):
            continue
        if not (_polygonal(a) or _polygonal(b)):
            continue
        desc = " ".join((case.findtext("desc") or "").split())
        out.append(
            {
                "file": path.split("tests/xmltester/tests/")[1],
                "case": number,
                "desc": desc,
                "a": a,
                "b": b,
                "relate": matrix,
            }
        )
    return out


def main(argv: list[str]) -> int:
    git_dir = argv[1]
    commit = argv[2] if len(argv) > 2 else "HEAD"
    sha = subprocess.run(
        ["git", "-C", git_dir, "rev-parse", commit], capture_output=True, text=True, check=True
    ).stdout.strip()
    cases = [c for path in FILES for c in _cases(git_dir, sha, path)]
    data = {"source": "https://github.com/libgeos/geos", "commit": sha, "cases": cases}
    (HERE / "cases.json").write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", "utf-8")
    print(f"{len(cases)} cases from {len(FILES)} files at {sha}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
