"""The filed report as LibreOffice renders it: ``redline check`` of a polygon over farmland and a red
line, report.docx and results.xlsx converted to PDF with ``soffice --headless``, the pages read back
with poppler (``pdfinfo``, ``pdftotext -bbox``, ``pdftoppm``).

Checked: the number of pages; every page has text (no blank page); no word lies outside the page's
margins (no table wider than the page); no page ends on a heading (headings kept with their tables);
the parts a filed report has, in order; for the workbook, A4 landscape pages and, on every page,
the first and the last heading of its sheet (no column split across pages).

``.ci/run`` installs LibreOffice and poppler when missing; without them these tests are skipped.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from lxml import etree

from tests.conftest import run_cli

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("soffice", "pdfinfo", "pdftotext", "pdftoppm")),
    reason="LibreOffice (soffice) and poppler-utils are needed to render the reports",
)

#: A polygon of about 64 公顷 across the 武利江 wetland red line and four farmland patches (sample layers).
SITE = (
    "POLYGON ((109.506466 22.501553, 109.506466 22.508553, 109.498466 22.508553, "
    "109.498466 22.501553, 109.506466 22.501553))"
)
_POINTS_PER_MM = 72 / 25.4
#: Page size in points and the margins of the Word report (checks/outputs/docx_parts.PAGE), in mm.
_A4 = (595.3, 841.9)
_LEFT_MM, _RIGHT_MM = 25.0, 20.0
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)\S+|^管控单元.*准入清单$")


def _soffice(files: list[Path], out: Path, profile: Path) -> None:
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            *map(str, files),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("check")
    run_cli(
        "check",
        SITE,
        "--industry",
        "C3011",
        "--tag",
        "discharges_pollutants",
        "--out",
        str(out),
        "--formats",
        "docx,xlsx",
        "--quiet",
        check=True,
    )
    _soffice([out / "report.docx", out / "results.xlsx"], out, tmp_path_factory.mktemp("profile"))
    return out


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))


def _page_texts(pdf: Path) -> list[str]:
    return [
        subprocess.run(
            ["pdftotext", "-layout", "-f", str(p), "-l", str(p), str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for p in range(1, _pages(pdf) + 1)
    ]


def _words(pdf: Path) -> list[tuple[float, float, list[tuple[float, float, str]]]]:
    """Return (width, height, [(xMin, xMax, word)]) for each page, from ``pdftotext -bbox``."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, check=True).stdout
    root = etree.fromstring(html, etree.HTMLParser())
    pages = []
    for page in root.iter("page"):
        words = [(float(w.get("xmin")), float(w.get("xmax")), w.text or "") for w in page.iter("word")]
        pages.append((float(page.get("width")), float(page.get("height")), words))
    return pages


def test_report_docx_pages_and_parts(rendered):
    pdf = rendered / "report.pdf"
    n = _pages(pdf)
    assert 3 <= n <= 8, n
    text = "\n".join(_page_texts(pdf))
    flat = re.sub(r"\s+", "", text)
    parts = ["一、项目基本信息", "二、研判结论与建议", "三、符合性分析", "四、审查意见", "附录数据来源、规则与运行记录"]
    positions = [flat.index(p) for p in parts]
    assert positions == sorted(positions)
    for needle in (
        "选址生态环境敏感区冲突研判报告",
        "研判结论：禁止",
        "生态保护红线",
        "永久基本农田",
        "公顷",
        "亩",
        "灵山县武利镇",
        "东经109°",
        "经办人：",
        "审核人：",
        "北京时间",
        "管控单元ZH45072110002",
        "第1页，共",
    ):
        assert needle in flat, needle
    assert flat.index("研判结论：禁止") < flat.index("（一）生态保护红线")


def test_report_docx_has_no_blank_page_and_nothing_outside_the_margins(rendered):
    pages = _words(rendered / "report.pdf")
    for number, (width, height, words) in enumerate(pages, start=1):
        assert (round(width, 1), round(height, 1)) == _A4, number  # A4 portrait
        assert len(words) > 20, f"page {number} is (nearly) blank"
        left = _LEFT_MM * _POINTS_PER_MM - 3
        right = width - _RIGHT_MM * _POINTS_PER_MM + 3
        outside = [w for w in words if w[0] < left or w[1] > right]
        assert not outside, f"page {number}: {outside[:5]}"


def test_report_docx_no_page_ends_on_a_heading(rendered):
    for number, text in enumerate(_page_texts(rendered / "report.pdf"), start=1):
        lines = [ln.strip() for ln in text.splitlines() if ln.strip() and "页，共" not in ln]
        assert lines, number
        assert not _HEADING.match(lines[-1]), f"page {number} ends on the heading {lines[-1]!r}"


def test_report_docx_pages_rasterise(rendered, tmp_path):
    subprocess.run(
        ["pdftoppm", "-png", "-r", "30", str(rendered / "report.pdf"), str(tmp_path / "page")],
        check=True,
        capture_output=True,
    )
    from PIL import Image

    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == _pages(rendered / "report.pdf")
    for png in pngs:
        grey = Image.open(png).convert("L")
        assert grey.getextrema()[0] < 100, png.name  # some ink on every page


def test_results_xlsx_prints_on_a4_without_splitting_columns(rendered):
    pdf = rendered / "results.pdf"
    book = openpyxl.load_workbook(rendered / "results.xlsx", read_only=True)
    headings = {}
    for ws in book.worksheets:
        row = [c.value for c in next(ws.iter_rows(max_row=1))]
        headings[ws.title] = (re.sub(r"\s", "", row[0]), re.sub(r"\s", "", row[-1]))
    book.close()
    pages = _words(pdf)
    texts = _page_texts(pdf)
    assert len(pages) <= 3 * len(headings)
    seen = set()
    for number, ((width, height, words), text) in enumerate(zip(pages, texts, strict=True), start=1):
        assert (round(width, 1), round(height, 1)) == _A4[::-1], number  # A4 landscape
        flat = re.sub(r"\s", "", text)
        sheet = next(name for name in headings if flat.startswith(name) or name in flat[:40])
        seen.add(sheet)
        first, last = headings[sheet]
        assert first in flat and last[:2] in flat, f"page {number} ({sheet}): a column is cut off"
        assert all(w[0] >= 0 and w[1] <= width for w in words), number
    assert seen == set(headings)
    assert "选址结果" in headings and "禁止" in "".join(texts)
