import re

import folium
import pytest
from PIL import Image

from redline.layers import load_layerset
from redline.maps import zoning_map
from redline.maps._labels import LABEL_GID, ZoneLabel, place_labels
from redline.maps._mpl import font_context
from redline.maps.zoning_map import write_zoning_map, zoning_figure
from redline.zones.errors import RedlineError
from tests.conftest import run_cli
from tests.maps._fake_result import EVIL, fake_layerset


@pytest.fixture(scope="module")
def layerset():
    return fake_layerset()


def _overlays(m: folium.Map) -> list[str]:
    return [c.layer_name for c in m._children.values() if isinstance(c, folium.FeatureGroup) and c.overlay]


def test_html_draws_every_zone_of_every_kind(layerset):
    m = zoning_map(layerset)
    assert _overlays(m) == ["环境管控单元 (1)", "永久基本农田 (2)", "饮用水水源保护区 (3)", "生态保护红线 (1)"]
    ids = {f[1] for z in m.rc_payload["zones"] for f in z["f"]}
    assert ids == {"WS-1", "WS-2", "WS-3", "ER-1", "ZH45072120001", "BF-1", "BF-FAR"}  # far zones too: no sites here
    assert m.rc_payload["sites"] is None and m.rc_payload["north"] is True
    page = m.get_root().render()
    assert '<div id="rc-title">生态环境分区管控图<div class="rc-subtitle">示例 — 钦州城乡融合发展试验区' in page
    assert 'id="rc-source"' in page and "water_source.gpkg (77617465725f)" in page
    assert 'id="rc-illustrative"' in page and 'id="rc-legend"' in page
    assert EVIL not in page and "\\u003cscript\\u003ealert(1)" in page
    assert not re.findall(r'<(?:script|link)[^>]+(?:src|href)="https?://', page)


def test_html_one_kind_and_title(layerset):
    m = zoning_map(layerset, kinds=["water_source"], lang="en", title=f"My {EVIL}")
    assert _overlays(m) == ["drinking-water source protection zone (3)"]
    page = m.get_root().render()
    assert "My &lt;script&gt;alert(1)&lt;/script&gt;" in page and EVIL not in page
    assert "Illustrative data" in page


CLI = {"kinds": "--kind", "path": "--out", "dpi": "--dpi", "paper": "--paper"}


def test_unknown_kind_lists_what_the_layer_set_has(layerset):
    with pytest.raises(RedlineError) as err:
        zoning_map(layerset, kinds=["nature_reserve"])
    assert (err.value.param, err.value.value) == ("kinds", ["nature_reserve"])
    assert re.match(r"--kind: nature_reserve not in layer set .*; it has water_source, ", err.value.render(CLI))
    assert str(err.value).startswith("kinds: nature_reserve not in layer set")  # Python's name for it


def test_figure_has_title_legend_source_and_notice(layerset):
    fig = zoning_figure(layerset, kinds=["water_source", "ecological_redline"])
    texts = [t.get_text() for t in fig.texts]
    assert "饮用水水源保护区、生态保护红线分布图" in texts
    assert "图例" in texts
    assert any(t.startswith("数据来源：示例") and "横轴墨卡托" in t for t in texts)
    assert "示意数据，非官方数据，不得用于实际审查" in texts
    legend = [(t.get_text(), t.get_fontweight()) for t in fig.legends[0].get_texts()]
    # the strictest kind first, one group per kind: its name in bold, its classes indented under it
    assert legend == [
        ("生态保护红线", "bold"),
        ("   其他区域（1）", "normal"),
        ("饮用水水源保护区", "bold"),
        ("   一级保护区（1）", "normal"),
        ("   二级保护区（1）", "normal"),
        ("   准保护区（1）", "normal"),
    ]
    ax = fig.axes[0]
    assert any(t.get_text() == "北" for t in ax.texts)  # north arrow
    assert any(t.get_text().endswith(" km") or t.get_text().endswith(" m") for t in ax.texts)  # scale bar
    names = {t.get_text() for t in ax.texts}
    assert "武利江水源准保护区" in names  # zone names on the map


def test_png_and_pdf_files(tmp_path, layerset):
    png = write_zoning_map(layerset, tmp_path / "zoning.png", dpi=72, paper="A3")
    with Image.open(png) as im:
        assert abs(im.size[0] - 16.54 * 72) <= 1 and abs(im.size[1] - 11.69 * 72) <= 1
    pdf = write_zoning_map(layerset, tmp_path / "sub" / "zoning.pdf", kinds=["water_source"])
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and b"/FontFile2" in data  # fonts embedded, so it prints anywhere
    html = write_zoning_map(layerset, tmp_path / "zoning.html")
    assert html.read_text("utf-8").startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sub", "zoning.html", "zoning.png"]  # no temp files left
    assert oct(png.stat().st_mode & 0o777) != oct(0o600)


