#!/usr/bin/env python3
"""Measure the jobs of data/measured/h200/ with `wattscale measure` on a real NVIDIA GPU, and read the
NVML total-energy counter independently around each `wattscale measure` call (this process, through
pynvml), to check what wattscale stores.

For each job (baler / toptag x fp32 / bf16 x two batch sizes, bench/measure/h200_jobs.py):
  e0 = nvmlDeviceGetTotalEnergyConsumption, t0 = time.monotonic()
  wattscale measure --db DB --job JOB --work-file F --work-unit samples --interval-ms 100 \
      --output OUT/measure_JOB.csv -- python3 bench/measure/h200_jobs.py ...
  e1, t1
then compares (e1 - e0) with the profile's GPU energy (its NVML counter) and with the trapezoid of the
stored GPU power samples. Between jobs the GPU rests --rest seconds. Never changes a setting of the card.

usage: run_h200.py --wattscale PATH --out DIR [--seconds 15] [--rest 3]
Writes into DIR: h200.db, measure_<job>.csv, measure_<job>.log (the job's stdout and wattscale's
stderr), compare.csv, gpu.json, interrupted.log.
"""
import argparse
import csv
import json
import os
import sqlite3
import subprocess
import sys
import time

import pynvml

JOBS = [("baler", "fp32", 512), ("baler", "fp32", 4096), ("baler", "bf16", 512), ("baler", "bf16", 4096),
        ("toptag", "fp32", 256), ("toptag", "fp32", 1024), ("toptag", "bf16", 256), ("toptag", "bf16", 1024)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wattscale", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--rest", type=float, default=3.0)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    here = os.path.dirname(os.path.abspath(__file__))
    db = os.path.join(a.out, "h200.db")
    pynvml.nvmlInit()
    h = pynvml.nvmlDeviceGetHandleByIndex(0)
    def s(v):
        return v.decode() if isinstance(v, bytes) else v
    info = {"name": s(pynvml.nvmlDeviceGetName(h)), "uuid": s(pynvml.nvmlDeviceGetUUID(h)),
            "driver": s(pynvml.nvmlSystemGetDriverVersion()),
            "power_limit_w": pynvml.nvmlDeviceGetPowerManagementLimit(h) / 1000.0,
            "python": sys.version.split()[0]}
    try:
        cur, pend = pynvml.nvmlDeviceGetMigMode(h)
        info["mig_mode"] = cur
    except pynvml.NVMLError as e:
        info["mig_mode"] = str(e)
    with open(os.path.join(a.out, "gpu.json"), "w") as f:
        json.dump(info, f, indent=1)
    print(json.dumps(info), flush=True)
    rows = []
    for workload, precision, batch in JOBS:
        job = f"{workload}-{precision}-b{batch}"
        wf = os.path.join(a.out, f"work_{job}.txt")
        cmd = [a.wattscale, "measure", "--db", db, "--job", job, "--work-file", wf, "--work-unit", "samples",
               "--interval-ms", "100", "--output", os.path.join(a.out, f"measure_{job}.csv"), "--",
               sys.executable, os.path.join(here, "h200_jobs.py"), "--workload", workload, "--precision", precision,
               "--batch", str(batch), "--seconds", str(a.seconds), "--work-file", wf]
        time.sleep(a.rest)
        e0 = pynvml.nvmlDeviceGetTotalEnergyConsumption(h)
        t0 = time.monotonic()
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        t1 = time.monotonic()
        e1 = pynvml.nvmlDeviceGetTotalEnergyConsumption(h)
        with open(os.path.join(a.out, f"measure_{job}.log"), "w") as f:
            f.write(p.stdout)
        print(f"== {job}: exit {p.returncode}, {t1 - t0:.2f} s, independent counter {(e1 - e0) / 1000:.1f} J",
              flush=True)
        print(p.stdout, flush=True)
        rows.append({"job": job, "exit": p.returncode, "independent_wall_s": round(t1 - t0, 3),
                     "independent_counter_j": (e1 - e0) / 1000.0})
    # the interrupted case, for real: SIGINT to wattscale 8 s into a 60 s job
    time.sleep(a.rest)
    cmd = [a.wattscale, "measure", "--db", db, "--job", "baler-fp32-b512-interrupted", "--interval-ms", "100", "--",
           sys.executable, os.path.join(here, "h200_jobs.py"), "--workload", "baler", "--precision", "fp32",
           "--batch", "512", "--seconds", "60", "--work-file", os.path.join(a.out, "work_interrupted.txt")]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    time.sleep(8)
    p.send_signal(2)
    out, _ = p.communicate()
    with open(os.path.join(a.out, "interrupted.log"), "w") as f:
        f.write(f"exit status {p.returncode}\n{out}")
    print(f"== interrupted: exit {p.returncode}\n{out}", flush=True)
    # what wattscale stored
    con = sqlite3.connect(db)
    for r in rows:
        q = con.execute("SELECT id, duration_s, energy_gpu_j, energy_j, work, energy_note FROM profiles WHERE job = ?",
                        (r["job"],)).fetchone()
        if not q:
            continue
        pid, dur, gpu_j, tot, work, note = q
        t = [x for x in con.execute("SELECT t_s, gpu_power_w FROM samples WHERE profile_id = ? ORDER BY seq", (pid,))]
        trap = sum(0.5 * (t[i][1] + t[i - 1][1]) * (t[i][0] - t[i - 1][0]) for i in range(1, len(t)))
        r.update({"profile_id": pid, "duration_s": dur, "samples": len(t), "work_samples": work,
                  "measure_counter_j": gpu_j, "measure_integrated_j": round(trap, 3),
                  "counter_vs_independent_pct": round(100 * (gpu_j / r["independent_counter_j"] - 1), 3),
                  "integrated_vs_independent_pct": round(100 * (trap / r["independent_counter_j"] - 1), 3),
                  "note": note})
    keys = ["job", "exit", "profile_id", "duration_s", "independent_wall_s", "samples", "work_samples",
            "independent_counter_j", "measure_counter_j", "measure_integrated_j", "counter_vs_independent_pct",
            "integrated_vs_independent_pct", "note"]
    with open(os.path.join(a.out, "compare.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=keys, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow(r)
    print(open(os.path.join(a.out, "compare.csv")).read(), flush=True)
    pynvml.nvmlShutdown()


if __name__ == "__main__":
    main()
