#!/usr/bin/env bash
# cli_sweep: `wattscale sweep` end to end: help, bad sweeps named "FILE: sweep.PATH: message" with exit
# 2, the shipped example (table rows, store run of kind "sweep", plots), byte-identical reruns, a failed
# point reported in the table and on stderr (exit 2), option errors from the ws_opt table, --timings per
# rank, and, when the binary was built with MPI, the same sweeps under `mpirun -np 2 --oversubscribe`
# (rank 0 schedules and computes) byte-compared with the serial output, with per-rank timings that add up.
# Args: $1 the wattscale binary, $2 the source directory.
set -u
BIN=$1
SRC=$2
. "$SRC/tests/lib_cli.sh"
cd "$T"
export WATTSCALE_DB="$T/ws.db"

"$BIN" sweep --help >help.txt
check "--help exits 0 and shows usage" grep -q "usage: wattscale sweep SCENARIO" help.txt
"$BIN" sweep >/dev/null 2>&1
check "no scenario: exit 2" test $? -eq 2
"$BIN" sweep --mpi-info >mpi.txt
check "--mpi-info exits 0" test $? -eq 0
check "--mpi-info says with or without MPI" grep -Eq "built (with|without) MPI" mpi.txt
check "--help lists the job-array options" grep -q -- "--emit KIND" help.txt
"$BIN" sweep x.json --replicas 0 >/dev/null 2>err.txt
check "--replicas 0: exit 2" test $? -eq 2
check "--replicas 0: the table's message" grep -q "^wattscale sweep: --replicas: '0' is not a whole number from 1 to 10000" err.txt
"$BIN" sweep x.json --seed 9007199254740993 >/dev/null 2>err.txt
check "--seed above 2^53: exit 2 with why" grep -q "^wattscale sweep: --seed: at most 9007199254740992" err.txt
"$BIN" sweep x.json --emit pbs d >/dev/null 2>err.txt
check "--emit pbs: refused" grep -q "^wattscale sweep: --emit: 'slurm' or 'htcondor'" err.txt
"$BIN" sweep x.json --emit slurm >/dev/null 2>err.txt
check "--emit without DIR: refused" grep -q "^wattscale sweep: --emit KIND needs SCENARIO and DIR" err.txt
"$BIN" sweep x.json --point 1 --merge d >/dev/null 2>err.txt
check "--point with --merge: refused" grep -q "^wattscale sweep: --emit, --point and --merge exclude each other" err.txt

# Bad sweeps: exit 2, FILE: sweep.PATH: message, nothing stored.
printf '{"seed": 1, "sites": [{"name": "A", "pue": 1}]}\n' >nosweep.json
"$BIN" sweep nosweep.json 2>err.txt >/dev/null
check "no sweep object: exit 2" test $? -eq 2
check "no sweep object: message" grep -q '^nosweep.json: sweep: the scenario needs a "sweep" object' err.txt
printf '{"seed": 1, "sites": [{"name": "A", "pue": 1}], "sweep": {"sites[2].pue": [1, 2]}}\n' >badpath.json
"$BIN" sweep badpath.json 2>err.txt >/dev/null
check "bad path: exit 2" test $? -eq 2
check "bad path: FILE: sweep.PATH: message" grep -qx 'badpath.json: sweep.sites\[2\].pue: no such place in the scenario' err.txt
printf '{"seed": 1, "sites": [{"name": "A", "pue": 1}], "sweep": {"sites[0].pue": 1.2}}\n' >notarray.json
"$BIN" sweep notarray.json 2>err.txt >/dev/null
check "values not an array: exit 2" grep -q "sweep.sites\[0\].pue: must be a non-empty array" err.txt
check "bad sweeps: nothing stored" test ! -e ws.db

# The shipped example: 3 rates x 2 PUEs x (baseline + 1 variant), 2 replicas.
EX=$SRC/scenarios/sweep-example.json
"$BIN" sweep "$EX" --out s1 --plots p1 >out1.txt 2>err1.txt
check "example: exit 0" test $? -eq 0
check "example: 12 rows + header" test "$(wc -l <s1/sweep.csv)" -eq 13
check "example: header" grep -q '^point,workload.classes\[0\].rate_per_day,sites\[0\].pue,variant,energy_mwh_per_day,energy_mwh_per_day_lo,energy_mwh_per_day_hi,co2_t_per_day,' s1/sweep.csv
check "example: last point is (8000, 1.4), last key fastest" grep -q '^5,8000,1.4,greenest-site,' s1/sweep.csv
check "example: every row ok" test "$(grep -c ',ok$' s1/sweep.csv)" -eq 12
check "example: timing on stderr" grep -q "^sweep: 6 points on 1 rank(s) in" err1.txt
check "example: no per-rank lines without --timings" bash -c '! grep -q "^sweep: rank" err1.txt'
check "example: sweep.json" /usr/bin/python3 -c "
import json
t = json.load(open('s1/sweep.json'))
assert t['points'] == 6 and t['failed'] == 0 and len(t['rows']) == 6
assert [a['path'] for a in t['axes']] == ['workload.classes[0].rate_per_day', 'sites[0].pue']
assert t['rows'][3]['values'] == {'workload.classes[0].rate_per_day': 2000, 'sites[0].pue': 1.4}
v = t['rows'][0]['variants'][0]
assert v['name'] == 'baseline' and len(v['energy_mwh_per_day']) == 3
assert v['energy_mwh_per_day'][1] <= v['energy_mwh_per_day'][0] <= v['energy_mwh_per_day'][2]
"
check "example: stored as a run of kind sweep" test "$(sqlite3 ws.db "SELECT count(*) FROM runs WHERE kind='sweep' AND json_extract(summary_json, '\$.points') = 6")" = 1
# A report shows simulate and what-if runs: a sweep's id is refused by name (it printed an empty report
# with exit 0 before), and 'latest' skips sweeps.
"$BIN" report "$(sqlite3 ws.db "SELECT max(id) FROM runs WHERE kind='sweep'")" >/dev/null 2>err_report.txt
check "report of a sweep run exits 2" test $? -eq 2
check "report of a sweep run says why" grep -q "is a sweep run, which this command cannot show (a sweep.s results are the sweep.csv" err_report.txt
check "example: text says stored" grep -q "stored    run 1 (kind sweep)" out1.txt
for f in workload-classes-0-rate_per_day sites-0-pue; do
    check "plot $f png+svg" test -s "p1/sweep-example-sweep-$f.png" -a -s "p1/sweep-example-sweep-$f.svg"
