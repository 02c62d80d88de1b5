#!/usr/bin/env bash
# cli_fit: `wattscale fit / predict / tweak / plot fit` from the command line: exit codes, messages,
# no model written on error. Args: $1 = wattscale binary, $2 = source dir.
set -u
BIN=$1
SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
export SOURCE_DATE_EPOCH=1767225600
# Under ASan: fontconfig (through PLplot/cairo) keeps caches to exit; see lsan.supp.
export LSAN_OPTIONS="suppressions=$SRC/tests/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
DB="--db $T/w.db"
fails=0
check() { # check NAME EXPECTED_RC ACTUAL_RC
    if [ "$2" != "$3" ]; then echo "FAIL $1: exit $3, expected $2"; cat out err 2>/dev/null; fails=$((fails + 1)); fi
}
has() { # has NAME FILE TEXT
    grep -qF -- "$3" "$2" || { echo "FAIL $1: '$3' not in $2"; cat "$2"; fails=$((fails + 1)); }
}

# The H100 curve: auto chooses a parametric form within 5% at every point.
"$BIN" fit $DB --arch h100-80gb-hbm3 --table "$SRC/data/measured/h100/util_curve.csv" --model auto >out 2>err
check h100-auto 0 $?
has h100-auto out "read as percent"
has h100-auto out "chosen: poly3"
has h100-auto out "wrote models/h100-80gb-hbm3-power.json"
test -f models/h100-80gb-hbm3-power.json || { echo "FAIL: no model file"; fails=$((fails + 1)); }
[ "$(sqlite3 "$T/w.db" "SELECT count(*) FROM models WHERE family = 'power' AND form = 'poly3'")" = 1 ] ||
    { echo "FAIL: model not recorded in the store"; fails=$((fails + 1)); }

"$BIN" predict --model models/h100-80gb-hbm3-power.json --util 0.5 --json >out 2>err
check predict-json 0 $?
has predict-json out '"power_w":'
has predict-json out '"lo_w":'
"$BIN" predict --model models/h100-80gb-hbm3-power.json --util 50 >out 2>err
check predict-pct 0 $?
has predict-pct err "read as percent"
"$BIN" predict --model models/h100-80gb-hbm3-power.json --util 1.5x >out 2>err
check predict-bad 2 $?

"$BIN" fit $DB --arch h100 --table "$SRC/data/measured/h100/util_curve.csv" --json --out m.json >out 2>err
check fit-json 0 $?
has fit-json out '"form":	"poly3"'
test -f m.json || { echo "FAIL: --out not written"; fails=$((fails + 1)); }

# Bad input: exit 2, a message, no model written.
bad() { # bad NAME MESSAGE ARGS...
    local name=$1 msg=$2
    shift 2
    rm -f bad.json
    "$BIN" fit $DB --out bad.json "$@" >out 2>err
    check "$name" 2 $?
    has "$name" err "$msg"
    test ! -e bad.json || { echo "FAIL $name: a model was written"; fails=$((fails + 1)); }
}
printf 'load_pct,power_w\n0,100\n50,200\n100,290\n' >three.csv
bad too-few "needs at least" --arch x --table three.csv --model poly3
printf 'load_pct,power_w\n50,100\n50,101\n50,99\n' >one.csv
bad one-level "one utilisation" --arch x --table one.csv --model linear
printf 'load_pct,power_w\n0,100\n50,nan\n100,290\n' >nan.csv
bad nan "nan.csv:3: power_w:" --arch x --table nan.csv
printf 'a,b\n1,2\n' >nocol.csv
bad no-column "no utilisation column" --arch x --table nocol.csv
bad no-converge "did not converge" --arch x --table "$SRC/data/measured/h100/util_curve.csv" --model fan --max-iter 1
bad no-samples "no samples" --arch nothing-here
bad bad-form "--model" --arch x --table three.csv --model cubic
"$BIN" fit $DB >out 2>err
check no-arch 2 $?
"$BIN" fit --help >out 2>err
check help 0 $?

