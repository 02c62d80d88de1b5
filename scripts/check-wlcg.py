#!/usr/bin/env python3
"""check-wlcg: the WLCG scenario against real data and published figures it was NOT built from.

Runs the baseline of scenarios/wlcg-small.json (1/50 of the grid: per-job records stay small) and of
the full scenarios/wlcg.json totals (from a what-if report if one is given, else the small run scaled),
then compares, each with a stated tolerance, and says honestly where the model differs:
  1. jobs a day                 vs "over 2 million tasks per day" (home.cern)            +-30%
  2. CPU hours a year           vs "about 5 billion CPU hours" a year (egi.eu, WLCG)      +-30%
     (as slot hours, and normalised to cores of 10 HS06 as CERN plans with: our slots are faster)
  3. CPU efficiency             vs the 100 ATLAS PanDA analysis jobs at BNL (2025)        +-0.10
  4. 1-core analysis wall time  vs the same PanDA jobs' median walltime                   factor 2
  5. 1-core analysis queue time vs the same PanDA jobs' median queue time                 factor 2
Usage: python3 scripts/check-wlcg.py WATTSCALE_BINARY [OUT_DIR]   (run from the repository root)
Writes OUT_DIR/wlcg-check.csv and .md; exit status 0 whatever the verdicts (a check, not a test)."""
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SMALL_SCALE = 0.02  # scenarios/wlcg-small.json is this fraction of the grid (scripts/make-wlcg-scenario.py)


def panda():
    with open(os.path.join(ROOT, "data/hep/panda_bnl_analysis_2025-01_100jobs.csv")) as f:
        rows = list(csv.DictReader(f))
    one = [r for r in rows if r["corecount"] == "1"]
    return {"n": len(rows), "n_one": len(one),
            "eff_mean": statistics.mean(float(r["cpu_eff"]) for r in rows if r["cpu_eff"]),
            "wall_median_s": statistics.median(float(r["job_walltime"]) for r in one),
            "queue_median_s": statistics.median(float(r["job_queuetime"]) for r in one)}


def run_baseline(binary, work):
    with open(os.path.join(ROOT, "scenarios/wlcg-small.json")) as f:
        doc = json.load(f)
    for k in ("variants", "replicas", "projection"):
        doc.pop(k, None)
    path = os.path.join(ROOT, "scenarios", ".wlcg-check-baseline.json")  # relative paths resolve here
    with open(path, "w") as f:
        json.dump(doc, f)
    try:
        jobs = os.path.join(work, "jobs.csv")
        out = subprocess.run([binary, "simulate", path, "--no-store", "--quiet", "--json", "--jobs-out", jobs],
                             check=True, capture_output=True, text=True).stdout
    finally:
        os.remove(path)
    return json.loads(out), jobs, doc


def analysis_1core(jobs_csv, from_s):
    wall, wait = [], []
    with open(jobs_csv) as f:
        for r in csv.DictReader(row for row in f if not row.startswith("#")):
            if "Analysis" in r["class"] and r["cores"] == "1" and float(r["start_s"]) >= from_s:
                wall.append(float(r["end_s"]) - float(r["start_s"]))
                wait.append(float(r["wait_s"]))
    return statistics.median(wall), statistics.median(wait), len(wall)


def verdict(ok):
    return "agrees" if ok else "DIFFERS"


def main():
    binary = os.path.abspath(sys.argv[1])
    out_dir = sys.argv[2] if len(sys.argv) > 2 else "out/wlcg-check"
    os.makedirs(out_dir, exist_ok=True)
    p = panda()
    with tempfile.TemporaryDirectory() as work:
        summary, jobs, doc = run_baseline(binary, work)
        days = doc["horizon"]["days"]
        slots = sum(g["count"] * g["cores"] for s in doc["sites"] for g in s["nodes"])
        wall_med, wait_med, n_ana = analysis_1core(jobs, 86400.0)  # after a day of warm-up
    eff = doc["workload"]["dcsim"][0]["utilisation"]
    jobs_per_day = summary["jobs_arrived"] / days / SMALL_SCALE
    # busy slot-hours over the horizon (its first, filling day included: a lower bound) x CPU efficiency
    cpu_h_year = summary["utilisation"] * slots / SMALL_SCALE * 8760 * eff
    khs06 = sum(site["kHS06"] for site in doc["_provenance"]["sites"].values())
    cpu_h_year_10 = summary["utilisation"] * khs06 * 1000 / 10 * 8760 * eff  # in cores of 10 HS06
    rows = [
        ("jobs a day (whole grid)", jobs_per_day, 2.0e6, "home.cern: 'over 2 million tasks per day'",
         abs(jobs_per_day / 2.0e6 - 1) <= 0.3),
        ("CPU hours a year (whole grid)", cpu_h_year, 5.0e9, "egi.eu WLCG case study: 'about 5 billion CPU hours'",
         abs(cpu_h_year / 5.0e9 - 1) <= 0.3),
        ("CPU hours a year, in cores of 10 HS06", cpu_h_year_10, 5.0e9,
         "egi.eu, as above; CERN: 'about 10 HS06 per core'", abs(cpu_h_year_10 / 5.0e9 - 1) <= 0.3),
        ("CPU efficiency", eff, p["eff_mean"], "PanDA: %d ATLAS analysis jobs at BNL, Jan 2025 (mean cpu_eff)" % p["n"],
         abs(eff - p["eff_mean"]) <= 0.10),
        ("1-core analysis wall time, median s", wall_med, p["wall_median_s"],
         "PanDA: %d one-core jobs, median job_walltime" % p["n_one"], 0.5 <= wall_med / p["wall_median_s"] <= 2),
        ("1-core analysis queue time, median s", wait_med, p["queue_median_s"],
         "PanDA: %d one-core jobs, median job_queuetime" % p["n_one"], 0.5 <= wait_med / p["queue_median_s"] <= 2),
    ]
    with open(os.path.join(out_dir, "wlcg-check.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["quantity", "model", "reference", "reference_source", "verdict"])
        for q, m, ref, src, ok in rows:
            w.writerow([q, "%.4g" % m, "%.4g" % ref, src, verdict(ok)])
    lines = ["| quantity | model | reference | source | verdict |", "|---|---|---|---|---|"]
    for q, m, ref, src, ok in rows:
        lines.append("| %s | %.3g | %.3g | %s | %s |" % (q, m, ref, src, verdict(ok)))
    note = ("Model: scenarios/wlcg-small.json baseline (%d slots at 1/50 scale, %d days, utilisation %.3f over the "
            "horizon, %d one-core analysis jobs started after the first day), scaled to the whole grid where marked."
            % (slots, days, summary["utilisation"], n_ana))
    with open(os.path.join(out_dir, "wlcg-check.md"), "w") as f:
        f.write("\n".join(lines) + "\n\n" + note + "\n")
    print("\n".join(lines))
    print(note)


if __name__ == "__main__":
    main()
