#!/usr/bin/env bash
# cli_measure: `wattscale measure` as a user drives it, against the fake NVML library (tests/fake_nvml.c,
# a constant 200 W whose energy counter runs on the clock) and fake powercap trees: the exit status passed
# through, Ctrl-C stores a partial run marked interrupted, a command that cannot run stores nothing, no
# driver (CPU only), MIG, unreadable RAPL said, --output ingestible with the same energy, options after
# the command left to it, and ranks that share a node not counted twice.
set -u
WS=$1
SRC=$2
. "$SRC/tests/lib_cli.sh"
FAKE=${WS_FAKE_NVML:?the fake NVML library}
export WATTSCALE_DB="$T/ws.db"
unset OMPI_COMM_WORLD_LOCAL_RANK OMPI_COMM_WORLD_LOCAL_SIZE OMPI_COMM_WORLD_RANK SLURM_LOCALID SLURM_PROCID \
    MPI_LOCALRANKID PMI_RANK PMIX_RANK CUDA_VISIBLE_DEVICES
q() { sqlite3 "$WATTSCALE_DB" "$1"; }
M=("$WS" measure --nvml-lib "$FAKE" --powercap-root "$T/no-powercap")

# 1. A GPU job: 200 W for ~1.5 s; exit status 3 passed through; energy = 200 W x duration (counter and
# integral); RAPL unreadable said, not guessed.
"${M[@]}" --job toy --work 10 --work-unit steps --interval-ms 50 -- sh -c 'sleep 1.5; exit 3' >"$T/out" 2>"$T/err"
check "exit status 3 passed through" test $? -eq 3
check "one profile stored" test "$(q 'SELECT count(*) FROM profiles')" = 1
check "format wattscale-measure" test "$(q 'SELECT format FROM profiles')" = wattscale-measure
check "job, arch, work" test "$(q "SELECT job||'|'||arch||'|'||work||'|'||work_unit FROM profiles")" = "toy|fake-gpu|10.0|steps"
check "duration ~1.5 s" test "$(q 'SELECT duration_s BETWEEN 1.45 AND 4 FROM profiles')" = 1
check "GPU energy = 200 W x duration (within 1%)" \
    test "$(q 'SELECT abs(energy_gpu_j / duration_s - 200) < 2 FROM profiles')" = 1
check "CPU not measured: NULL, not a guess" test "$(q 'SELECT energy_cpu_j IS NULL FROM profiles')" = 1
check "total = GPU" test "$(q 'SELECT energy_j = energy_gpu_j FROM profiles')" = 1
check "samples every ~50 ms (late ticks skipped on a busy machine)" test "$(q 'SELECT count(*) BETWEEN 12 AND 40 FROM samples')" = 1
check "note: counter and integrated" grep -q "measured: GPU .* J (NVML counter; integrated" <(q 'SELECT energy_note FROM profiles')
check "source says what was measured" grep -q "GPU 0 Fake GPU \[power, energy counter, utilisation\]" <(q 'SELECT path FROM sources')
check "summary says RAPL is unreadable" grep -q "CPU: no powercap tree at $T/no-powercap" "$T/err"
check "summary: counter vs integrated" grep -q "J measured (NVML energy counter), .* J integrated from power" "$T/err"
check "command output untouched" test ! -s "$T/out"
"$WS" show 1 >"$T/show" 2>&1
check "show prints the profile" grep -q "wattscale-measure" "$T/show"
"$WS" profiles >"$T/profiles" 2>&1
check "profiles lists it" grep -q "toy" "$T/profiles"

# 2. Options after the command are the command's; killed by a signal: 128 + signal.
"${M[@]}" --job opts sh -c 'test "$1" = --job && exit 5' zero --job >"$T/out" 2>"$T/err"
check "options after the command go to it" test $? -eq 5
"${M[@]}" --job sig -- sh -c 'kill -TERM $$' >"$T/out" 2>"$T/err"
check "killed by SIGTERM: 143" test $? -eq 143

