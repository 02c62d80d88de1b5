#!/usr/bin/env bash
# cli_sweep_slurm: a sweep as a Slurm job array on a real Slurm. Starts a one-node cluster on this machine
# (munged with a fresh key, slurmctld and slurmd in the foreground, everything under a temporary folder,
# ports of its own), submits the array that `wattscale sweep --emit slurm` wrote with sbatch, waits for
# every task to complete, merges, and compares sweep.csv, sweep.json and the store row with the serial
# run; then deletes one part, lets the merge name it and submits the rerun command it prints, alone.
# The daemons are stopped on every exit. Runs once, in the build without sanitizers (WATTSCALE_SANITIZED
# unset); skipped, saying why, when Slurm or munge is not installed (scripts/install-deps.sh installs
# slurm-wlm and munge) or without root (slurmd must start jobs as their user).
# Args: $1 the wattscale binary, $2 the source directory.
set -u
BIN=$1
SRC=$2
if [ -n "${WATTSCALE_SANITIZED:-}" ]; then
    echo "skip cli_sweep_slurm: runs once, in the build without sanitizers"
    exit 0
fi
for b in slurmctld slurmd sbatch squeue scontrol sinfo munged; do
    if ! PATH=$PATH:/usr/sbin command -v "$b" >/dev/null; then
        echo "skip cli_sweep_slurm: $b is not installed (Debian: slurm-wlm and munge, scripts/install-deps.sh)"
        exit 0
    fi
done
if [ "$(id -u)" -ne 0 ]; then
    echo "skip cli_sweep_slurm: slurmd needs root"
    exit 0
fi
export PATH=$PATH:/usr/sbin
. "$SRC/tests/lib_cli.sh"
S=$T/slurm
pids=()
stop() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${pids[@]}"; do
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    pids=()
}
trap 'stop; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM
mkdir -p "$S/munge" "$S/state" "$S/spool" "$S/log"
chmod 711 "$S/munge"
head -c 1024 /dev/urandom >"$S/munge/munge.key"
chmod 600 "$S/munge/munge.key"
munged -F -f --key-file="$S/munge/munge.key" --socket="$S/munge/munge.sock" --pid-file="$S/munge/munged.pid" \
    --log-file="$S/log/munged.log" --seed-file="$S/munge/munged.seed" >"$S/log/munged.out" 2>&1 &
pids+=($!)
H=$(hostname -s)
PORT=$((20000 + RANDOM % 20000))
cat >"$S/slurm.conf" <<CONF
ClusterName=wattscaletest
SlurmctldHost=$H(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$S/munge/munge.sock
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/slurmctld.pid
SlurmdPidFile=$S/slurmd.pid
SlurmctldLogFile=$S/log/slurmctld.log
SlurmdLogFile=$S/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MinJobAge=600
KillWait=5
NodeName=$H NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=$H Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$S/slurm.conf
for _ in $(seq 50); do [ -S "$S/munge/munge.sock" ] && break; sleep 0.1; done
slurmctld -D -i >"$S/log/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -N "$H" >"$S/log/slurmd.out" 2>&1 &
pids+=($!)
up=no
for _ in $(seq 60); do
    [ "$(sinfo -h -n "$H" -o %T 2>/dev/null)" = idle ] && { up=yes; break; }
    sleep 0.5
done
check "slurm: the node is up and idle" test $up = yes
if [ $up != yes ]; then
    tail -20 "$S"/log/*
    finish cli_sweep_slurm
    exit 1
fi

# wait_job ID: until no task of the job is pending or running (at most 120 s); then every task
# completed with exit 0. Prints the task states.
wait_job() {
    for _ in $(seq 240); do
        [ -z "$(squeue -h -j "$1" 2>/dev/null)" ] && break
        sleep 0.5
    done
    scontrol -o show job "$1" | grep -o 'JobState=[A-Z_]* .*ExitCode=[0-9:]*' | sed 's/JobState=\([A-Z_]*\) .*ExitCode=\([0-9:]*\)/\1 \2/' | sort | uniq -c
}

cd "$T"
export WATTSCALE_DB="$T/ws.db"
EX=$SRC/scenarios/sweep-example.json
"$BIN" sweep "$EX" --out ref --no-plots >/dev/null 2>&1
check "serial reference: exit 0" test $? -eq 0
"$BIN" sweep "$EX" --emit slurm batch >/dev/null 2>&1
check "emit slurm: exit 0" test $? -eq 0
job=$(sbatch --parsable batch/sweep.sbatch 2>sbatch.err)
check "sbatch accepts the array" test -n "$job"
states=$(wait_job "$job")
echo "$states"
check "all 6 array tasks COMPLETED with exit 0" test "$(echo "$states" | tr -s ' ')" = " 6 COMPLETED 0:0"
check "a part per point, written by Slurm's tasks" test "$(ls batch/parts | grep -c '^point-[0-5]\.json$')" -eq 6
check "Slurm wrote each task's log" test -e batch/logs/task-5.out
"$BIN" sweep --merge batch --no-plots >merge.txt 2>&1
check "merge: exit 0" test $? -eq 0
check "merge: sweep.csv byte-identical to serial" cmp -s ref/sweep.csv batch/sweep.csv
check "merge: sweep.json byte-identical to serial" cmp -s ref/sweep.json batch/sweep.json
check "merge: the store row equals the serial one (but its id)" test "$(sqlite3 ws.db "SELECT count(DISTINCT kind || scenario_path || scenario_sha256 || seed || json_remove(summary_json, '\$.run_id')) FROM runs WHERE id IN (1, 2)")" = 1

# A lost part: named, and its rerun command (printed by the merge) resubmits it alone.
rm batch/parts/point-4.json batch/sweep.csv
"$BIN" sweep --merge batch --no-plots --no-store >/dev/null 2>err.txt
check "lost part: merge exit 2 naming it" grep -q "1 of 6 parts missing or unreadable in batch/parts: point(s) 4$" err.txt
rerun=$(sed -n 's/.*rerun them alone with: \(sbatch [^(]*\) (or each.*/\1/p' err.txt)
check "lost part: the rerun command is sbatch --array=4" test "$rerun" = "sbatch --array=4 $T/batch/sweep.sbatch"
job2=$(${rerun/sbatch/sbatch --parsable} 2>>sbatch.err)
states=$(wait_job "$job2")
check "rerun: one task COMPLETED" test "$(echo "$states" | tr -s ' ')" = " 1 COMPLETED 0:0"
"$BIN" sweep --merge batch --no-plots --no-store >/dev/null 2>&1
check "after the rerun: byte-identical" cmp -s ref/sweep.csv batch/sweep.csv
daemons=("${pids[@]}")
stop
alive() { for p in "${daemons[@]}"; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }
check "munged, slurmctld and slurmd are stopped" bash -c "$(declare -f alive); daemons=(${daemons[*]}); ! alive"
finish cli_sweep_slurm