# TDP fallback: assumed everywhere.
"$BIN" fit $DB --arch "Intel(R) Xeon(R) Silver 4216 CPU @ 2.10GHz" --tdp-w 100 >out 2>err
check tdp 0 $?
has tdp out "ASSUMED"
has tdp models/xeon-silver-4216-power.json '"assumed":	true'
"$BIN" predict --model models/xeon-silver-4216-power.json --util 0.5 >out 2>err
has tdp-predict out "ASSUMED"
has tdp-predict out "75.0 W"

# Job family and tweak from ingested profiles.
"$BIN" ingest $DB --arch "NVIDIA H100 80GB HBM3" --work-column 'samples_per_s*duration_s' --work-unit samples \
    "$SRC/data/measured/h100/jobs_r0.csv" >out 2>err
check ingest-jobs 0 $?
"$BIN" fit $DB --family job --arch h100-80gb-hbm3 --job fp32_gpu_b512 >out 2>err
check job 0 $?
has job out "proportional"
has job out "interval unknown"
test -f models/h100-80gb-hbm3-job-fp32_gpu_b512.json || { echo "FAIL: no job model"; fails=$((fails + 1)); }
"$BIN" predict --model models/h100-80gb-hbm3-job-fp32_gpu_b512.json --work 2600000 >out 2>err
check job-predict 0 $?
"$BIN" ingest $DB "$SRC/data/studies/baler_t4_amp.csv" >out 2>err
"$BIN" fit $DB --family job --arch t4-xeon-silver-4216 --job normal_training --out bad.json >out 2>err
check job-no-work 2 $?
has job-no-work err "no profile carries work"
"$BIN" tweak $DB --baseline normal_training --variant amp_without_scaling --json >out 2>err
check tweak 0 $?
has tweak out '"ratio":	0.6726'
has tweak out '"interval_known":	false'
"$BIN" tweak $DB --baseline normal_training --variant nope >out 2>err
check tweak-unknown 2 $?

# Plot: PNG and SVG.
"$BIN" plot fit models/h100-80gb-hbm3-power.json --out figs >out 2>err
check plot 0 $?
test -s figs/h100-80gb-hbm3-power.png -a -s figs/h100-80gb-hbm3-power.svg || { echo "FAIL: no figures"; fails=$((fails + 1)); }
"$BIN" plot fit missing.json >out 2>err
check plot-missing 2 $?
"$BIN" plot nothing >out 2>err
check plot-kind 2 $?

# Fixed limits fail loudly: a job with more runs than fit keeps is refused, not fitted on a silent subset.
/usr/bin/python3 -c "
print('job,arch,duration_s,energy_j,work')
for i in range(257): print(f'big,testarch,{10 + i % 7},{1000 + i},{100 + i % 5}')" >"$T/big.csv"
"$BIN" ingest -q --db "$T/big.db" --work-unit samples "$T/big.csv"
"$BIN" fit --db "$T/big.db" --family job --arch testarch >out 2>err
check "more runs than fit keeps" 2 $?
has "more runs than fit keeps: said" err "has more than 256 runs"
# Model files land only after the store's commit, and a file that cannot land takes its row back:
# (a) --out names a folder: the rename fails, no row is left; (b) a store that refuses the write
# (a read-only copy) leaves no file.
mkdir -p "$T/isdir.json"
"$BIN" fit $DB --arch h100-80gb-hbm3 --table "$SRC/data/measured/h100/util_curve.csv" --out "$T/isdir.json" >out 2>err
check out-is-folder 1 $?
[ "$(sqlite3 "$T/w.db" "SELECT count(*) FROM models WHERE path = '$T/isdir.json'")" = 0 ] ||
    { echo "FAIL: a model row without its file"; fails=$((fails + 1)); }
ls "$T"/isdir.json.* >/dev/null 2>&1 && { echo "FAIL: temporary model file left"; fails=$((fails + 1)); }
cp "$T/w.db" "$T/ro.db" && chmod 0444 "$T/ro.db"
if [ "$(id -u)" != 0 ]; then # root writes anyway
    "$BIN" fit --db "$T/ro.db" --arch h100-80gb-hbm3 --table "$SRC/data/measured/h100/util_curve.csv" --out "$T/ro-model.json" >out 2>err
    check read-only-store 1 $?
    test -e "$T/ro-model.json" && { echo "FAIL: a model file without its row"; fails=$((fails + 1)); }
