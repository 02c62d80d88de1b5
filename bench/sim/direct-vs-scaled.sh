#!/usr/bin/env bash
# Direct against scaled: the main what-if (scenarios/lhc-baler-whatif.json, 1e6 jobs a day simulated
# directly) beside its 1/500 model (scenarios/lhc-baler-whatif-small.json, 2,000 jobs a day x 500.166),
# both measured over the same days (1-3) with the same replicas, and a table of where they agree and
# where queueing at the real scale changes the answer.
#   bench/sim/direct-vs-scaled.sh BUILD_DIR STORE   (STORE: a store ingested as scripts/run-main.sh does)
set -euo pipefail
BUILD=${1:?build dir}
DB=${2:?store with the measured profiles (out/wattscale.db after scripts/run-main.sh)}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=${TMPDIR:-/tmp}/wattscale-direct-vs-scaled
mkdir -p "$T"
python3 - "$SRC" "$T" <<'PY'
import json, sys
src, t = sys.argv[1:3]
d = json.load(open(f"{src}/scenarios/lhc-baler-whatif-small.json"))
d["horizon"]["days"] = 3
d["projection"]["window"] = {"from_day": 1, "to_day": 3}
d["replicas"] = 8
def absolute(x):
    if isinstance(x, dict): return {k: absolute(v) for k, v in x.items()}
    if isinstance(x, list): return [absolute(v) for v in x]
    if isinstance(x, str) and x.startswith("../"): return f"{src}/{x[3:]}"
    return x
json.dump(absolute(d), open(f"{t}/small.json", "w"), indent=1)
PY
for kind in small direct; do
    scen=$T/small.json
    [ $kind = direct ] && scen=$SRC/scenarios/lhc-baler-whatif.json
    /usr/bin/time -f "$kind: %e s wall, %M KB peak" "$BUILD/wattscale" simulate "$scen" --db "$DB" --no-store --quiet \
        --out "$T/$kind" --plots "$T/plots-$kind" >/dev/null
done
python3 - "$T" <<'PY'
import json, sys
t = sys.argv[1]
rep = {k: json.load(open(f"{t}/{k}/report.json")) for k in ("small", "direct")}
def iv(x, f="%.3g"):
    return (f % x["mean"]) + " [" + (f % x["lo"]) + ", " + (f % x["hi"]) + "]"
for k in rep:
    sc = rep[k]["scenario"]
    print(f"{k}: {sc['simulated_jobs_per_day']:.4g} jobs/day simulated, scale factor {sc['scale_factor']:.6g}")
print()
print("| variant | facility MWh/day scaled | direct | saving MWh/day scaled | direct | CO2 saving t/day scaled | direct | mean wait s scaled | direct |")
print("|---|---|---|---|---|---|---|---|---|")
vs = {k: {v["name"]: v for v in rep[k]["variants"]} for k in rep}
for name in vs["direct"]:
    a, b = vs["small"][name], vs["direct"][name]
    row = [name, iv(a["per_day"]["facility_energy_mwh"]), iv(b["per_day"]["facility_energy_mwh"])]
    for key in ("facility_energy_mwh_per_day", "co2_t_per_day"):
        sa, sb = a.get("saving_vs_baseline", {}).get(key), b.get("saving_vs_baseline", {}).get(key)
        row += [iv(sa) if sa else "-", iv(sb) if sb else "-"]
    row += [iv(a["totals"]["mean_wait_s"]), iv(b["totals"]["mean_wait_s"])]
    print("| " + " | ".join(row) + " |")
PY
