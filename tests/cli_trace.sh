#!/usr/bin/env bash
# cli_trace: the shipped REAL trace (data/workloads/NASA-iPSC-1993-3-first228.swf, a leading part of
# the Parallel Workloads Archive log NASA-iPSC-1993-3) runs through `wattscale simulate`: the job
# counts match a count made independently with awk over the file, nothing is reported as synthetic,
# and the file is still the bytes recorded in data/workloads/PROVENANCE.md.
# Args: $1 the wattscale binary, $2 the source directory.
set -u
WS=$1
SRC=$2
. "$SRC/tests/lib_cli.sh"
export SOURCE_DATE_EPOCH=1767225600
SWF=$SRC/data/workloads/NASA-iPSC-1993-3-first228.swf
SCEN=$SRC/scenarios/pwa-trace.json

check "trace is the recorded bytes (PROVENANCE.md sha256)" sh -c \
    "sha256sum '$SWF' | grep -q '^1f7cee070d1bf138281ed6d0b0a747ac3d8dd02ea5c2447b2471fdc800f34adf '"

# Independent count, the reader's rule (scenarios/README.md): a record is a job when its submit time
# (field 2) and run time (field 4) are >= 0 and it has processors (field 5 allocated, else field 8
# requested, > 0); every other record is skipped and counted.
read -r WANT_JOBS WANT_SKIPPED <<<"$(awk '!/^[ \t]*;/ && NF > 0 {
        p = ($5 > 0) ? $5 : $8
        if ($2 >= 0 && $4 >= 0 && p > 0) j++; else s++
    } END { print j + 0, s + 0 }' "$SWF")"
# The simpler rule (run time > 0 and processors > 0) gives the same count on this file.
SIMPLE=$(awk '!/^[ \t]*;/ && NF > 0 && $4 > 0 && ($5 > 0 || $8 > 0) { n++ } END { print n + 0 }' "$SWF")
check "independent counts agree ($WANT_JOBS jobs, $WANT_SKIPPED skipped)" test "$WANT_JOBS" -eq "$SIMPLE" -a "$WANT_JOBS" -gt 0

# The shipped what-if scenario (fifo baseline + easy-backfill variant), as a user runs it.
"$WS" simulate "$SCEN" --no-store --json --plots "$T/plots" >"$T/report.json" 2>"$T/err"
check "simulate pwa-trace.json exits 0" test $? -eq 0
check "what-if report: every variant ran every trace job, not synthetic" /usr/bin/python3 -c "
import json
r = json.load(open('$T/report.json'))
assert r['synthetic_workload'] is False, r['synthetic_workload']
names = [v['name'] for v in r['variants']]
assert names == ['baseline', 'easy-backfill'], names
for v in r['variants']:
    t = v['totals']
    assert t['jobs_arrived']['mean'] == $WANT_JOBS, (v['name'], t['jobs_arrived'])
    assert t['jobs']['mean'] == $WANT_JOBS, (v['name'], t['jobs'])
files = [f['path'] for f in r['inputs']['files'] if f['what'] == 'workload trace']
assert len(files) == 1 and files[0].endswith('data/workloads/NASA-iPSC-1993-3-first228.swf'), files
"
check "no SYNTHETIC warning on stderr" sh -c "! grep -qi synthetic '$T/err'"
check "figures written" test -s "$T/plots/pwa-trace-savings.png" -a -s "$T/plots/pwa-trace-co2-vs-wait.svg"

# The baseline alone (variants and replicas removed, relative paths made absolute): the plain summary
# says "synthetic": false and how many records the reader skipped.
scenario_copy "$SRC/scenarios/pwa-trace.json" "$T/baseline.json" \
    'for k in ("variants", "replicas", "projection"): d.pop(k, None)'
"$WS" simulate "$T/baseline.json" --no-store --json >"$T/summary.json" 2>"$T/err2"
check "simulate the baseline exits 0" test $? -eq 0
check "summary says \"synthetic\": false" grep -q '"synthetic":[[:space:]]*false' "$T/summary.json"
check "summary: jobs and skipped records match the awk count" /usr/bin/python3 -c "
import json
s = json.load(open('$T/summary.json'))
assert s['synthetic'] is False
assert s['jobs'] == $WANT_JOBS, s['jobs']
assert s['trace_skipped'] == $WANT_SKIPPED, s['trace_skipped']
"
"$WS" simulate "$T/baseline.json" --no-store >"$T/summary.txt" 2>&1
check "text output has no SYNTHETIC line" sh -c "! grep -q SYNTHETIC '$T/summary.txt'"

finish cli_trace
