#!/usr/bin/env bash
# cli_whatif: the what-if chain as a user runs it: ingest the shipped measurements, simulate the
# shipped what-if scenario, render reports; same seed -> same bytes; a control variant saves exactly
# 0; bad variants exit 2 naming their JSON path; the example notebook executes against the outputs.
set -u
WS=$1
SRC=$2
. "$SRC/tests/lib_cli.sh"
export SOURCE_DATE_EPOCH=1767225600
H100=$SRC/data/measured/h100
run_chain() { # run_chain DIR THREADS: a fresh store, the measurements, the scenario with 3 replicas
    local d=$1 threads=$2
    mkdir -p "$d"
    "$WS" ingest -q --db "$d/ws.db" --arch "NVIDIA H100 80GB HBM3" --work-column 'samples_per_s*duration_s' \
        --work-unit samples "$H100"/jobs_r*.csv &&
        "$WS" ingest -q --db "$d/ws.db" --work 520000000 --work-unit samples "$SRC/data/studies/baler_t4_amp.csv" &&
        (cd "$d" && "$WS" simulate "$SRC/scenarios/lhc-baler-whatif-small.json" --db ws.db --replicas 3 --out out \
            --plots plots --threads "$threads" >stdout.txt 2>stderr.txt)
}
run_chain "$T/a" 1
check "chain runs" test $? -eq 0
run_chain "$T/b" 3 # the same runs spread over 3 threads: the same bytes
check "runs spread over threads" grep -q "on 3 threads" "$T/b/stderr.txt"
check "report JSON byte-identical for the same seed, 1 and 3 threads" cmp -s "$T/a/out/report.json" "$T/b/out/report.json"
check "report Markdown byte-identical" cmp -s "$T/a/out/report.md" "$T/b/out/report.md"
check "hourly series of every variant byte-identical" diff -r "$T/a/out" "$T/b/out"
for f in savings co2-vs-wait by-class power-carbon; do
    check "figure $f PNG and SVG written" test -s "$T/a/plots/lhc-baler-whatif-small-$f.png" -a -s "$T/a/plots/lhc-baler-whatif-small-$f.svg"
    check "figure $f byte-identical" cmp -s "$T/a/plots/lhc-baler-whatif-small-$f.png" "$T/b/plots/lhc-baler-whatif-small-$f.png"
done
check "the report says what it assumed and where numbers come from" /usr/bin/python3 -c "
import json
r = json.load(open('$T/a/out/report.json'))
v = {x['name']: x for x in r['variants']}
s = v['same-as-baseline']['saving_vs_baseline']['facility_energy_mwh_per_day']
assert s['mean'] == 0 and s['lo'] == 0 and s['hi'] == 0, s
assert any('ASSUMED' in a for a in r['assumptions'])
files = [f['path'] for f in r['inputs']['files']]
assert any(p.endswith('jobs_r1.csv') for p in files) and any(p.endswith('baler_t4_amp.csv') for p in files), files
assert all(f['sha256'] != 'unreadable' for f in r['inputs']['files'])
prov = {f['path'].split('/')[-1]: f['provenance'] for f in r['inputs']['files']}
assert prov['lwa_fr_ci.csv'] == 'cited' and prov['t4-power.json'] == 'assumed', prov
assert prov['h100-80gb-hbm3-power.json'] == 'measured' and prov['lhc-baler-whatif-small.json'] == 'given', prov
models = {(m['site'], m['group']): m['provenance'] for m in r['inputs']['models']}
assert models[('CERN', 'gpu-t4')] == 'assumed' and models[('CERN', 'gpu-h100')] == 'measured', models
t = [x for x in r['inputs']['tweaks'] if x['variant'] == 'amp-on-t4'][0]
assert abs(t['energy_factor']['mean'] - 0.143103 / 0.21273390494325) < 1e-9, t
assert r['scenario']['replicas'] == 3 and len(r['headline']) == len(r['variants']) - 1
"
# Figure paths in a report are as simulate wrote them (relative to where it ran).
check "report html is one file with the figures inside" sh -c "cd '$T/a' && '$WS' report 1 --db ws.db --format html | grep -q 'data:image/png;base64,'"
"$WS" report 1 --db "$T/a/ws.db" --format json >"$T/r.json"
check "report --format json is the stored report" cmp -s "$T/r.json" "$T/a/out/report.json"
(cd "$T/a" && "$WS" plot run 1 --db ws.db --out replot >/dev/null)
check "plot run redraws the same figures" cmp -s "$T/a/replot/lhc-baler-whatif-small-power-carbon.png" "$T/a/plots/lhc-baler-whatif-small-power-carbon.png"
check "plot run redraws the savings figure" cmp -s "$T/a/replot/lhc-baler-whatif-small-savings.png" "$T/a/plots/lhc-baler-whatif-small-savings.png"
"$WS" report 9 --db "$T/a/ws.db" >/dev/null 2>"$T/err"
check "report of a missing run exits 2" test $? -eq 2
printf '{"sites": [], "variants": [{"patch": {}}]}' >"$T/bad.json"
"$WS" simulate "$T/bad.json" --db "$T/bad.db" --plots "$T/p" >/dev/null 2>"$T/err"
check "bad what-if exits 2" test $? -eq 2
check "bad what-if names the JSON path" grep -q "bad.json.*sites" "$T/err"
# A copy outside the source tree: its relative paths made absolute, its variants replaced by a bad one.
scenario_copy "$SRC/scenarios/lhc-baler-whatif-small.json" "$T/bad_variant.json" \
    'd["variants"] = [{"name": "x", "tweaks": [{"class": "nope", "runtime_factor": 2}]}]'
