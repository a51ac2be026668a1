"""Derive zones/data/gbt4754-2011-to-2017.csv from the two class lists (name identity only)."""

import csv
import io
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


def norm(s):
    return s.replace("（", "(").replace("）", ")").replace(" ", "")


o = list(csv.DictReader(io.StringIO((HERE / "gbt2011.csv").read_text("utf-8"))))
n = list(csv.DictReader(io.StringIO((REPO / "zones/data/gbt4754-2017.csv").read_text("utf-8"))))
o4 = [r for r in o if r["level"] == "4"]
o3 = {r["code"]: r for r in o if r["level"] == "3"}
n4 = {r["code"]: r for r in n if r["level"] == "4"}
n3 = {r["code"]: r for r in n if r["level"] == "3"}
kids = defaultdict(list)
for c in n4:
    kids[c[:-1]].append(c)
okids = defaultdict(list)
for r in o4:
    okids[r["code"][:-1]].append(r["code"])
n4_by = defaultdict(list)
for c, r in n4.items():
    n4_by[norm(r["name"])].append(c)
n3_by = defaultdict(list)
for c, r in n3.items():
    n3_by[norm(r["name"])].append(c)
o4_count = Counter(norm(r["name"]) for r in o4)
o3_count = Counter(norm(r["name"]) for r in o3.values())


def target(r):
    c, nm = r["code"], norm(r["name"])
    if c in n4 and norm(n4[c]["name"]) == nm:
        return [c], "same"
    if len(n4_by[nm]) == 1 and o4_count[nm] == 1:
        return n4_by[nm], "moved"
    groups = n3_by[nm]
    if len(groups) == 1 and len(kids[groups[0]]) >= 2 and not n4_by[nm]:
        return sorted(kids[groups[0]]), "split"
    g = o3[c[:-1]]
    gname = norm(g["name"])
    ng = n3_by[gname]
    if (
        len(okids[g["code"]]) >= 2
        and o3_count[gname] == 1
        and not n4_by[nm]
        and not n3_by[nm]
        and len(ng) == 1
        and len(kids[ng[0]]) == 1
        and norm(n4[kids[ng[0]][0]]["name"]) == gname
    ):
        return kids[ng[0]], "merged"
    return [], "unmapped"


HEADER = (HERE / "header.txt").read_text("utf-8")
buf = io.StringIO()
buf.write(HEADER)
w = csv.writer(buf, lineterminator="\n")
w.writerow(["code_2011", "level", "name_2011", "code_2017", "name_2017", "relation"])
counts = Counter()
for r in o:
    if r["level"] != "4":
        w.writerow([r["code"], r["level"], r["name"], "", "", ""])
        continue
    t, rel = target(r)
    counts[rel] += 1
    w.writerow([r["code"], 4, r["name"], " ".join(t), "；".join(n4[x]["name"] for x in t), rel])
(REPO / "zones/data/gbt4754-2011-to-2017.csv").write_bytes(buf.getvalue().encode("utf-8"))
print(counts, sum(counts.values()))
