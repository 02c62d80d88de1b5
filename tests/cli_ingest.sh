#!/usr/bin/env bash
# cli_ingest: `wattscale ingest/profiles/show` as a user drives them: exit statuses, FILE:LINE
# messages, one transaction per file (a bad file leaves the store unchanged), re-ingest is a no-op,
# the JSON keys the issue promises, and the notebook view.
set -u
WS=$1
SRC=$2
. "$SRC/tests/lib_cli.sh"
export WATTSCALE_DB="$T/ws.db"
count() { sqlite3 "$WATTSCALE_DB" "SELECT (SELECT count(*) FROM sources)||'/'||(SELECT count(*) FROM profiles)||'/'||(SELECT count(*) FROM samples)"; }

H100=$SRC/data/measured/h100
"$WS" ingest --job fp32_gpu_b512 --arch "NVIDIA H100 80GB HBM3" "$H100/power_fp32_gpu_b512_r0.csv" >"$T/out" 2>"$T/err"
check "ingest ok" test $? -eq 0
check "store has 1 source, 1 profile, 283 samples" test "$(count)" = "1/1/283"
before=$(count)

# A file with a bad row in the middle: exit 2, FILE:LINE: field: message, nothing stored from it.
{ head -50 "$H100/power_fp64_gpu_b512_r0.csv"; echo "2026/11/22 10:11:25.000,-3.0,0,0"; tail -n +51 "$H100/power_fp64_gpu_b512_r0.csv"; } >"$T/bad.csv"
"$WS" ingest "$T/bad.csv" >"$T/out" 2>"$T/err"
check "bad file exits 2" test $? -eq 2
check "message names file, line and field" grep -q "^$T/bad.csv:51: power.draw: negative power" "$T/err"
check "store unchanged after bad file" test "$(count)" = "$before"

# A good file and a bad file in one call: the good one lands, the bad one does not, status 2.
"$WS" ingest "$H100/power_fp64_gpu_b512_r0.csv" "$T/bad.csv" >"$T/out" 2>"$T/err"
check "mixed call exits 2" test $? -eq 2
check "good file of a mixed call stored" test "$(count)" = "2/2/579"

# Re-ingesting the same bytes is a no-op that says so.
"$WS" ingest "$H100/power_fp32_gpu_b512_r0.csv" >"$T/out" 2>"$T/err"
check "re-ingest exits 0" test $? -eq 0
check "re-ingest says so" grep -q "already ingested" "$T/err"
check "re-ingest stores nothing" test "$(count)" = "2/2/579"

# Wrong format forced: a CodeCarbon-less nvidia-smi log read as a jobs table.
"$WS" ingest --format jobs "$H100/power_amp_bf16_gpu_b512_r0.csv" >"$T/out" 2>"$T/err"
check "forced wrong format exits 2" test $? -eq 2
check "forced wrong format names the missing column" grep -q "power_amp_bf16_gpu_b512_r0.csv:1: job: required column missing" "$T/err"
"$WS" ingest --format nosuch "$H100/power_amp_bf16_gpu_b512_r0.csv" >/dev/null 2>&1
check "unknown format exits 2" test $? -eq 2
printf 'timestamp, power.draw [W]\n' >"$T/header_only.csv"
"$WS" ingest "$T/header_only.csv" >"$T/out" 2>"$T/err"
check "header-only file exits 2" test $? -eq 2
check "header-only file says no profile" grep -q "no profile found" "$T/err"
: >"$T/empty.csv"
"$WS" ingest "$T/empty.csv" >"$T/out" 2>"$T/err"
check "empty file exits 2 and says empty" grep -q "empty file" "$T/err"
"$WS" ingest "$T/does-not-exist.csv" >"$T/out" 2>"$T/err"
check "missing file exits 2" test $? -eq 2
check "store unchanged by all bad inputs" test "$(count)" = "2/2/579"

