#!/usr/bin/env bash
# cli_sweep_batch: sweeps as job arrays without a batch system: `--emit slurm` writes an sbatch script
# whose array tasks are run here one by one (SLURM_ARRAY_TASK_ID set by hand), `--emit htcondor` a submit
# description that a small parser (the submit language's key = value, "..." arguments with '...' quoting,
# $(points) and `queue points from FILE`) turns into the commands it would run; HTCondor itself is not
# in Debian, so this parser test is all it gets. `--merge` must give sweep.csv, sweep.json, the store
# row and the figures byte-identical to the serial run; missing, corrupt and stale parts are named,
# nothing is written, and the rerun files (rerun.txt, sweep-rerun.sub) bring back exactly those points.
# Also: --point K-L ranges, grids of more than 1000 points cut into ranges, a changed scenario refused.
# Args: $1 the wattscale binary, $2 the source directory.
set -u
BIN=$1
SRC=$2
. "$SRC/tests/lib_cli.sh"
cd "$T"
export WATTSCALE_DB="$T/ws.db"
mkdir work
cp "$SRC/scenarios/sweep-example.json" work/
cp -r "$SRC/data" .
cd work # the scenario as "sweep-example.json", its data as "../data/...": relative paths are kept as given

"$BIN" sweep sweep-example.json --out ref --plots pref >/dev/null 2>&1
check "serial reference: exit 0" test $? -eq 0

# ---- Slurm, tasks run here ----
"$BIN" sweep sweep-example.json --emit slurm b1 >emit.txt 2>&1
check "emit slurm: exit 0" test $? -eq 0
check "emit slurm: names the submit command" grep -qx "submit    sbatch $T/work/b1/sweep.sbatch" emit.txt
check "emit slurm: 6 tasks" grep -qx "#SBATCH --array=0-5" b1/sweep.sbatch
check "emit slurm: runs in the working folder" grep -qx "#SBATCH --chdir=$T/work" b1/sweep.sbatch
check "emit slurm: one point per line" test "$(paste -sd' ' b1/tasks.txt)" = "0 1 2 3 4 5"
check "emit slurm: the task command" grep -q "^exec '.*/wattscale' sweep 'sweep-example.json' --point \"\$points\" --out '$T/work/b1/parts' --db '$T/ws.db' --seed 2020 --quiet$" b1/sweep.sbatch
check "emit slurm: nothing stored" test "$(sqlite3 "$T/ws.db" "SELECT count(*) FROM runs")" = 1
for t in 0 1 2 3 4 5; do SLURM_ARRAY_TASK_ID=$t bash b1/sweep.sbatch 2>>tasks.err; done
check "slurm tasks: one part per point" test "$(ls b1/parts | grep -c '^point-[0-5]\.json$')" -eq 6
check "slurm tasks: no stderr" test ! -s tasks.err
SLURM_ARRAY_TASK_ID=6 bash b1/sweep.sbatch 2>err.txt
check "a task beyond tasks.txt: exit 2 with why" grep -q "no line 7 in $T/work/b1/tasks.txt" err.txt

