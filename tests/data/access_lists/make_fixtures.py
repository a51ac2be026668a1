"""Write the access-list fixtures of tests/layers/test_access_tables.py, in the shapes bureaus publish.

Run:  python tests/data/access_lists/make_fixtures.py

- ``lingshan_wide.xlsx``: a county's list (灵山县, 450721): a title row, a two-row header with
  管控要求 merged over four dimension columns named as Guangdong names them (区域布局管控 ...
  能源资源利用), numbered clauses (``1.`` ``（1）`` ``①``), ``/`` and ``无`` cells, references;
  beside it a 总体管控要求 sheet (long: 适用范围, 管控维度, 管控要求) and a 说明 sheet that is
  no list.  No structured column.
- ``hangzhou_long.csv``: a long list with Chinese headers (UTF-8 with BOM), Hangzhou's dimension
  names (空间布局引导, 环境风险管控), a row scoped by administrative code, an unknown dimension.
- ``lingshan_tables.docx``: the same county as two DOCX tables under captions: a wide table with a
  merged two-row header, and a 总体管控要求 table whose scope is its caption.
- ``guizhou_wide.xls``: a wide list in the old Excel format with Guizhou's dimension names
  (布局约束 ... 资源利用效率与能源开发效率); written with xlwt, read with xlrd.

``access_list_long.csv`` (not written here) is the bundled sample's former list in the tool's own
long format with the structured columns (verdict, industries, tags, actions), kept to show that
format still reads.

The clause texts are illustrative (after the sample list and seeds/000), not official.
"""

from __future__ import annotations

import csv
from pathlib import Path

HERE = Path(__file__).resolve().parent

DIMS_GD = ("区域布局管控", "污染物排放管控", "环境风险防控", "能源资源利用")
DIMS_GZ = ("布局约束", "污染物排放管控", "环境风险防控", "资源利用效率与能源开发效率")
HEAD = ("序号", "环境管控单元编码", "环境管控单元名称", "市", "县（区）", "管控单元类别")

UNITS = [
    (
        "ZH45072110001",
        "罗阳山优先保护单元",
        "优先保护单元",
        (
            "1.禁止新建、扩建工业项目和矿产资源开发项目，生态保护修复、科研监测和确实无法避让的线性基础设施除外；"
            "2.全面保护天然林资源和原生植被。",
            "/",
            "无",
            "执行灵山县总体管控要求。",
        ),
    ),
    (
        "ZH45072120001",
        "武利工业园重点管控单元",
        "产业集聚类重点管控单元",
        (
            "1.禁止新建、扩建化学制浆、电镀、鞣革项目。\n2.园区重点发展精细化工新材料、五金产业。",
            "（1）工业废水须经预处理后接入园区污水集中处理设施；（2）涉挥发性有机物排放的项目须配套高效治理设施。",
            "①涉及危险化学品的企业须设置事故应急池；②园区建立企业、园区、区域三级环境风险防控体系。",
            "执行灵山县总体管控要求。",
        ),
    ),
    (
        "ZH45072120002",
        "武利镇镇区重点管控单元",
        "城镇生活类重点管控单元",
        (
            "镇区禁止新建电镀、制革项目；禁止新建燃煤发电、水泥、钢铁、化工等“两高”项目。",
            "镇区生活污水须接入武利镇污水处理厂集中处理。",
            "/",
            "/",
        ),
    ),
    (
        "ZH45072130001",
        "武利镇一般管控单元",
        "一般管控单元",
        ("执行一般管控单元总体准入要求。", "/", "/", "/"),
    ),
]

TOTAL = [  # 适用范围, 管控维度, 管控要求
    (
        "灵山县",
        "空间布局约束",
        "一、禁止新建、扩建《产业结构调整指导目录》淘汰类项目。二、工业项目原则上进入依法合规设立的工业园区。",
    ),
    ("灵山县", "资源开发效率要求", "新建项目清洁生产水平须达到国内先进水平。"),
    ("一般管控单元", "空间布局约束", "禁止新建、扩建燃煤锅炉。"),
    ("产业集聚类重点管控单元", "污染物排放管控", "新建、改建、扩建项目实行主要污染物排放倍量削减替代。"),
    ("浦北县", "空间布局约束", "禁止新建化工项目。"),
]


