#!/usr/bin/env bash
# cli_report: `wattscale report` on a real what-if run: the headline box first and significant effects
# first, "no significant change" exactly where a saving's 95% interval includes zero, numbers rounded
# from the interval's width (checked against an independent rounding in Python), scale labels, Methods
# and References; --format bib and tex; --out the same bytes as standard output; usage errors exit 2.
set -u
WS=$1
SRC=$2
. "$SRC/tests/lib_cli.sh"
export SOURCE_DATE_EPOCH=1767225600
H100=$SRC/data/measured/h100
mkdir -p "$T/a"
"$WS" ingest -q --db "$T/a/ws.db" --arch "NVIDIA H100 80GB HBM3" --work-column 'samples_per_s*duration_s' \
    --work-unit samples "$H100"/jobs_r*.csv &&
    "$WS" ingest -q --db "$T/a/ws.db" --work 520000000 --work-unit samples "$SRC/data/studies/baler_t4_amp.csv" &&
    (cd "$T/a" && "$WS" simulate "$SRC/scenarios/lhc-baler-whatif-small.json" --db ws.db --replicas 3 --out out \
        --plots plots --quiet >stdout.txt)
check "what-if run" test $? -eq 0
R() { "$WS" report "$@" --db "$T/a/ws.db"; }
R 1 --format md >"$T/r.md"
check "report md exits 0" test $? -eq 0
R 1 --format json >"$T/r.json"
check "report --format json is the stored report (full precision)" cmp -s "$T/r.json" "$T/a/out/report.json"
check "md: headline, scales, methods, references in order" /usr/bin/python3 - "$T/r.md" <<'PY'
import sys
md = open(sys.argv[1]).read()
keys = ["## Headline: projected savings", "**Scale: projected.**", "## Projected per day, per variant",
        "## Simulated system: totals", "**Scale: simulated system.**", "## Methods", "E_IT = sum_k P_k dt_k",
        "t(0.975, n-1)", "SCI = (E I + M) / R", "## Inputs and provenance", "## References"]
pos = [md.index(k) for k in keys]
assert pos == sorted(pos), pos
assert "Projected: Energy and CO2 saved" in md and "Simulated system: Facility power" in md
assert "e+0" not in md.split("## Inputs")[0], "raw e-notation in the tables"
PY
check "significance and rounding agree with an independent reading of the JSON" /usr/bin/python3 - "$T/r.json" "$T/r.md" "$T/a/stdout.txt" <<'PY'
import json, math, sys
r = json.load(open(sys.argv[1])); md = open(sys.argv[2]).read(); text = open(sys.argv[3]).read()
def rounded(m, lo, hi):  # 2nd significant digit of the width; MWh: all of these are 1..1000 MWh
    k = math.floor(math.log10(hi - lo)) - 1
    d = max(0, -k)
    f = lambda x: f"{round(x / 10**k) * 10**k:,.0f}" if k >= 0 else f"{x:,.{d}f}"
    return f"{f(m)} [{f(lo)}, {f(hi)}]"
rows = {l.split("|")[1].strip(): l for l in md.split("## Projected per day, per variant")[1].split("\n## ")[0].split("\n") if l.startswith("| ")}
for v in r["variants"]:
    pd = v["per_day"]["facility_energy_mwh"]
    cell = rounded(pd["mean"], pd["lo"], pd["hi"]) + " MWh"
    assert cell in rows[v["name"]], (cell, rows[v["name"]])
    if v["name"] == "baseline":
        continue
    s = v["saving_vs_baseline"]["facility_energy_mwh_per_day"]
    crosses = s["lo"] <= 0 <= s["hi"]
    row = rows[v["name"]].split("|")[3]
    assert ("no significant change (95% interval" in row or "no change" in row) == crosses, (v["name"], row)