# 3. A command that cannot run: 127, nothing stored.
n=$(q 'SELECT count(*) FROM profiles')
"${M[@]}" -- /nonexistent/command >"$T/out" 2>"$T/err"
check "command not found: 127" test $? -eq 127
check "not found said" grep -q "cannot run '/nonexistent/command': No such file or directory" "$T/err"
check "nothing stored" test "$(q 'SELECT count(*) FROM profiles')" = "$n"

# 4. Ctrl-C (SIGINT to wattscale): passed to the command, what was measured is stored, marked interrupted.
# (a background job of a script ignores SIGINT: env gives it back its default, as in a terminal)
# The signal goes once the command runs (a loaded machine, or a sanitizer build, may take seconds to start).
env --default-signal=INT "${M[@]}" --job long -- sh -c ": >'$T/long.started'; exec sleep 30" >"$T/out" 2>"$T/err" &
pid=$!
for _ in $(seq 600); do [ -e "$T/long.started" ] && break; sleep 0.05; done
kill -INT $pid
wait $pid
check "interrupted command: 130" test $? -eq 130
check "interrupted run stored" test "$(q "SELECT count(*) FROM profiles WHERE job = 'long'")" = 1
check "marked interrupted" grep -q "interrupted (SIGINT): partial run" <(q "SELECT energy_note FROM profiles WHERE job = 'long'")
check "stopped early" test "$(q "SELECT duration_s < 10 FROM profiles WHERE job = 'long'")" = 1

# Ctrl-C at a terminal: the terminal sends SIGINT to CMD itself (same process group); wattscale does not
# send it twice, and stores the run marked interrupted.
/usr/bin/python3 - "${M[@]}" --job tty -- sh -c 'echo started; exec sleep 30' >"$T/tty.out" 2>&1 <<'PY'
import os, pty, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out = b""
while b"started" not in out:  # ^C once the command runs, however slowly wattscale starts
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
os.write(fd, b"\x03")
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
print("exit", os.waitstatus_to_exitcode(status))
PY
check "Ctrl-C at a terminal: 130" grep -q "^exit 130" "$T/tty.out"
check "Ctrl-C at a terminal: stored, interrupted" \
    grep -q "interrupted (SIGINT): partial run" <(q "SELECT energy_note FROM profiles WHERE job = 'tty'")
# a command that counts its SIGINTs and then ends by itself: it got exactly one
/usr/bin/python3 - "${M[@]}" --job tty2 -- /usr/bin/python3 -c "
import signal, time
n = [0]
signal.signal(signal.SIGINT, lambda *a: n.__setitem__(0, n[0] + 1))
print('ready', flush=True)
end = time.time() + 2.5
while time.time() < end:
    time.sleep(0.05)
open('$T/ints', 'w').write(str(n[0]))
" >"$T/tty.out" 2>&1 <<'PY'
import os, pty, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
seen = b""
while b"ready" not in seen:  # ^C once the command's handler is in place, however slowly things start
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
os.write(fd, b"\x03")
while True:
    try:
        if not os.read(fd, 4096):
            break
    except OSError:
        break
_, status = os.waitpid(pid, 0)
print("exit", os.waitstatus_to_exitcode(status))
PY
check "Ctrl-C at a terminal reaches CMD once (not forwarded again)" test "$(cat "$T/ints" 2>/dev/null)" = 1
check "a command that handles Ctrl-C: its status 0, the run still marked interrupted" \
    test "$(grep -c "^exit 0" "$T/tty.out")$(q "SELECT energy_note LIKE '%interrupted (SIGINT)%' FROM profiles WHERE job = 'tty2'")" = 11