mkdir elsewhere
(cd elsewhere && "$BIN" sweep --merge ../b1 --plots ../pm >../merge.txt 2>../merge.err)
check "merge from another folder: exit 0" test $? -eq 0
check "merge: sweep.csv byte-identical to serial" cmp -s ref/sweep.csv b1/sweep.csv
check "merge: sweep.json byte-identical to serial" cmp -s ref/sweep.json b1/sweep.json
check "merge: the table as the serial run prints it" bash -c "diff <(sed -n '1,13p' merge.txt) <(\"$BIN\" sweep sweep-example.json --no-store --no-plots --out ref2 2>/dev/null | sed -n '1,13p')"
check "merge: stored as run 2 of kind sweep" grep -q "^stored    run 2 (kind sweep)" merge.txt
same_row() { test "$(sqlite3 "$T/ws.db" "SELECT count(DISTINCT kind || scenario_path || scenario_sha256 || seed || json_remove(summary_json, '\$.run_id')) FROM runs WHERE id IN (1, 2)")" = 1; }
check "merge: the store row equals the serial one (but its id)" same_row
for f in pref/*.png pref/*.svg; do
    check "merge: figure $(basename "$f") byte-identical" cmp -s "$f" "pm/$(basename "$f")"
done

# Missing and broken parts: named, nothing written, rerun alone.
rm b1/sweep.csv b1/sweep.json b1/parts/point-3.json
echo '{"wattscale_sweep_part": 1, "row": {' >b1/parts/point-4.json
"$BIN" sweep --merge b1 --no-plots >/dev/null 2>err.txt
check "missing parts: exit 2" test $? -eq 2
check "missing parts: named" grep -q "^wattscale sweep: 2 of 6 parts missing or unreadable in b1/parts: point(s) 3, 4$" err.txt
check "missing parts: the rerun command" grep -q "rerun them alone with: sbatch --array=3,4 $T/work/b1/sweep.sbatch (or each with: wattscale sweep sweep-example.json --point K --out b1/parts)" err.txt
check "missing parts: no table written" test ! -e b1/sweep.csv -a ! -e b1/sweep.json
check "missing parts: nothing stored" test "$(sqlite3 "$T/ws.db" "SELECT count(*) FROM runs")" = 2
check "missing parts: rerun.txt" test "$(paste -sd' ' b1/rerun.txt)" = "3 4"
for t in 0 1; do SLURM_ARRAY_TASK_ID=$t WATTSCALE_TASKS=b1/rerun.txt bash b1/sweep.sbatch; done
"$BIN" sweep --merge b1 --no-plots --no-store >/dev/null 2>&1
check "after the rerun: merge exit 0" test $? -eq 0
check "after the rerun: byte-identical" cmp -s ref/sweep.csv b1/sweep.csv

# A part made with another seed is stale: named like a missing one.
"$BIN" sweep sweep-example.json --point 2 --seed 7 --out b1/parts 2>/dev/null
"$BIN" sweep --merge b1 --no-plots --no-store >/dev/null 2>err.txt
check "stale part (other seed): named" grep -q "1 of 6 parts missing or unreadable in b1/parts: point(s) 2$" err.txt

# One task for a range of points.
"$BIN" sweep sweep-example.json --emit slurm b2 >/dev/null
"$BIN" sweep sweep-example.json --point 0-5 --out b2/parts --seed 2020 2>/dev/null
check "--point 0-5: six parts" test "$(ls b2/parts | wc -l)" -eq 6
"$BIN" sweep --merge b2 --no-plots --no-store --out m2 >/dev/null 2>&1
check "--point range, merged into --out: byte-identical" cmp -s ref/sweep.json m2/sweep.json
"$BIN" sweep sweep-example.json --point 6 --out b2/parts >/dev/null 2>err.txt
check "--point beyond the grid: exit 2" grep -q "^wattscale sweep: --point: '6' is not K or K-L with 0 <= K <= L < 6" err.txt

# --seed and --replicas travel to the tasks and are checked by the merge.
"$BIN" sweep sweep-example.json --out ref5 --no-plots --no-store --seed 5 --replicas 3 >/dev/null 2>&1
"$BIN" sweep sweep-example.json --emit slurm b5 --seed 5 --replicas 3 >/dev/null
check "--seed/--replicas: in the task command" grep -q -- "--seed 5 --replicas 3 --quiet$" b5/sweep.sbatch
for t in 0 1 2 3 4 5; do SLURM_ARRAY_TASK_ID=$t bash b5/sweep.sbatch; done
"$BIN" sweep --merge b5 --no-plots --no-store >/dev/null 2>&1
check "--seed/--replicas: merge byte-identical to the serial run with them" cmp -s ref5/sweep.json b5/sweep.json
check "--seed/--replicas: differs from the default run" bash -c '! cmp -s ref/sweep.json b5/sweep.json'
"$BIN" sweep sweep-example.json --point 0 --seed 5 --out b5/parts 2>/dev/null
"$BIN" sweep --merge b5 --no-plots --no-store >/dev/null 2>err.txt
check "--seed/--replicas: a part without --replicas 3 is stale" grep -q "1 of 6 parts missing or unreadable in b5/parts: point(s) 0$" err.txt

# The scenario changed after --emit: refused.
cp sweep-example.json changed.json
"$BIN" sweep changed.json --emit slurm b3 >/dev/null
sed -i 's/"replicas": 2/"replicas": 3/' changed.json
"$BIN" sweep --merge b3 >/dev/null 2>err.txt
check "changed scenario: exit 2" test $? -eq 2
check "changed scenario: says so" grep -q "changed since the batch was written" err.txt

# More than 1000 points: the array is cut into ranges (Slurm's default MaxArraySize is 1001).
/usr/bin/python3 -c "
import json
d = json.load(open('sweep-example.json'))
d['sweep'] = {'sites[0].pue': [1 + i / 1000 for i in range(1100)]}
json.dump(d, open('big.json', 'w'))"
"$BIN" sweep big.json --emit slurm b4 >emit4.txt
check "1100 points: 550 tasks of 2" grep -qx "#SBATCH --array=0-549" b4/sweep.sbatch
check "1100 points: tasks.txt ranges" test "$(sed -n '1p;550p' b4/tasks.txt | paste -sd' ')" = "0-1 1098-1099"
check "1100 points: said" grep -q "550 task(s), 2 point(s) each at most, 1100 points" emit4.txt

# ---- HTCondor: the submit description, read by a parser ----
"$BIN" sweep sweep-example.json --emit htcondor h1 >emit_h.txt 2>&1
check "emit htcondor: exit 0" test $? -eq 0
check "emit htcondor: names condor_submit" grep -qx "submit    condor_submit $T/work/h1/sweep.sub" emit_h.txt
check "emit htcondor: queue from tasks.txt" grep -qx "queue points from $T/work/h1/tasks.txt" h1/sweep.sub
cat >condor_run.py <<'PY'
# The part of HTCondor's submit language the file uses: "key = value" lines, # comments, macros $(name)
# (the queue variable and ProcId), arguments in the new syntax (double-quoted, '...' for one argument),
# and one `queue VAR from FILE`. Runs what each job would run, in initialdir; fails on anything else.
import os, re, shlex, subprocess, sys
sub = {}
queue = None
for line in open(sys.argv[1]):
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    m = re.fullmatch(r"queue\s+(\w+)\s+from\s+(\S+)", line, re.I)
    if m:
        assert queue is None, "two queue statements"
        queue = m.groups()
        continue
    m = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_.+]*)\s*=\s*(.*)", line)
    assert m, "not a submit line: " + line
    sub[m.group(1).lower()] = m.group(2)
assert queue, "no queue statement"
need = {"universe", "executable", "arguments", "initialdir", "output", "error", "log"}
assert need <= sub.keys(), "missing: %s" % (need - sub.keys())
assert sub["universe"] == "vanilla" and os.path.isabs(sub["executable"]) and os.access(sub["executable"], os.X_OK)
args = sub["arguments"]
assert args.startswith('"') and args.endswith('"'), "arguments not in the new syntax"
var, items = queue
rc = 0
for proc, item in enumerate(l.strip() for l in open(items) if l.strip()):
    macros = {var.lower(): item, "procid": str(proc)}
    expand = lambda s: re.sub(r"\$\((\w+)\)", lambda m: macros[m.group(1).lower()], s)
    argv = [sub["executable"]] + shlex.split(expand(args[1:-1]))
    with open(expand(sub["output"]), "w") as out, open(expand(sub["error"]), "w") as err:
        rc |= subprocess.call(argv, cwd=sub["initialdir"], stdout=out, stderr=err)
    print(" ".join(argv[1:]))
sys.exit(rc)
PY
/usr/bin/python3 condor_run.py h1/sweep.sub >condor.txt 2>&1
check "htcondor jobs: exit 0" test $? -eq 0
check "htcondor jobs: 6 jobs, one point each" test "$(grep -c -- "--point [0-5] --out $T/work/h1/parts" condor.txt)" -eq 6
check "htcondor jobs: logs per job" test -e h1/logs/task-5.err
"$BIN" sweep --merge h1 --no-plots --no-store >/dev/null 2>&1
check "htcondor merge: byte-identical" cmp -s ref/sweep.csv h1/sweep.csv
rm h1/parts/point-5.json h1/parts/point-0.json
"$BIN" sweep --merge h1 --no-plots --no-store >/dev/null 2>err.txt
check "htcondor missing parts: the rerun submit file" grep -q "rerun them alone with: condor_submit $T/work/h1/sweep-rerun.sub" err.txt
/usr/bin/python3 condor_run.py h1/sweep-rerun.sub >condor2.txt 2>&1
check "htcondor rerun: only points 0 and 5" test "$(grep -o -- '--point [0-9]*' condor2.txt | paste -sd' ')" = "--point 0 --point 5"
"$BIN" sweep --merge h1 --no-plots --no-store >/dev/null 2>&1
check "htcondor after the rerun: byte-identical" cmp -s ref/sweep.json h1/sweep.json

finish cli_sweep_batch