# the headline lists significant effects first (a variant is significant when its energy, CO2 or cost
# saving excludes zero), in the JSON, the Markdown and the text output
def sig(v):
    return any(k in v["saving_vs_baseline"] and v["saving_vs_baseline"][k]["lo"] is not None and
               (v["saving_vs_baseline"][k]["lo"] > 0 or v["saving_vs_baseline"][k]["hi"] < 0)
               for k in ("facility_energy_mwh_per_day", "co2_t_per_day", "cost_per_day"))
by_name = {v["name"]: v for v in r["variants"]}
head = r["headline"]
assert len(head) == len(r["variants"]) - 1
flags = [sig(by_name[h.split(" ")[0]]) for h in head]
assert flags == sorted(flags, reverse=True) and True in flags and False in flags, flags
for h in head:
    v = by_name[h.split(" ")[0]]["saving_vs_baseline"]["facility_energy_mwh_per_day"]
    crosses = v["lo"] <= 0 <= v["hi"]
    assert ("energy: no" in h) == crosses, h
for h in head:
    assert h.replace("[", "\\[") in md or h in md or h.replace("->", "-\\>") in md, h
    assert "- " + h in text, h
PY
R 1 --format bib >"$T/r.bib"
check "bib: entries for the cited data (Wiesner et al., Green Algorithms), SCI and the tools" /usr/bin/python3 - "$T/r.bib" <<'PY'
import re, sys
b = open(sys.argv[1]).read()
keys = re.findall(r"^@(\w+)\{([^,]+),", b, re.M)
names = [k for _, k in keys]
for k in ["wiesner2021", "lannelongue2021", "didukh2023", "wattscale_h100_2026", "sci2024", "gsl", "wattscale"]:
    assert k in names, (k, names)
assert "feitelson2014" not in names  # no trace in this scenario: not cited
assert len(names) == len(set(names))
assert b.count("{") == b.count("}")
assert "doi = {10.1145/3464298.3493399}" in b
PY
R 1 --format tex >"$T/r.tex"
check "tex: three booktabs tables, specials escaped, cite keys from the bib" /usr/bin/python3 - "$T/r.tex" "$T/r.bib" <<'PY'
import re, sys
t = open(sys.argv[1]).read(); b = open(sys.argv[2]).read()
assert t.count("\\begin{tabular}") == 3 and t.count("\\toprule") == 3 and t.count("\\end{table}") == 3
body = [l for l in t.split("\n") if not l.startswith("%")]
for l in body:  # cells are joined by " & "; inside them every LaTeX special is escaped
    for cell in l.split(" & "):
        assert not re.search(r"(?<!\\)[%_#$]", cell), cell
cites = re.search(r"\\cite\{([^}]*)\}", t).group(1).split(",")
assert set(cites) == set(re.findall(r"^@\w+\{([^,]+),", b, re.M))
assert "amp-on-t4" in t and "larger-batches" in t
PY
R 1 --format md --out "$T/out.md" 2>"$T/err"
check "--out writes the same bytes as standard output" cmp -s "$T/out.md" "$T/r.md"
check "--out says what it wrote" grep -q "wrote $T/out.md (run 1)" "$T/err"
check "--out leaves no temporary behind" sh -c "! ls '$T' | grep -q 'out.md.tmp'"
R 1 --out "$T/no/such/dir/r.md" 2>"$T/err"
check "--out into a missing folder exits 1" test $? -eq 1
check "--out into a missing folder writes nothing" test ! -e "$T/no/such/dir/r.md"
R 1 --format xml >/dev/null 2>"$T/err"
check "--format xml exits 2" test $? -eq 2
check "--format xml is named" grep -q "format: 'xml' is not md, html, json, bib or tex" "$T/err"
R 1 2 >/dev/null 2>"$T/err"
check "two runs exit 2" test $? -eq 2
"$WS" report --help >"$T/help"
check "--help lists the formats" grep -q "bib (the references as BibTeX)" "$T/help"
R --format=json latest >"$T/latest.json"
check "--opt=VALUE and latest" cmp -s "$T/latest.json" "$T/r.json"
finish cli_report
