"""The bundled illustrative sample layer set (示意数据，非官方 / illustrative, not official data).

``SAMPLE_DIR`` holds ``layerset.yaml``, the four zone layers and ``sites.geojson``; they are
built by ``layers/sample/generate.py`` and described in ``SAMPLE_DIR / "README.md"``.
"""

from pathlib import Path

__all__ = ["SAMPLE_DIR"]

SAMPLE_DIR = Path(__file__).parent / "data"