done
"$BIN" sweep "$EX" --out s2 --no-plots --no-store --timings >/dev/null 2>err2.txt
check "rerun: byte-identical CSV" cmp -s s1/sweep.csv s2/sweep.csv
check "--timings: rank 0 ran all 6 points" grep -Eq "^sweep: rank 0: compute [0-9.]+ s, wait 0.000 s, communication 0.000 s, 6 point\(s\)$" err2.txt
check "rerun: byte-identical JSON" cmp -s s1/sweep.json s2/sweep.json
check "--no-store stores nothing" test "$(sqlite3 ws.db "SELECT count(*) FROM runs")" = 1
"$BIN" sweep "$EX" --out s3 --no-plots --no-store --seed 99 >/dev/null 2>&1
check "--seed changes the numbers" bash -c '! cmp -s s1/sweep.csv s3/sweep.csv'

# A failed point (PUE below 1) is reported, not lost: its row says why, the others run, exit 2.
/usr/bin/python3 -c "
import json
d = json.load(open('$EX'))
d['sweep'] = {'sites[0].pue': [1.2, 0.5, 1.3]}
d['sites'][0]['carbon_csv'] = '$SRC/data/carbon/lwa_fr_ci.csv'
d['sites'][1]['carbon_csv'] = '$SRC/data/carbon/lwa_ger_ci.csv'
json.dump(d, open('failing.json', 'w'))
"
"$BIN" sweep failing.json --out f1 --no-plots --no-store >/dev/null 2>errf.txt
check "failed point: exit 2" test $? -eq 2
check "failed point: on stderr with FILE: path" grep -q "^wattscale sweep: point 1 failed: failing.json: sites\[0\].pue" errf.txt
check "failed point: its row in the CSV" grep -q '^1,0.5,,,.*failing.json: sites\[0\].pue' f1/sweep.csv
check "failed point: the others ok" test "$(grep -c ',ok$' f1/sweep.csv)" -eq 4

# MPI: the same sweeps over 2 ranks must give the same bytes.
if grep -q "built with MPI" mpi.txt; then
    MPIRUN=$(command -v mpirun || true)
    if [ -z "$MPIRUN" ]; then
        echo "skip MPI comparison: the binary has MPI but mpirun is not on PATH (install openmpi-bin)"
    else
        ROOT=()
        [ "$(id -u)" -eq 0 ] && ROOT=(--allow-run-as-root)
        # Containers often forbid the ptrace-based single-copy path of the shared-memory transport.
        export OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_rmaps_base_oversubscribe=1
        mpi() { timeout 300 "$MPIRUN" "${ROOT[@]}" --oversubscribe -np 2 "$BIN" sweep "$@"; }
        mpi "$EX" --out m1 --plots pm --timings >outm.txt 2>errm.txt
        check "mpirun -np 2: exit 0" test $? -eq 0
        check "mpirun -np 2: ran on 2 ranks" grep -q "^sweep: 6 points on 2 rank(s)" errm.txt
        check "mpirun -np 2: --timings, one line per rank" test "$(grep -c '^sweep: rank [01]: compute' errm.txt)" -eq 2
        check "mpirun -np 2: the ranks' points add up to 6" test "$(sed -n 's/^sweep: rank .*, \([0-9]*\) point(s)$/\1/p' errm.txt | paste -sd+ | bc)" -eq 6
        check "mpirun -np 2: rank 0 computes too" grep -Eq "^sweep: rank 0: compute [0-9.]+ s, .*, [1-9][0-9]* point\(s\)$" errm.txt
        check "mpirun -np 2: CSV byte-identical to serial" cmp -s s1/sweep.csv m1/sweep.csv
        check "mpirun -np 2: JSON byte-identical to serial" cmp -s s1/sweep.json m1/sweep.json
        check "mpirun -np 2: stored once" test "$(sqlite3 ws.db "SELECT count(*) FROM runs WHERE kind='sweep'")" = 2
        check "mpirun -np 2: plots" test -s pm/sweep-example-sweep-sites-0-pue.png
        mpi failing.json --out mf --no-plots --no-store >/dev/null 2>errmf.txt
        check "mpirun -np 2: failed point exit 2" test $? -eq 2
        check "mpirun -np 2: failed point reported" grep -q "point 1 failed" errmf.txt
        check "mpirun -np 2: failing sweep byte-identical" cmp -s f1/sweep.csv mf/sweep.csv
        timeout 300 "$MPIRUN" "${ROOT[@]}" --oversubscribe -np 3 "$BIN" sweep "$EX" --out m3 --no-plots --no-store >/dev/null 2>&1
        check "mpirun -np 3: byte-identical (independent of N)" cmp -s s1/sweep.csv m3/sweep.csv
    fi
else
    echo "skip MPI comparison: this binary was built without MPI (WATTSCALE_MPI=OFF)"
fi

finish cli_sweep
