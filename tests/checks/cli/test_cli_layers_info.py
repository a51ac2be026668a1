"""``redline layers info``: overlapping features explained, access-list problems reported."""

from __future__ import annotations

import re


def test_info_explains_dissolved_overlaps_and_lists_access_problems(cli):
    status, out, err = cli("layers", "info")
    assert status == 0, err
    park = out.split("industrial_park (工业园区)")[1].split("\n\n")[0]
    assert "7.177 km²" in park and "重叠部分合并后 5.960 km²" in park
    assert "下表的面积为合并重叠后的面积" in out and "5.96" in out.split("区域：")[1]
    assert re.search(r"准入清单：access_list\.\w+，\d+ 条条款", out)
    assert "准入清单未发现问题" in out or "准入清单有" in out
    assert "要素：4" in out and "指纹：sha256:" in out and "涉密：是" in out