# 5. --output: wattscale-csv, ingestible into another store with the same energy.
"${M[@]}" --job out --output "$T/run.csv" -- sleep 1 2>"$T/err"
check "--output ok" test $? -eq 0
check "--output has the header" grep -q "^timestamp,power_w,util_pct,gpu_power_w,cpu_power_w,ram_power_w,energy_j$" "$T/run.csv"
WATTSCALE_DB="$T/other.db" "$WS" ingest "$T/run.csv" >"$T/out" 2>&1
check "--output ingests" test $? -eq 0
a=$(q "SELECT energy_j FROM profiles WHERE job = 'out'")
b=$(sqlite3 "$T/other.db" "SELECT energy_j FROM profiles")
check "same energy after ingest ($a vs $b J)" python3 -c "import sys; a, b = float('$a'), float('$b'); sys.exit(abs(a - b) > 1e-3 * a)"
check "ingested job name" test "$(sqlite3 "$T/other.db" 'SELECT job FROM profiles')" = out

# 6. No driver: CPU only, from a RAPL tree that is readable.
mkdir -p "$T/pc/intel-rapl:0"
echo package-0 >"$T/pc/intel-rapl:0/name"
echo 262143328850 >"$T/pc/intel-rapl:0/max_energy_range_uj"
echo 1000000 >"$T/pc/intel-rapl:0/energy_uj"
FAKE_NVML_INIT_FAIL=1 "$WS" measure --nvml-lib "$FAKE" --powercap-root "$T/pc" --job cpuonly -- true 2>"$T/err"
check "no driver: still runs" test $? -eq 0
check "no driver said" grep -q "NVML did not start (Driver Not Loaded)" "$T/err"
check "CPU only profile: 0 J package, no GPU" \
    test "$(q "SELECT energy_cpu_j || '|' || (energy_gpu_j IS NULL) FROM profiles WHERE job = 'cpuonly'")" = "0.0|1"
check "arch is the CPU when there is no GPU" test -n "$(q "SELECT arch FROM profiles WHERE job = 'cpuonly'")"
# neither: refused before running anything
FAKE_NVML_INIT_FAIL=1 "${M[@]}" -- sh -c "touch $T/ran" 2>"$T/err"
check "nothing to measure: exit 2" test $? -eq 2
check "nothing to measure: command not run" test ! -e "$T/ran"

# 7. MIG: whole-board power and counter, no utilisation, said.
FAKE_NVML_MIG=1 "${M[@]}" --job mig -- sleep 0.3 2>"$T/err"
check "MIG: ok" test $? -eq 0
check "MIG said" grep -q "MIG mode" "$T/err"
check "MIG: no utilisation stored" test "$(q "SELECT mean_util_pct IS NULL FROM profiles WHERE job = 'mig'")" = 1

# 8. Several GPUs, selection by index and UUID; an unknown GPU is bad input.
FAKE_NVML_GPUS=4 "${M[@]}" --job two --gpus 1,GPU-fake-0003 -- sleep 0.5 2>"$T/err"
check "two of four GPUs: ok" test $? -eq 0
check "two GPUs listed" test "$(grep -c "^  GPU [13] Fake GPU: " "$T/err")" = 2
check "two GPUs: ~400 W" test "$(q "SELECT abs(energy_gpu_j / duration_s - 400) < 8 FROM profiles WHERE job = 'two'")" = 1
FAKE_NVML_GPUS=2 "${M[@]}" --gpus 5 -- true 2>"$T/err"
check "unknown GPU: exit 2" test $? -eq 2

# 9. Ranks on one node: --scope node measures on local rank 0 only; the others run unmeasured.
n=$(q 'SELECT count(*) FROM profiles')
OMPI_COMM_WORLD_LOCAL_RANK=1 OMPI_COMM_WORLD_LOCAL_SIZE=2 "${M[@]}" -- sh -c 'exit 4' 2>"$T/err"
check "local rank 1: status passed" test $? -eq 4
check "local rank 1: nothing stored" test "$(q 'SELECT count(*) FROM profiles')" = "$n"
check "local rank 1: said" grep -q "measured by local rank 0" "$T/err"
FAKE_NVML_GPUS=2 OMPI_COMM_WORLD_LOCAL_RANK=0 OMPI_COMM_WORLD_LOCAL_SIZE=2 OMPI_COMM_WORLD_RANK=0 \
    "${M[@]}" --scope rank -- true 2>"$T/err"