# --json: an array with the promised keys.
"$WS" ingest --json --arch h100 --job amp "$H100/power_amp_fp16_scaled_gpu_b512_r0.csv" >"$T/j.json" 2>"$T/err"
check "ingest --json exits 0" test $? -eq 0
check "ingest --json has the keys" /usr/bin/python3 -c "
import json,sys
a=json.load(open('$T/j.json'))
o=a[0]
for k in ('id','format','job','arch','duration_s','energy_j'): assert k in o, k
assert set(o['energy_j_by_component'])=={'cpu','gpu','ram'}
assert o['energy_j_by_component']['cpu'] is None and o['format']=='nvidia-smi'
assert abs(o['energy_j']-o['energy_j_by_component']['gpu'])<1e-9
"
"$WS" profiles --json >"$T/p.json"
check "profiles --json lists 3" /usr/bin/python3 -c "import json; assert len(json.load(open('$T/p.json')))==3"
"$WS" profiles --csv >"$T/p.csv"
check "profiles --csv has header + 3 rows" test "$(wc -l <"$T/p.csv")" -eq 4
"$WS" show 1 >"$T/show.txt"
check "show prints provenance" grep -q "sha256" "$T/show.txt"
"$WS" show 99 >/dev/null 2>&1
check "show of a missing id exits 2" test $? -eq 2
# The documented notebook view, read the way pandas would.
check "profile_energy view has J and kWh" /usr/bin/python3 -c "
import sqlite3, pandas as pd
df = pd.read_sql('SELECT * FROM profile_energy', sqlite3.connect('$WATTSCALE_DB'))
assert len(df)==3 and {'gpu_j','total_kwh','cpu_kwh','source_sha256'} <= set(df.columns)
assert abs(df.total_j[0]/3.6e6 - df.total_kwh[0]) < 1e-15
"
"$WS" --version | grep -q "^wattscale "
check "--version" test $? -eq 0
"$WS" ingest --help | grep -q "usage: wattscale ingest"
check "ingest --help" test $? -eq 0
"$WS" frobnicate >/dev/null 2>&1
check "unknown command exits 2" test $? -eq 2
# Plausibility: 822 kW in one machine's log (a real Eco2AI-fork file claimed that on a laptop) is refused,
# exit 2, the store unchanged; --allow-implausible stores it.
before=$(count)
printf 't_s,power_w\n0,100\n1,822000\n2,100\n' >"$T/implausible.csv"
"$WS" ingest "$T/implausible.csv" >/dev/null 2>"$T/err"
check "implausible power exits 2" test $? -eq 2
check "implausible power named, with the bound and the way out" grep -q "power_w: 822000 W is above 20000 W.*--allow-implausible" "$T/err"
check "implausible power: FILE:LINE" grep -q "implausible.csv:3: sample at t = 1 s" "$T/err"
check "implausible power: store unchanged" test "$(count)" = "$before"
"$WS" ingest --allow-implausible "$T/implausible.csv" >/dev/null 2>&1
check "--allow-implausible stores it" test $? -eq 0
printf 'timestamp, power.draw [W]\n2026/01/01 00:00:00.000, 5000 W\n2026/01/01 00:00:01.000, 100 W\n' >"$T/gpu5kw.csv"
"$WS" ingest "$T/gpu5kw.csv" >/dev/null 2>"$T/err"
check "5 kW on one GPU exits 2" test $? -eq 2
check "5 kW on one GPU: the GPU bound" grep -q "above 2000 W, the most one GPU draws" "$T/err"
printf 't_s,package-0,package-1\n0,200,210\n1,1500,220\n' >"$T/pkg.csv"
"$WS" ingest "$T/pkg.csv" >/dev/null 2>"$T/err"
check "1.5 kW on one CPU package exits 2" test $? -eq 2
check "1.5 kW on one CPU package: the package bound, at its line" grep -q "pkg.csv:3:.*above 1000 W, the most one CPU package draws" "$T/err"
# rm and --replace: all or nothing, in one transaction each.
printf 't_s,gpu_index,power_w\n0,0,100\n0,1,50\n1,0,100\n1,1,50\n' >"$T/two.csv"
"$WS" ingest -q "$T/two.csv"
ids=$("$WS" profiles --json | /usr/bin/python3 -c "import json,sys; print(' '.join(str(p['id']) for p in json.load(sys.stdin) if p['source']['path'].endswith('two.csv')))")
before=$(count)
"$WS" rm $ids 999999 >/dev/null 2>"$T/err"
check "rm with a missing id exits 2" test $? -eq 2
check "rm with a missing id removes nothing" test "$(count)" = "$before"
check "rm names the missing id" grep -q "no profile 999999" "$T/err"
"$WS" rm ${ids%% *} >/dev/null
check "rm one of a file's two profiles" test "$(sqlite3 "$WATTSCALE_DB" "SELECT count(*) FROM profiles p JOIN sources s ON s.id = p.source_id WHERE s.path LIKE '%two.csv'")" = 1
"$WS" ingest --replace "$T/two.csv" >"$T/out"
check "ingest --replace says so" grep -q "replacing what it gave before" "$T/out"
check "ingest --replace: both profiles again, once" test "$(sqlite3 "$WATTSCALE_DB" "SELECT count(*) FROM profiles p JOIN sources s ON s.id = p.source_id WHERE s.path LIKE '%two.csv'")" = 2
"$WS" rm $("$WS" profiles --json | /usr/bin/python3 -c "import json,sys; print(' '.join(str(p['id']) for p in json.load(sys.stdin) if p['source']['path'].endswith('two.csv')))") >/dev/null
"$WS" ingest "$T/two.csv" >"$T/out"
check "a file whose profiles were all removed can be ingested again" grep -q "2 profile(s)" "$T/out"
# --skip-bad-rows: strict by default; opt-in skips unreadable rows, counts them and names the first lines.
printf 't_s,power_w\n0,100\nx,100\n1,100\n2\n2,100\n' >"$T/bad_rows.csv"
before=$(count)
"$WS" ingest "$T/bad_rows.csv" >/dev/null 2>"$T/err"
check "a bad row refuses the file by default" test $? -eq 2
check "a bad row: FILE:LINE: field" grep -q "bad_rows.csv:3: time:" "$T/err"
check "a bad row: store unchanged" test "$(count)" = "$before"
"$WS" ingest --skip-bad-rows --json "$T/bad_rows.csv" >"$T/out" 2>"$T/err"
check "--skip-bad-rows stores the rest" /usr/bin/python3 -c "
import json; p = json.load(open('$T/out'))[0]
assert abs(p['energy_j'] - 200) < 1e-9, p
assert '2 unreadable row(s) skipped (--skip-bad-rows), lines 3, 5' in p['energy_note'], p['energy_note']"
check "--skip-bad-rows says so on stderr" grep -q "2 unreadable row(s) skipped" "$T/err"
# A real CodeCarbon file with one row cut short by hand (HAND-MADE corruption of a real file).
head -2 "$SRC/data/profiles/codecarbon/crystalgazers_v2.1_no_version.csv" >"$T/cc_bad.csv"
echo "2022-09-26T12:00:00,broken" >>"$T/cc_bad.csv"
tail -n +3 "$SRC/data/profiles/codecarbon/crystalgazers_v2.1_no_version.csv" >>"$T/cc_bad.csv"
"$WS" ingest -q "$T/cc_bad.csv" 2>/dev/null
check "corrupt CodeCarbon row: refused by default" test $? -eq 2
"$WS" ingest -q --skip-bad-rows "$T/cc_bad.csv" 2>/dev/null
check "corrupt CodeCarbon row: skipped on request" test $? -eq 0
# Nothing lost under concurrency: 8 ingests at once into a store that does not exist yet (the schema is
# made once, under a write transaction), then 8 more into it (writers queue for the lock).
mkdir -p "$T/conc"
for k in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do
    /usr/bin/python3 -c "
