#!/usr/bin/env bash
# cli_simulate: `wattscale simulate` end to end: help, validation messages naming the JSON path with
# exit 2, a hand-checked run (--json fields), outputs, the store, and byte-identical reruns.
# Args: $1 the wattscale binary, $2 the source directory.
set -u
BIN=$1
SRC=$2
. "$SRC/tests/lib_cli.sh"
cd "$T"

"$BIN" simulate --help >help.txt
check "--help exits 0 and shows usage" grep -q "usage: wattscale simulate SCENARIO" help.txt
"$BIN" simulate >/dev/null 2>&1
check "no scenario: exit 2" test $? -eq 2
"$BIN" simulate nope.json --no-store 2>err.txt
check "missing file: exit 2" test $? -eq 2

cat >bad.json <<'J'
{"sites": [{"name": "A", "carbon_g_per_kwh": 1, "nodes": [{"type": "c", "count": 1, "cores": 4, "power": {"model": "linear", "idle_w": 1, "max_w": 2}}]},
           {"name": "B", "carbon_g_per_kwh": 1, "nodes": [{"type": "c", "count": 0, "cores": 4, "power": {"model": "linear", "idle_w": 1, "max_w": 2}}]}],
 "workload": {"trace": "t.csv"}, "horizon": "makespan"}
J
"$BIN" simulate bad.json --db s.db 2>err.txt
rc=$?
check "validation: exit 2" test $rc -eq 2
check "validation: FILE: path: message" grep -qx "bad.json: sites\[1\].nodes\[0\].count: must be > 0" err.txt
check "validation: nothing stored" test ! -e s.db

printf 'job_id,submit_s,runtime_s,cores\n1,0,100,2\n2,50,100,4\n' >t.csv
cat >s.json <<'J'
{"sites": [{"name": "A", "pue": 1.5, "carbon_g_per_kwh": 100, "nodes": [{"type": "c", "count": 1, "cores": 4, "power": {"model": "linear", "idle_w": 100, "max_w": 300}}]}],
 "workload": {"trace": "t.csv"}, "horizon": "makespan"}
J
"$BIN" simulate s.json --json --db s.db --out out1 --jobs-out jobs1.csv >run.json
check "run: exit 0" test $? -eq 0
check "json: it_energy_j 50000" grep -Eq '"it_energy_j":[[:space:]]+50000,' run.json
check "json: facility_energy_j 75000" grep -Eq '"facility_energy_j":[[:space:]]+75000,' run.json
check "json: makespan_s 200" grep -Eq '"makespan_s":[[:space:]]+200,' run.json
check "json: p95_wait_s 50" grep -Eq '"p95_wait_s":[[:space:]]+50,' run.json
check "json: mean_wait_s 25" grep -Eq '"mean_wait_s":[[:space:]]+25,' run.json
check "json: co2_kg" grep -Eq '"co2_kg":[[:space:]]+0.00208333' run.json
check "json: sites[]" grep -Eq '"sites":' run.json
check "json: synthetic false" grep -Eq '"synthetic":[[:space:]]+false' run.json
check "json: run_id 1" grep -Eq '"run_id":[[:space:]]+1$' run.json
check "hourly.csv written" grep -q "^2020-01-01T00:00:00Z,A,200," out1/hourly.csv
check "jobs csv: job 2 starts at 100" grep -q "^2,trace,A,c,0,1,4,0,50.000000,100.000000,200.000000,50.000000,0$" jobs1.csv
"$BIN" simulate s.json --db s.db >text.txt
check "text: stored run 2" grep -q "stored    run 2 in s.db" text.txt

# a malformed trace line: FILE:LINE, exit 2
printf 'job_id,submit_s,runtime_s,cores\n1,0,100,2\n2,x,100,4\n' >t.csv
"$BIN" simulate s.json --no-store 2>err.txt >/dev/null
check "bad trace: exit 2" test $? -eq 2
check "bad trace: FILE:LINE" grep -q "t.csv:3: submit_s: 'x' is not a number" err.txt

# the shipped example: synthetic, same seed -> byte-identical outputs; another seed differs
SC="$SRC/scenarios/lhc-grid.json"
"$BIN" simulate "$SC" --no-store --json --out a --jobs-out a.csv >a.json
check "example runs" test $? -eq 0
check "example says synthetic" grep -Eq '"synthetic":[[:space:]]+true' a.json
check "hourly says synthetic" grep -q "^# synthetic" a/hourly.csv
"$BIN" simulate "$SC" --no-store --json --out b --jobs-out b.csv >b.json
check "same seed: identical summary" cmp -s a.json b.json
check "same seed: identical hourly" cmp -s a/hourly.csv b/hourly.csv
check "same seed: identical jobs" cmp -s a.csv b.csv
"$BIN" simulate "$SC" --no-store --json --seed 7 >c.json
check "other seed: different" bash -c '! cmp -s a.json c.json'
"$BIN" simulate "$SC" --no-store --seed -3 2>/dev/null
check "bad --seed: exit 2" test $? -eq 2

# Outputs are whole or absent: a file that cannot be written (here its name is taken by a folder, as a full
# disk would refuse it) is named, the exit status is 1, and no temporary or cut file is left.
mkdir -p "$T/unwritable/hourly.csv"
"$BIN" simulate "$SC" --no-store --out "$T/unwritable" >/dev/null 2>"$T/err"
check "unwritable output: exit 1" test $? -eq 1
check "unwritable output: the file is named" grep -q "unwritable/hourly.csv: cannot write" "$T/err"
check "unwritable output: no temporary left" test ! -e "$T/unwritable/hourly.csv.tmp"
check "unwritable output: summary not written either" test ! -e "$T/unwritable/summary.json"
finish cli_simulate
