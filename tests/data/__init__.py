"""Test fixtures: files the tests read (see the README of each folder)."""

from pathlib import Path

#: the bundled sample with one planted defect of every kind `redline layers validate` reports
#: (built by tools/generate_sample.py; its expected.csv lists the defects)
DEFECTIVE_DIR = Path(__file__).parent / "defective"