print('t_s,power_w')
for s in range(20000): print(f'{s},{100 + $k}')" >"$T/conc/f$k.csv"
done
for k in 1 2 3 4 5 6 7 8; do "$WS" ingest -q --db "$T/conc/new.db" "$T/conc/f$k.csv" 2>>"$T/conc/err" & done
wait
check "8 concurrent ingests into a new store: 8 files stored" test "$(sqlite3 "$T/conc/new.db" "SELECT count(*) FROM sources")" = 8
for k in 9 10 11 12 13 14 15 16; do "$WS" ingest -q --db "$T/conc/new.db" "$T/conc/f$k.csv" 2>>"$T/conc/err" & done
wait
check "8 more at once into the existing store: 16 files stored" test "$(sqlite3 "$T/conc/new.db" "SELECT count(*) FROM sources")" = 16
check "concurrent ingests: no error" test ! -s "$T/conc/err"
# A UTF-8 byte-order mark is accepted in every CSV format; the documented t_s,energy_j layout is sniffed.
printf '\xef\xbb\xbft_s,power_w\n0,100\n1,100\n' >"$T/bom_plain.csv"
printf '\xef\xbb\xbftimestamp, power.draw [W]\n2026/01/01 00:00:00.000, 100 W\n2026/01/01 00:00:01.000, 100 W\n' >"$T/bom_nvsmi.csv"
printf 't_s,energy_j\n0,100\n10,600\n' >"$T/counter.csv"
for f in bom_plain bom_nvsmi counter; do
    "$WS" ingest --json "$T/$f.csv" >"$T/out" 2>"$T/err"
    check "$f.csv ingested" test $? -eq 0
done
check "t_s,energy_j: the counter's difference" /usr/bin/python3 -c "
import json; p = json.load(open('$T/out'))[0]; assert p['energy_j'] == 500, p"
# Global options before the command, as git's: --db PATH and -C DIR.
"$WS" --db "$T/global.db" ingest -q "$T/two.csv"
check "--db before the command: stored there" test "$(sqlite3 "$T/global.db" "SELECT count(*) FROM profiles")" = 2
check "-C DIR --db=PATH before the command" sh -c "'$WS' -C '$T' --db=global.db profiles | grep -c wattscale-csv | grep -q 2"
"$WS" -C "$T/nowhere" profiles 2>/dev/null
check "-C to a missing folder exits 2" test $? -eq 2
# A store this user may only read is readable (it failed before: WAL was switched on at open). As root,
# another user (nobody) reads a copy in a folder it cannot write.
if [ "$(id -u)" -eq 0 ] && command -v runuser >/dev/null && id nobody >/dev/null 2>&1; then
    RO=$(mktemp -d)
    chmod 755 "$RO"
    cp "$WS" "$RO/wattscale" && cp "$T/global.db" "$RO/ro.db" && chmod 444 "$RO/ro.db" && chmod 755 "$RO/wattscale"
    runuser -u nobody -- "$RO/wattscale" --db "$RO/ro.db" profiles >"$RO/out" 2>"$RO/err"
    check "read-only store: profiles listed by a user who may not write it" grep -q "wattscale-csv" "$RO/out"
    runuser -u nobody -- "$RO/wattscale" --db "$RO/ro.db" ingest "$T/bom_plain.csv" >/dev/null 2>"$RO/err"
    check "read-only store: writing is refused" test $? -ne 0
    rm -rf "$RO"
else
    echo "skip read-only store test: needs root, runuser and a 'nobody' user"
fi
finish cli_ingest