check "--scope rank without the rank's GPUs: exit 2" test $? -eq 2
FAKE_NVML_GPUS=2 OMPI_COMM_WORLD_LOCAL_RANK=1 OMPI_COMM_WORLD_LOCAL_SIZE=2 OMPI_COMM_WORLD_RANK=3 \
    CUDA_VISIBLE_DEVICES=1 "${M[@]}" --scope rank --job ranked -- sleep 0.3 2>"$T/err"
check "--scope rank with CUDA_VISIBLE_DEVICES: ok" test $? -eq 0
check "rank profile: one GPU, run id names the rank" \
    test "$(q "SELECT abs(energy_gpu_j / duration_s - 200) < 4 AND run_id LIKE '%/rank3' FROM profiles WHERE job = 'ranked'")" = 1

n=$(q 'SELECT count(*) FROM profiles')
SLURM_LOCALID=2 SLURM_PROCID=6 "${M[@]}" -- sh -c 'exit 0' 2>"$T/err"
check "Slurm local rank 2: unmeasured" grep -q "local rank 2: the node is measured by local rank 0" "$T/err"
check "Slurm local rank 2: nothing stored" test "$(q 'SELECT count(*) FROM profiles')" = "$n"

# Under a real mpirun (Open MPI) on one node: --scope node stores one profile, --scope rank one per rank.
if command -v mpirun >/dev/null; then
    MPI=(mpirun --oversubscribe -np 2)
    [ "$(id -u)" = 0 ] && MPI+=(--allow-run-as-root)
    n=$(q 'SELECT count(*) FROM profiles')
    "${MPI[@]}" "${M[@]}" --job mpinode -- true >"$T/out" 2>&1
    check "mpirun, --scope node: one profile for the node" test "$(q "SELECT count(*) FROM profiles WHERE job = 'mpinode'")" = 1
    FAKE_NVML_GPUS=2 "${MPI[@]}" -x FAKE_NVML_GPUS sh -c 'CUDA_VISIBLE_DEVICES=$OMPI_COMM_WORLD_LOCAL_RANK exec "$@"' \
        sh "${M[@]}" --scope rank --job mpirank -- sleep 0.5 >"$T/out" 2>&1
    check "mpirun, --scope rank: one profile per rank, one GPU each (~200 W)" \
        test "$(q "SELECT count(*) || ' ' || sum(abs(energy_gpu_j / duration_s - 200) < 4) FROM profiles WHERE job = 'mpirank'")" = "2 2"
else
    echo "ok - (no mpirun here: the Open MPI runs were left out; the environment tests above still ran)"
fi

# 10. --work-file: the command counts its work; unreadable: said, no work stored.
"${M[@]}" --job counted --work-file "$T/work.txt" --work-unit events -- sh -c "echo 4242 >$T/work.txt" 2>"$T/err"
check "--work-file: work read after the command" \
    test "$(q "SELECT work || ' ' || work_unit FROM profiles WHERE job = 'counted'")" = "4242.0 events"
"${M[@]}" --job uncounted --work-file "$T/missing.txt" -- true 2>"$T/err"
check "--work-file missing: still stored" test "$(q "SELECT work IS NULL FROM profiles WHERE job = 'uncounted'")" = 1
check "--work-file missing: said" grep -q -- "--work-file: $T/missing.txt" "$T/err"

# 11. Bad input.
"$WS" measure --interval-ms 5 -- true 2>"$T/err"
check "interval below 10 ms: exit 2" test $? -eq 2
"$WS" measure --scope cluster -- true 2>"$T/err"
check "bad scope: exit 2" test $? -eq 2
"$WS" measure 2>"$T/err"
check "no command: exit 2" test $? -eq 2
finish cli_measure