"$WS" simulate "$T/bad_variant.json" --db "$T/a/ws.db" --no-store --plots "$T/p" >/dev/null 2>"$T/err"
rc=$?
check "unknown tweak class exits 2" test $rc -eq 2
check "unknown tweak class is named with its path" grep -q "variants\[0\].tweaks\[0\]: class: no class 'nope'" "$T/err"
scenario_copy "$SRC/scenarios/lhc-baler-whatif-small.json" "$T/bad_rests.json" \
    'd["variants"] = [{"name": "x", "rests_on": {"guessed": ["a"]}}]'
"$WS" simulate "$T/bad_rests.json" --db "$T/a/ws.db" --no-store --plots "$T/p" >/dev/null 2>"$T/err"
check "a rests_on label that is none of the four exits 2" test $? -eq 2
check "... and is named" grep -q "variants\[0\]: rests_on.guessed: is not one of measured, cited, given, assumed" "$T/err"
scenario_copy "$SRC/scenarios/lhc-baler-whatif-small.json" "$T/bad_rests2.json" \
    'd["variants"] = [{"name": "x", "rests_on": ["measured"]}]'
"$WS" simulate "$T/bad_rests2.json" --db "$T/a/ws.db" --no-store --plots "$T/p" >/dev/null 2>"$T/err"
check "rests_on as an array exits 2 (it crashed)" test $? -eq 2
check "... and says it must be an object" grep -q "variants\[0\]: rests_on: must be an object of string arrays" "$T/err"
if [ -z "${WATTSCALE_SANITIZED:-}" ] && command -v jupyter-nbconvert >/dev/null; then
    cp "$SRC/examples/wattscale_projection.ipynb" "$T/nb.ipynb"
    WATTSCALE_DB="$T/a/ws.db" WATTSCALE_REPORT="$T/a/out/report.json" WATTSCALE_FIGDIR="$T" \
        jupyter-nbconvert --to notebook --execute --output "$T/nb_out.ipynb" "$T/nb.ipynb" >"$T/nb.log" 2>&1
    check "the example notebook executes" test $? -eq 0
    check "the notebook redrew the savings figure" test -s "$T/notebook_savings.png"
fi
# Open MPI (when built with it and mpirun is there): the runs spread over 2 ranks, rank 0 alone writes,
# and the outputs are the bytes of one process.
if "$WS" sweep --mpi-info | grep -q "built with MPI" && command -v mpirun >/dev/null; then
    ROOT=()
    [ "$(id -u)" -eq 0 ] && ROOT=(--allow-run-as-root)
    export OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_rmaps_base_oversubscribe=1
    for d in s m; do mkdir -p "$T/$d"; done
    (cd "$T/s" && "$WS" simulate "$SRC/scenarios/lhc-baler-whatif-small.json" --db ../a/ws.db --no-store --replicas 3 \
        --threads 2 --out out --plots plots >stdout.txt 2>stderr.txt)
    (cd "$T/m" && timeout 300 mpirun "${ROOT[@]}" --oversubscribe -np 2 "$WS" simulate \
        "$SRC/scenarios/lhc-baler-whatif-small.json" --db ../a/ws.db --no-store --replicas 3 --threads 1 --out out \
        --plots plots >stdout.txt 2>stderr.txt)
    check "mpirun -np 2 simulate: exit 0" test $? -eq 0
    check "mpirun -np 2 simulate: runs spread over 2 ranks" grep -q "x 2 ranks" "$T/m/stderr.txt"
    check "mpirun -np 2 simulate: reports and hourly series byte-identical" diff -r "$T/s/out" "$T/m/out"
    check "mpirun -np 2 simulate: figures byte-identical" diff -r "$T/s/plots" "$T/m/plots"
    check "mpirun -np 2 simulate: printed once" cmp -s "$T/s/stdout.txt" "$T/m/stdout.txt"
else
    echo "skip MPI what-if comparison: not built with MPI, or no mpirun"
fi
finish cli_whatif
