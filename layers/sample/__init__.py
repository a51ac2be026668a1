"""The bundled illustrative sample layer set (示意数据，非官方 / illustrative, not official data).

``SAMPLE_DIR`` holds ``layerset.yaml``, the zone layers (the four statutory kinds and the four
regional ones of the ``qinzhou_pilot`` catalogue), the control units' access list
``access_list.csv`` and ``sites.geojson``; they are built by ``tools/generate_sample.py`` (in the
repository, not installed) and described in ``SAMPLE_DIR / "README.md"``.
"""

from pathlib import Path

__all__ = ["SAMPLE_DIR"]

SAMPLE_DIR = Path(__file__).parent / "data"