@pytest.mark.parametrize(
    ("kwargs", "param", "message"),
    [
        ({"path": "z.svg"}, "path", "--out: 'z.svg' must end in .html, .png, .pdf (the format follows it)"),
        ({"path": "z.png", "dpi": 10}, "dpi", "--dpi: 10 is outside 72..1200"),
        ({"path": "z.png", "paper": "B5"}, "paper", "--paper: unknown paper size 'B5'; use one of A4, A3"),
    ],
)
def test_bad_arguments(tmp_path, layerset, kwargs, param, message):
    path = tmp_path / kwargs.pop("path")
    with pytest.raises(RedlineError) as err:
        write_zoning_map(layerset, path, **kwargs)
    assert err.value.param == param and err.value.render(CLI) == message
    assert err.value.value == {"path": str(path), "dpi": 10, "paper": "B5"}[param]
    assert "--" not in str(err.value)  # the library names no command-line flag


def test_unwritable_folder_names_the_path(tmp_path, layerset):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(RedlineError) as err:
        write_zoning_map(layerset, blocker / "zoning.png", dpi=72)
    assert err.value.param == "path" and err.value.render(CLI).startswith("--out: cannot write into ")


def _label_boxes(fig):
    """The placed names and their rendered extents (with the fonts the figure is saved with)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    with font_context():
        renderer = FigureCanvasAgg(fig).get_renderer()
        ax = fig.axes[0]
        labels = [t for t in ax.texts if t.get_gid() == LABEL_GID]
        return ax, renderer, labels, [t.get_window_extent(renderer) for t in labels]


def test_sample_zone_names_never_overlap():
    fig = zoning_figure(load_layerset("sample"), paper="A4")
    ax, renderer, labels, boxes = _label_boxes(fig)
    assert len(labels) >= 25  # most of the sample's zones are named
    frame = ax.get_window_extent(renderer)
    for i, a in enumerate(boxes):
        assert frame.x0 <= a.x0 and a.x1 <= frame.x1 and frame.y0 <= a.y0 and a.y1 <= frame.y1, labels[i].get_text()
        for j in range(i + 1, len(boxes)):
            assert not a.overlaps(boxes[j]), (labels[i].get_text(), labels[j].get_text())
    # nor do they cover the scale bar or the north arrow
    with font_context():
        furniture = [
            t.get_window_extent(renderer) for t in ax.texts if t.get_gid() != LABEL_GID and t.get_alpha() != 0.08
        ]
    assert not any(a.overlaps(b) for a in boxes for b in furniture)
    names = {t.get_text().replace("\n", "") for t in labels}
    assert "伯劳镇镇区禁养区" in names and "伯劳镇城镇开发边界" in names  # the two that collided before


def test_crowded_names_move_off_with_a_leader_or_are_left_off():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from shapely.geometry import box

    fig = Figure(figsize=(4, 3))
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1), xlim=(0, 400), ylim=(0, 300))
    zone = box(195, 145, 205, 155)
    names = [ZoneLabel(zone, f"第{i}个很长的区域名称", i) for i in range(40)]
    with font_context():
        left_off = place_labels(ax, names, fontsize=8)
    _, _, labels, boxes = _label_boxes(fig)
    assert 0 < left_off < 40 and len(labels) == 40 - left_off
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    assert len(ax.lines) >= 2  # names moved away from the zone point back to it


def test_cli_map(tmp_path):
    out = tmp_path / "zoning.png"
    proc = run_cli("map", "sample", "--out", str(out), "--kind", "water_source", "--dpi", "72")
    assert proc.returncode == 0, proc.stderr
    assert str(out) in proc.stdout and out.read_bytes().startswith(b"\x89PNG")
    proc = run_cli("map", "--out", str(tmp_path / "z.html"), "--quiet")
    assert proc.returncode == 0 and proc.stdout == "" and (tmp_path / "z.html").is_file()
    bad = run_cli("map", "--out", str(tmp_path / "z.png"), "--kind", "nope")
    assert bad.returncode == 2 and bad.stderr.startswith("redline：错误：--kind：图层集 '")
    assert "中没有 nope" in bad.stderr
    bad = run_cli("map", "--out", str(tmp_path / "z.gif"))
    assert bad.returncode == 2 and "须以 .html、.png、.pdf 结尾" in bad.stderr
