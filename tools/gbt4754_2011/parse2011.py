"""Parse the 2011 class list out of the saved page (see README.md) into gbt2011.csv."""

import csv
import html
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent

t = Path(sys.argv[1] if len(sys.argv) > 1 else "src2011.html").read_text(encoding="gb18030")
rows = re.findall(r"<tr[^>]*>(.*?)</tr>", t, re.S)
out = []
sec = None
for r in rows:
    cells = re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)
    if len(cells) < 5:
        continue
    c = [html.unescape(re.sub(r"<[^>]+>", "", x)).replace("\u3000", " ").strip() for x in cells]
    s, d, g, k, name = c[:5]
    if s in ("门类",):
        continue
    if s:
        sec = s
        out.append((s, 1, s, name))
    if d:
        out.append((sec + d, 2, sec, name))
    if g and not k:
        out.append((sec + g, 3, sec, name))
    if g and k:
        out.append((sec + g, 3, sec, name))
        out.append((sec + k, 4, sec, name))
    if k and not g:
        out.append((sec + k, 4, sec, name))
with open(HERE / "gbt2011.csv", "w", encoding="utf-8", newline="") as fh:
    w = csv.writer(fh)
    w.writerow(["code", "level", "section", "name"])
    for o in out:
        w.writerow(o)

print(Counter(o[1] for o in out), len(out))
codes = [o[0] for o in out]
print([c for c, n in Counter(codes).items() if n > 1][:20])