fi
"$BIN" fit $DB --arch h100 --tol 100 >out 2>err
check tol-out-of-range 2 $?
has tol-out-of-range err "--tol: '100' is not a percentage in (0, 100)"
"$BIN" fit $DB --arch h100 --family energy >out 2>err
check family-choice 2 $?
has family-choice err "--family: 'energy' is not one of power, job"

# Server family (HEPiX + SPECpower): a model, its CSV row, the refusal of a CPU without power rows, the
# held-out check, and the shipped models regenerated byte for byte (run from the source tree: the model
# files name their inputs by relative path).
HW="--hepix $SRC/data/hardware/hepix_hs23scores.csv --specpower $SRC/data/hardware/specpower_cloudjewels.csv --curves $SRC/data/hardware/specpower_curves.csv"
"$BIN" fit $DB --family server $HW --cpu '*EPYC 7763 64-Core*' --arch epyc-7763 --csv servers.csv >out 2>err
check server 0 $?
has server out "wrote models/server-epyc-7763.json, a row of servers.csv"
has server out "467.80 W  measured (HEPiX, mean of 1 row(s)"
has server out "103.16 W  0.2205 x full load, the median idle/full of 14 SPECpower results of AMD EPYC 7003 (Milan)"
has server servers.csv "AMD EPYC 7763 64-Core Processor,epyc-7763,epyc-7xx3,1,64,64,1584.60,24.7594,24.7594,103.16,467.80,0.40,0.295216,piecewise"
"$BIN" predict --model models/server-epyc-7763.json --util 1 >out 2>err
check server-predict 0 $?
has server-predict out "467.8 W"
"$BIN" fit $DB --family server $HW --cpu 'EPYC 7302 16-Core' --out bad.json >out 2>err
check server-no-power 2 $?
has server-no-power err "$SRC/data/hardware/hepix_hs23scores.csv: electric_power_mean: CPU 'AMD EPYC 7302 16-Core Processor' has no row with measured power"
test ! -e bad.json || { echo "FAIL server-no-power: a model was written"; fails=$((fails + 1)); }
"$BIN" fit $DB --family server $HW --cpu 'EPYC 9655' >out 2>err
check server-two-cpus 2 $?
has server-two-cpus err "matches rows of more than one CPU"
"$BIN" fit $DB --family server $HW --cpu '*EPYC 9655 96-Core*' >out 2>err
check server-configs 2 $?
has server-configs err "choose one with --sockets N and --smt on|off"
"$BIN" fit $DB --family server --table x.csv --cpu x >out 2>err
check server-table 2 $?
"$BIN" fit $DB --arch x --cpu x >out 2>err
check cpu-not-server 2 $?
"$BIN" fit --family server --check-holdout $HW >out 2>err
check holdout 0 $?
has holdout out "| 136 | AMD EPYC 9965 192-Core Processor | GridKa | 2 x 192, on | 14722.9 | 1 | 0.10432 | 1898.9 | 1535.9 | -19.1% |"
has holdout out "mean absolute percentage error over 12 held-out rows: 8.1%"
for m in epyc-9965 grace xeon-gold-6326; do
    (cd "$SRC" && "$BIN" --db "$T/regen.db" fit --family server --cpu "$(sed -n 's/^\t\t"cpu":\t"\(.*\)",$/\1/p' "models/server-$m.json" | head -1)" \
        --arch "$m" --out "$T/regen-$m.json") >out 2>err
    check "regen $m" 0 $?
    cmp -s <(grep -v fitted_at "$T/regen-$m.json") <(grep -v fitted_at "$SRC/models/server-$m.json") ||
        { echo "FAIL regen $m: differs from models/server-$m.json"; diff "$T/regen-$m.json" "$SRC/models/server-$m.json" | head; fails=$((fails + 1)); }
done

[ $fails = 0 ] && echo "cli_fit: all passed"
exit $((fails > 0))