def _wide_rows(dims: tuple[str, ...]) -> list[list[str]]:
    rows = [["灵山县环境管控单元生态环境准入清单"] * (len(HEAD) + 4)]
    rows.append([*HEAD, "管控要求", "管控要求", "管控要求", "管控要求"])
    rows.append([*HEAD, *dims])
    for i, (code, name, cls, texts) in enumerate(UNITS, 1):
        rows.append([str(i), code, name, "钦州市", "灵山县", cls, *texts])
    return rows


def write_xlsx(path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "单元清单"
    for row in _wide_rows(DIMS_GD):
        ws.append(row)
    width = len(HEAD) + 4
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.merge_cells(start_row=2, start_column=len(HEAD) + 1, end_row=2, end_column=width)
    for col in range(1, len(HEAD) + 1):
        ws.merge_cells(start_row=2, start_column=col, end_row=3, end_column=col)
    total = book.create_sheet("总体管控要求")
    total.append(["适用范围", "管控维度", "管控要求"])
    for row in TOTAL:
        total.append(list(row))
    notes = book.create_sheet("说明")
    notes.append(["本清单为示意数据，非官方。"])
    notes.append(["编制单位：示例"])
    book.save(path)


def write_csv(path: Path) -> None:
    rows = [
        ("省", "市", "环境管控单元编码", "环境管控单元名称", "管控单元分类", "管控维度", "管控要求"),
        ("浙江省", "杭州市", "ZH33011020001", "余杭经济开发区产业集聚重点管控单元", "重点管控单元（产业集聚类）",
         "空间布局引导", "1、禁止新建、扩建三类工业项目。2、新建工业项目须进入工业功能区。"),
        ("浙江省", "杭州市", "ZH33011020001", "余杭经济开发区产业集聚重点管控单元", "重点管控单元（产业集聚类）",
         "环境风险管控", "强化工业园区环境风险防范，建立健全环境风险应急体系。"),
        ("浙江省", "杭州市", "ZH33011030001", "余杭区一般管控单元", "一般管控单元",
         "空间布局引导", "禁止新建、扩建畜禽养殖场。"),
        ("浙江省", "杭州市", "ZH33011030001", "余杭区一般管控单元", "一般管控单元", "噪声管控", "禁止夜间施工。"),
        ("浙江省", "杭州市", "330110", "", "", "资源开发效率要求", "新建项目单位产品能耗须达到国内先进水平。"),
    ]  # fmt: skip
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)


def write_docx(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("附表2 灵山县环境管控单元生态环境准入清单")
    rows = _wide_rows(DIMS_GD)[1:3] + _wide_rows(DIMS_GD)[3:5]
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for c in range(len(HEAD)):
        table.cell(0, c).merge(table.cell(1, c))
    table.cell(0, len(HEAD)).merge(table.cell(0, len(HEAD) + 3))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if (r == 1 and c < len(HEAD)) or (r == 0 and c > len(HEAD)):
                continue
            table.cell(r, c).text = value
    document.add_paragraph("附表3 灵山县总体管控要求")
    total = document.add_table(rows=3, cols=2)
    for r, row in enumerate([("管控维度", "管控要求"), *[(d, t) for _, d, t in TOTAL[:2]]]):
        for c, value in enumerate(row):
            total.cell(r, c).text = value
    document.save(path)


def write_xls(path: Path) -> None:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("准入清单")
    rows = _wide_rows(DIMS_GZ)
    width = len(rows[0])
    sheet.write_merge(0, 0, 0, width - 1, rows[0][0])
    for c in range(len(HEAD)):
        sheet.write_merge(1, 2, c, c, rows[1][c])
    sheet.write_merge(1, 1, len(HEAD), width - 1, "管控要求")
    for c in range(len(HEAD), width):
        sheet.write(2, c, rows[2][c])
    for r, row in enumerate(rows[3:], 3):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.save(str(path))


def main() -> None:
    write_xlsx(HERE / "lingshan_wide.xlsx")
    write_csv(HERE / "hangzhou_long.csv")
    write_docx(HERE / "lingshan_tables.docx")
    write_xls(HERE / "guizhou_wide.xls")


if __name__ == "__main__":
    main()
