# ruff: noqa: E501 (a data table of clause texts)
"""Write the bundled sample's access list in the shape bureaus publish it: layers/sample/data/access_list.xlsx.

Run:  python tools/sample_access_list.py [OUT.xlsx]

示意数据，非官方 — illustrative, not official.  The clauses are the sample's (after seeds/000, the
钦州城乡融合发展试验区 plan), now laid out as a county list is printed: a 单元清单 sheet with one
row per unit (编码, 名称, 市, 县（区）, 乡镇, 管控单元类别) and the four dimensions as columns under a
管控要求 header merged over them, clauses numbered inside a cell (``1.…`` on its own line), ``/``
where a unit has none; and a 总体管控要求 sheet (适用范围, 管控维度, 管控要求) with the clauses for
all units, for each class (and the 产业集聚 sub-type) and for a county.  No structured column:
the screen reads every clause from its text (zones/access_text.py).

Deterministic: the workbook's dates and the zip entries' times are fixed, so re-running writes
byte-identical files (tools/generate_sample.py calls :func:`write` and checks that).
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "layers" / "sample" / "data" / "access_list.xlsx"
#: the date the workbook and its zip entries carry (the sample's fixed date)
FIXED_DATE = datetime(2025, 1, 1)
DIMENSIONS = ("空间布局约束", "污染物排放管控", "环境风险防控", "资源开发效率要求")
COUNTY = {"450721": "灵山县", "450722": "浦北县"}
INDUSTRY = "重点管控单元（产业集聚类）"
TOWN = "重点管控单元（城镇生活类）"
WATER_SOURCE = {
    "空间布局约束": ["禁止新建、扩建与供水设施和保护水源无关的工业项目。"],
    "污染物排放管控": ["饮用水水源保护区内禁止设置排污口。", "沿岸村庄生活污水须收集处理，不得排入水源保护区水域。"],
    "环境风险防控": ["跨河桥梁和沿河道路须设置防撞护栏和事故废水收集设施，禁止运输剧毒化学品、危险废物的车辆进入一级保护区。"],
}  # fmt: skip
TOWN_CENTRE = {
    "空间布局约束": [
        "禁止新建燃煤发电、水泥、钢铁、化工等“两高”项目。",
        "镇区禁止新建电镀、制革项目。",
        "镇区内禁止新建产生恶臭、噪声污染的工业项目，现有工业企业逐步搬迁进入工业园区。",
    ],
    "环境风险防控": ["严格控制危险化学品生产、储存项目，新建、扩建危险化学品仓储设施须远离居民集中区并满足安全防护距离要求。"],
}  # fmt: skip

#: code, name, town, class as printed, {dimension: [clauses]}
UNITS: list[tuple[str, str, str, str, dict[str, list[str]]]] = [
    ("ZH45072210001", "五皇山优先保护单元", "五皇山片区", "优先保护单元", {
        "空间布局约束": [
            "禁止新建、扩建工业项目；生态旅游、森林康养配套设施，科研监测、生态修复工程及必要的供水、防洪和线性基础设施除外。",
            "五皇山国家地质公园内的生态保护红线按禁止开发区域管控；禁止在地质遗迹保护范围内采石、取土、挖砂等破坏地质遗迹的活动。",
        ],
        "污染物排放管控": ["景区、康养基地等旅游服务设施的生活污水须收集处理达标后回用，不得直接排入山塘、溪流。"],
        "环境风险防控": ["加强森林防火和外来入侵物种防控，禁止在林区野外用火。"],
        "资源开发效率要求": ["严格保护天然林和公益林，禁止毁林开垦和将天然林改造为人工林。"],
    }),
    ("ZH45072110001", "罗阳山优先保护单元", "伯劳镇", "优先保护单元", {
        "空间布局约束": [
            "禁止新建、扩建工业项目和矿产资源开发项目；生态保护修复、科研监测和确实无法避让的线性基础设施除外。",
            "全面保护天然林资源和原生植被，禁止在二十五度以上陡坡地开垦种植农作物。",
        ],
        "资源开发效率要求": ["严格控制水源涵养林采伐，实施封山育林，提升水源涵养能力。"],
    }),
    ("ZH45072110002", "武利江湿地优先保护单元", "武利镇", "优先保护单元", {
        "空间布局约束": ["禁止新建、扩建工业项目，禁止围垦、填埋、排干湿地；湿地保护修复工程和必要的防洪、供水设施除外。"],
        "污染物排放管控": ["禁止在湿地范围内新设入河排污口，禁止向湿地排放未经处理的生产废水和生活污水。"],
        "资源开发效率要求": ["保障武利江湿地生态用水，禁止在湿地范围内擅自取水、采砂。"],
    }),
    ("ZH45072110003", "武利镇武利江水源地优先保护单元", "武利镇", "优先保护单元", {
        **WATER_SOURCE,
        "空间布局约束": [*WATER_SOURCE["空间布局约束"], "武利镇武利江水源地一级、二级保护区和准保护区按饮用水水源保护区管理规定分级管控。"],
        "资源开发效率要求": ["落实武利江水质提升工作方案，水源地上游推广测土配方施肥和生态沟渠拦截氮磷。"],
    }),
    ("ZH45072110004", "伯劳镇沙埠江水源地优先保护单元", "伯劳镇", "优先保护单元", {
        **WATER_SOURCE,
        "空间布局约束": [*WATER_SOURCE["空间布局约束"], "伯劳镇沙埠江水源地一级、二级保护区和准保护区按饮用水水源保护区管理规定分级管控。"],
        "污染物排放管控": [*WATER_SOURCE["污染物排放管控"], "沙埠江沿岸畜禽养殖场须完成粪污治理，保护区内已有养殖场依法关闭或搬迁。"],
    }),
    ("ZH45072210002", "北通镇武利江水源地优先保护单元", "北通镇", "优先保护单元", {
        **WATER_SOURCE,
        "空间布局约束": [*WATER_SOURCE["空间布局约束"], "北通镇武利江（北通河段）水源地一级、二级保护区和准保护区按饮用水水源保护区管理规定分级管控。"],
        "资源开发效率要求": ["严格控制水源地上游取水和采砂，保障取水口断面水量水质。"],
    }),
    ("ZH45072120001", "武利工业园重点管控单元", "武利镇", INDUSTRY, {
        "空间布局约束": [
            "禁止新建电镀项目，光达新材料产业园（电镀集中区）内的除外。",
            "禁止新建化学制浆、制革项目。",
            "园区重点发展精细化工新材料、木材深加工、五金和环保化肥农药等产业，入园项目须符合园区产业定位和规划环评要求。",
            "园区与周边居住区之间设置环境防护距离，防护距离内不得新建居民住宅、学校、医院等环境敏感建筑。",
        ],
        "污染物排放管控": [
            "园区实行雨污分流、清污分流，工业废水须经预处理后接入园区污水集中处理设施，尾水达标排放。",
            "涉挥发性有机物排放的项目须优先使用低挥发性原辅材料，配套高效收集和治理设施。",
        ],
        "环境风险防控": ["园区建立企业、园区、区域三级环境风险防控体系，涉及危险化学品的企业须设置事故应急池并与园区应急设施联通。"],
        "资源开发效率要求": ["园区实行热电联产集中供热，入园企业不得自建分散燃煤锅炉。"],
    }),
    ("ZH45072120002", "武利镇镇区重点管控单元", "武利镇", TOWN, {
        **TOWN_CENTRE,
        "污染物排放管控": ["镇区生活污水须接入武利镇污水处理厂集中处理，加快配套管网建设，提高污水处理厂运行负荷率。"],
        "资源开发效率要求": ["推广使用天然气、电等清洁能源，镇区内禁止新建每小时10蒸吨以下的燃煤锅炉。"],
    }),
    ("ZH45072120003", "伯劳镇镇区重点管控单元", "伯劳镇", TOWN, {
        **TOWN_CENTRE,
        "污染物排放管控": ["镇区生活污水须接入伯劳镇污水处理厂集中处理，加快配套管网建设，提高污水处理厂运行负荷率。"],
    }),
    ("ZH45072220001", "北通镇镇区重点管控单元", "北通镇", TOWN, {
        **TOWN_CENTRE,
        "污染物排放管控": [
            "镇区生活污水须接入北通镇污水处理厂集中处理，加快配套管网建设，提高污水处理厂运行负荷率。",
            "北通镇污水处理厂尾水须达到《城镇污水处理厂污染物排放标准》（GB 18918—2002）一级A标准。",
        ],
    }),
    ("ZH45072220002", "白石水镇镇区重点管控单元", "白石水镇", TOWN, {
        **TOWN_CENTRE,
        "污染物排放管控": [
            "镇区生活污水须接入白石水镇污水处理厂集中处理，加快配套管网建设，提高污水处理厂运行负荷率。",
            "白石水镇污水处理厂尾水须达到《城镇污水处理厂污染物排放标准》（GB 18918—2002）一级A标准。",
        ],
    }),
    ("ZH45072120004", "光达新材料产业园重点管控单元", "武利镇", INDUSTRY, {
        "空间布局约束": ["光达新材料产业园为电镀集中区，新建电镀及金属表面处理项目须入园集中建设，电镀产能不得突破规划环评核定规模。"],
        "污染物排放管控": [
            "涉重金属排放的项目须落实重金属污染物排放总量控制指标，新建、改建、扩建项目实行重点重金属污染物排放等量或减量替代。",
            "电镀废水须按含铬、含镍、含氰等分类收集、分质处理，第一类污染物在车间或车间处理设施排放口达标。",
        ],
        "环境风险防控": ["园区须建设事故应急池和重金属在线监测设施，企业须开展土壤和地下水自行监测。"],
        "资源开发效率要求": ["电镀企业须采用清洁生产工艺，提高镀液回收率和水重复利用率。"],
    }),
    ("ZH45072130001", "武利镇一般管控单元", "武利镇", "一般管控单元", {
        "空间布局约束": ["武利江两岸新建工业项目须进入武利工业园，沿江两岸严格控制新增建设用地。"],
        "污染物排放管控": ["推进汉塘、大沙、望坪等中心村生活污水处理和垃圾收集转运设施建设。"],
    }),
    ("ZH45072130002", "伯劳镇一般管控单元", "伯劳镇", "一般管控单元", {
        "空间布局约束": ["伯劳镇是畜禽养殖污染防治重点区域，新建、扩建规模化畜禽养殖场须符合县级畜禽养殖污染防治规划的布局要求。"],
    }),
    ("ZH45072230001", "北通镇一般管控单元", "北通镇", "一般管控单元", {
        "空间布局约束": ["北通中小企业产业园以农副产品加工、富硒食品为主导产业，入园项目须符合园区规划。"],
        "资源开发效率要求": ["发展五皇山古茶、富硒农业，推广有机肥替代化肥。"],
    }),
    ("ZH45072230002", "白石水镇一般管控单元", "白石水镇", "一般管控单元", {
        "污染物排放管控": ["白石水农产品加工产业园的生产废水须经预处理达标后接入白石水镇污水处理厂。"],
    }),
    ("ZH45072230003", "五皇山片区一般管控单元", "五皇山片区", "一般管控单元", {
        "空间布局约束": ["发展生态旅游、森林康养和林下经济，新建旅游设施须与五皇山国家地质公园的保护要求相协调。"],
        "资源开发效率要求": ["严格控制山塘、水库取水和地下水开采。"],
    }),
]  # fmt: skip

#: 适用范围, 管控维度, 管控要求 (numbered as printed).  What the screen cannot judge (淘汰类 and
#: 限制类 projects, offsets of new emissions, clean-production levels, conformity with plans) sits
#: where the plan puts the weight (seed 000 §3.3, §4.2, §9.1: 严控重污染项目、落实清洁生产审核 in
#: 武利工业园, 严禁引进不符合“三线一单”重点管控区准入要求的项目): in the key units' part, in the
#: priority units' part and in units' own clauses.  The part for every unit and the general units'
#: part hold only clauses the interpreter can judge, so that a general unit with no clause of its
#: own it cannot judge (白石水镇一般管控单元) answers its catalogue question (CU04) in full.
TOTAL: list[tuple[str, str, str]] = [
    ("全部环境管控单元", "空间布局约束", "执行钦州市生态环境分区管控总体准入要求。"),
    ("全部环境管控单元", "环境风险防控", "化工、电镀、危险废物利用处置等涉及有毒有害物质的建设项目须落实土壤和地下水污染防治措施，编制突发环境事件应急预案。"),
    ("优先保护单元", "空间布局约束", "优先保护单元以生态保护为主，依法禁止或限制大规模、高强度的工业开发和城镇建设，严禁不符合主体功能定位的开发活动。"),
    ("优先保护单元", "资源开发效率要求", "严格保护林地、湿地、水域等生态用地，严控取用水总量，保障河流生态流量。"),
    ("重点管控单元", "空间布局约束", "1.禁止新建、扩建《产业结构调整指导目录》淘汰类项目。\n2.新建、扩建项目须符合所在园区或镇区的总体规划、产业定位和规划环评结论。\n3.工业项目原则上进入依法合规设立的工业园区。"),
    ("重点管控单元", "污染物排放管控", "1.新建、改建、扩建项目新增的主要污染物排放量实行等量或倍量削减替代；武利江流域内新增总磷排放的项目实行倍量削减替代。\n2.实行雨污分流，生产废水须经预处理达到接管标准后接入集中式污水处理设施，不得直接排入武利江及其支流。"),
    ("重点管控单元", "环境风险防控", "土壤污染重点监管单位须开展土壤和地下水自行监测，落实危险废物规范化管理和转移联单制度。"),
    ("产业集聚类重点管控单元", "污染物排放管控", "入园企业生产废水须经预处理达到园区污水处理厂接管标准后方可排入园区污水管网。"),
    ("产业集聚类重点管控单元", "资源开发效率要求", "新建项目清洁生产水平须达到国内先进水平，单位产品能耗、水耗达到行业先进值。"),
    ("一般管控单元", "空间布局约束", "1.执行区域生态环境保护的基本要求。\n2.禁止在工业园区外新建、扩建电镀、制革项目。"),
    ("一般管控单元", "污染物排放管控", "畜禽养殖场（小区）须配套建设与养殖规模相适应的粪污贮存、处理和利用设施，实现粪污资源化利用。"),
    ("一般管控单元", "资源开发效率要求", "推广节水灌溉和测土配方施肥，化肥、农药使用量实现负增长。"),
    ("浦北县", "空间布局约束", "五皇山国家地质公园周边禁止新建、扩建采石、采矿项目。"),
]  # fmt: skip


def _cell(clauses: list[str]) -> str:
    if not clauses:
        return "/"
    if len(clauses) == 1:
        return clauses[0]
    return "\n".join(f"{i}.{text}" for i, text in enumerate(clauses, 1))


def _units_sheet(ws) -> None:
    head = ["序号", "环境管控单元编码", "环境管控单元名称", "市", "县（区）", "乡镇（街道）", "管控单元类别"]
    width = len(head) + len(DIMENSIONS)
    ws.append(["钦州城乡融合发展试验区环境管控单元生态环境准入清单（示意数据，非官方）"] + [""] * (width - 1))
    ws.append([*head, *["管控要求"] * len(DIMENSIONS)])
    ws.append([*head, *DIMENSIONS])
    for i, (code, name, town, cls, clauses) in enumerate(UNITS, 1):
        county = COUNTY[code[2:8]]
        ws.append([i, code, name, "钦州市", county, town, cls, *(_cell(clauses.get(d, [])) for d in DIMENSIONS)])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.merge_cells(start_row=2, start_column=len(head) + 1, end_row=2, end_column=width)
    for col in range(1, len(head) + 1):
        ws.merge_cells(start_row=2, start_column=col, end_row=3, end_column=col)
    for row in ws.iter_rows(min_row=1, max_row=3):
        for cell in row:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in ws.iter_rows(min_row=4):
        for cell in row:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    for letter, w in zip("ABCDEFGHIJK", (6, 18, 30, 8, 8, 10, 24, 60, 50, 50, 45), strict=True):
        ws.column_dimensions[letter].width = w


def _total_sheet(ws) -> None:
    ws.append(["适用范围", "管控维度", "管控要求"])
    for row in TOTAL:
        ws.append(list(row))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    for letter, w in zip("ABC", (24, 18, 80), strict=True):
        ws.column_dimensions[letter].width = w


def _fixed_times(data: bytes) -> bytes:
    """The saved workbook with its modified date (openpyxl stamps the time of saving) and zip entry times fixed."""
    stamp = FIXED_DATE.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + stamp + rb"\g<2>", body
                )
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_DATE.timetuple()[:6])
            entry.compress_type, entry.external_attr = zipfile.ZIP_DEFLATED, info.external_attr
            dst.writestr(entry, body)
    return out.getvalue()


def write(path: Path = OUT) -> Path:
    """Write the list to ``path`` (byte-identical on every run) and return it."""
    book = openpyxl.Workbook()
    book.properties.creator = "tools/sample_access_list.py"
    book.properties.title = "生态环境准入清单（示意数据，非官方）"
    book.properties.created = FIXED_DATE
    units = book.active
    units.title = "单元清单"
    _units_sheet(units)
    _total_sheet(book.create_sheet("总体管控要求"))
    saved = io.BytesIO()
    book.save(saved)
    path = Path(path)
    path.write_bytes(_fixed_times(saved.getvalue()))
    return path


if __name__ == "__main__":
    print(write(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT))
