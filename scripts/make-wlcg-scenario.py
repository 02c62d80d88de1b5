#!/usr/bin/env python3
"""make-wlcg-scenario: writes scenarios/wlcg.json (and the 1/20 scale scenarios/wlcg-small.json that the
tests run), a WLCG-shaped what-if scenario: CERN Tier-0, eleven Tier-1s and six aggregated Tier-2
regions, each on its country's carbon series, sized in HS06 (= HS23) from cited figures where they exist
and ASSUMED otherwise, running the CMS job mix that DCSim fitted at KIT (Tier-1) and DESY (Tier-2).

Every number below carries its source in the scenario's _provenance. Run:
    python3 scripts/make-wlcg-scenario.py [OUT_DIR]     (default: scenarios/)
The output is deterministic (same bytes every time)."""
import functools
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Server models written by `wattscale fit --family server` (models/servers.csv): HS23 of one server as
# benchmarked (slots = its threads).
def server(name):
    with open(os.path.join(ROOT, "models", name + ".json")) as f:
        m = json.load(f)
    return {"file": name, "hs23": m["hep"]["hs23"], "slots": m["hep"]["threads"]}

EL = {  # Electricity Maps exports: the life-cycle column (data/carbon/PROVENANCE.md)
    "CH": ("em_CH_2023_hourly.csv", "Carbon intensity gCO\u2082eq/kWh (Life cycle)"),
    "US-NY": ("em_US-NY-NYIS_2023_hourly.csv", "Carbon Intensity gCO\u2082eq/kWh (LCA)"),
    "US-PJM": ("em_US-MIDA-PJM_2023_hourly.csv", "Carbon Intensity gCO\u2082eq/kWh (LCA)"),
    "KR": ("em_KR_2023_hourly.csv", "Carbon Intensity gCO\u2082eq/kWh (LCA)"),
    "SE3": ("em_SE-SE3_2022_hourly.csv", "Carbon Intensity gCO\u2082eq/kWh (LCA)"),
}
LWA = {"FR": "lwa_fr_ci.csv", "GB": "lwa_gb_ci.csv", "DE": "lwa_ger_ci.csv"}
# Green Algorithms' yearly values (data/hardware/ga_CI_aggregated.csv), where no hourly series is shipped.
GA = {"ES": 171.03, "IT": 323.84, "NL": 374.34, "CA-BC": 19.7, "US": 423.94, "WORLD": 475}

def carbon(zone):
    if zone in EL:
        f, col = EL[zone]
        return {"carbon_csv": {"file": "../data/carbon/" + f, "column": col}}, "hourly, Electricity Maps " + zone
    if zone in LWA:
        return {"carbon_csv": "../data/carbon/" + LWA[zone]}, "half-hourly, lets-wait-awhile (ENTSO-E) " + zone
    return {"carbon_g_per_kwh": GA[zone]}, "yearly, Green Algorithms ga_CI_aggregated.csv " + zone

# (name, tier, kHS06, size source, carbon zone, PUE, PUE source, [(server model, share of the HS06)])
CITED_T0 = "CERN Tier-0 CPU for the LHC experiments, Apr 2021: 1,696 kHS06 (twiki.cern.ch CpuResourcePlanning rev 37; data/hep/PROVENANCE.md)"
CITED_BNL = "BNL declares 287,779 HS06 (opensciencegrid/topology BNL-ATLAS.yaml; data/hep/PROVENANCE.md)"
ASSUMED_T1 = "ASSUMED: no public pledge table was found; Tier-1 sizes chosen so that Tier-0 : Tier-1 : Tier-2 is about 20 : 35 : 45 of ~8,480 kHS06 (CERN is ~20% of WLCG, cited)"
ASSUMED_T2 = "ASSUMED: Tier-2s aggregated per region; sizes complete the ~8,480 kHS06 implied by CERN's 1,696 kHS06 being ~20% of WLCG (both cited)"
PUE_CERN = "CERN Meyrin data centre 'PUE of around 1.5' (HECAP+ 2023, cited in data/hep/PROVENANCE.md)"
PUE_ASSUMED = "ASSUMED: Green Algorithms' default PUE 1.56 when unknown (data/hardware/ga_defaults_PUE.csv)"
SITES = [
    ("CERN-T0", 0, 1696, CITED_T0, "CH", 1.5, PUE_CERN, [("server-epyc-7763", 0.5), ("server-epyc-9965", 0.5)]),
    ("BNL", 1, 287.779, CITED_BNL, "US-NY", 1.56, PUE_ASSUMED, [("server-epyc-7502", 0.6), ("server-epyc-7763", 0.4)]),
    ("FNAL", 1, 450, ASSUMED_T1, "US-PJM", 1.56, PUE_ASSUMED, [("server-epyc-7502", 0.5), ("server-epyc-7763", 0.5)]),
    ("KIT", 1, 400, ASSUMED_T1, "DE", 1.56, PUE_ASSUMED, [("server-epyc-7763", 0.6), ("server-xeon-gold-6326", 0.4)]),
    ("CC-IN2P3", 1, 350, ASSUMED_T1, "FR", 1.56, PUE_ASSUMED, [("server-epyc-7502", 0.5), ("server-xeon-gold-6326", 0.5)]),
    ("RAL", 1, 350, ASSUMED_T1, "GB", 1.56, PUE_ASSUMED, [("server-epyc-7763", 0.5), ("server-xeon-gold-6326", 0.5)]),
    ("CNAF", 1, 330, ASSUMED_T1, "IT", 1.56, PUE_ASSUMED, [("server-epyc-7502", 0.5), ("server-xeon-gold-6126", 0.5)]),
    ("NDGF", 1, 220, ASSUMED_T1, "SE3", 1.56, PUE_ASSUMED, [("server-epyc-7763", 1.0)]),
    ("NL-T1", 1, 180, ASSUMED_T1, "NL", 1.56, PUE_ASSUMED, [("server-epyc-7502", 1.0)]),
    ("TRIUMF", 1, 150, ASSUMED_T1, "CA-BC", 1.56, PUE_ASSUMED, [("server-epyc-7763", 1.0)]),
    ("PIC", 1, 130, ASSUMED_T1, "ES", 1.56, PUE_ASSUMED, [("server-xeon-gold-6326", 1.0)]),
    ("KISTI", 1, 100, ASSUMED_T1, "KR", 1.56, PUE_ASSUMED, [("server-epyc-7502", 1.0)]),
    ("T2-US", 2, 1100, ASSUMED_T2, "US", 1.56, PUE_ASSUMED, [("server-epyc-7502", 0.5), ("server-xeon-gold-6126", 0.5)]),
    ("T2-DE", 2, 500, ASSUMED_T2, "DE", 1.56, PUE_ASSUMED, [("server-epyc-7502", 0.5), ("server-xeon-gold-6126", 0.5)]),
    ("T2-UK", 2, 500, ASSUMED_T2, "GB", 1.56, PUE_ASSUMED, [("server-epyc-7502", 0.5), ("server-xeon-gold-6126", 0.5)]),
    ("T2-FR", 2, 350, ASSUMED_T2, "FR", 1.56, PUE_ASSUMED, [("server-xeon-gold-6126", 1.0)]),
    ("T2-IT", 2, 350, ASSUMED_T2, "IT", 1.56, PUE_ASSUMED, [("server-xeon-gold-6126", 1.0)]),
    ("T2-other", 2, 1036, ASSUMED_T2, "WORLD", 1.56, PUE_ASSUMED, [("server-xeon-gold-6126", 0.5), ("server-epyc-7502", 0.5)]),
]

def node_groups(mix, khs06, scale):
    groups = []
    for name, share in mix:
        s = server(name)
        count = max(1, round(khs06 * 1000 * share * scale / s["hs23"]))
        groups.append({"type": name.replace("server-", ""), "count": count, "cores": s["slots"],
                       "power": {"file": "../models/" + name + ".json"}})
    return groups

def scenario(scenario_name, scale, days, replicas):
    gpu = gpu_analysis_measured()
    sites, prov_sites = [], {}
    for name, tier, khs06, size_src, zone, pue, pue_src, mix in SITES:
        ci, ci_src = carbon(zone)
        site = {"name": name, "pue": pue}
        site.update(ci)
        site["nodes"] = node_groups(mix, khs06, scale)
        sites.append(site)
        prov_sites[name] = {"tier": tier, "kHS06": khs06, "size": size_src, "carbon": ci_src, "pue": pue_src,
                            "servers": "ASSUMED mix of the shipped server models (models/servers.csv): " +
                                       ", ".join("%s %d%%" % (m, round(100 * f)) for m, f in mix)}
    dcsim_common = {"period_days": 12, "reference_flops_per_s": 3.194e9, "reference_hs23_per_core": 10,
                    "utilisation": 0.72}
    tier01 = [site[0] for site in SITES if site[1] < 2]
    tier2 = [site[0] for site in SITES if site[1] == 2]
    workload = {"dcsim": [dict(file="../data/hep/dcsim_T1_DE_KIT_workloads.json", prefix="T1-",
                               scale=WORK_SCALE_T1 * scale, sites=tier01, **dcsim_common),
                          dict(file="../data/hep/dcsim_T2_DE_DESY_workloads.json", prefix="T2-",
                               scale=WORK_SCALE_T2 * scale, sites=tier2, **dcsim_common)]}
    doc = {
        "name": scenario_name,
        "description": "A WLCG-shaped grid (CERN Tier-0, 11 Tier-1s, 6 Tier-2 regions; %.0f%% of the sized grid) running "
                       "the CMS job mix DCSim fitted at KIT and DESY, in HS23 units on HEPiX-measured servers, under "
                       "HTCondor negotiation cycles; what-ifs: a reconstruction tweak, newer and Arm CPUs at the "
                       "Tier-0, no negotiation cycle, 8-core pilots, idle power-down, carbon-aware dispatch." % (100 * scale),
        "_provenance": {
            "what": "A WLCG-shaped grid: CERN Tier-0, eleven Tier-1s, six aggregated Tier-2 regions. Generated by "
                    "scripts/make-wlcg-scenario.py (every number's source is here).",
            "scale": "%g of the sized grid (node counts and job rates both)" % scale,
            "sites": prov_sites,
            "left_out": "JINR-T1 and RRC-KI-T1 (no carbon series shipped for RU); storage, network and tape energy; "
                        "ALICE/LHCb workloads (only the CMS mix is shipped)",
            "workload": "CMS job mix fitted by DCSim at KIT (Tier-1) and DESY (Tier-2), 24.02-07.03.2023, counts over "
                        "12 days (cited, data/hep/PROVENANCE.md); the Tier-1 mix runs at the Tier-0/1s, the Tier-2 mix at "
                        "the Tier-2s; scaled by %g and %g (ASSUMED: chosen so that each tier runs ~90%% full, as WLCG "
                        "does; compare the resulting jobs a day with the cited 'over 2 million tasks per day')."
                        % (WORK_SCALE_T1, WORK_SCALE_T2),
            "cpu_efficiency": "0.72 for every CMS job type: OSG APEL accounting, January 2016, CMS 1-core 0.718 and "
                              "8-core 0.717 (CpuDuration / (WallDuration x Processors); data/hep/osg_apel_summary_2016-01.apel)",
            "work_units": "DCSim flops at GridKa's 3.194e9 flops/s per core (cited) are turned into HS23 s with 10 HS23 "
                          "per reference core (ASSUMED; CERN plans with about 10 HS06 per core, cited)",
            "submission": "HTCondor negotiation cycle 60 s (NEGOTIATOR_INTERVAL default; most WLCG sites run HTCondor: ASSUMED)",
            "pilots": "variant htcondor-pilots: CMS runs its payloads in multi-core partitionable glideinWMS pilots "
                      "(twiki.cern.ch/twiki/bin/view/CMSPublic/MulticoreDeploymentToT2s; Perez-Calero Yzquierdo et al., "
                      "J. Phys.: Conf. Ser. 898 (2017)); 8 cores a pilot and a 48 h lifetime: ASSUMED (common WLCG "
                      "multicore queue settings, not checked against a cited source); 20 min idle timeout: ASSUMED "
                      "(GlideinWMS's GLIDEIN_Max_Idle is reported to default to 20 min; not checked in its manual)",
            "fairshare": "variant slurm-fairshare: Slurm's multifactor priority with fair-share between CMS production "
                         "(every class but *Analysis*) and analysis; shares 0.8 / 0.2 ASSUMED (not a cited CMS or site "
                         "setting); weights 1000 age / 10000 fair-share ASSUMED (fair-share dominating); max age, decay "
                         "half-life (7 days) and calc period (5 min) are Slurm's defaults",
            "gpu_analysis": "variants analysis-on-gpus(-no-wait): half (ASSUMED) of the single-core Tier-1-mix analysis "
                            "jobs (" + GPU_MOVED + ") move to nodes of 4 H200 GPUs at CERN (gpu_jobs_only). MEASURED "
                            "(data/measured/h200-analysis): the df102 dimuon selection ran %.1fx faster on an H200 (PCIe "
                            "copy included) than on one CPU thread, drawing %.1f W, %.1f W idle after activity. ASSUMED: "
                            "that thread is worth %.2f HS23 (HEPiX Xeon Platinum 8592+, same generation, per thread), so "
                            "a GPU does this work at %.1f HS23; the kernel's speedup carries over to a CMS analysis job's "
                            "CPU part, its I/O part stays (CPU efficiency 0.72, cited APEL; 1 in the -no-wait variant); "
                            "the host is one EPYC 9354 server (models/); the nodes are sized %d%% busy on average."
                            % (gpu["speedup"], gpu["busy_w"], gpu["idle_w"], gpu["thread_hs23"], gpu["gpu_hs23"],
                               round(100 * GPU_BUSY)),
            "series_years": "carbon series of 2020, 2022 and 2023 replayed on 2024 (map-year)",
        },
        "seed": 2024,
        "currency": "EUR",
        "sites": sites,
        "workload": workload,
        "policy": {"queue": "easy-backfill", "placement": "first-fit", "dispatch": "least-loaded",
                   "submission": {"system": "htcondor", "negotiation_interval_s": 60}},
        "horizon": {"start": "2024-03-04T00:00:00Z", "days": days, "until": "end", "series_outside": "map-year"},
        "replicas": replicas,
        "projection": {"window": {"from_day": 2, "to_day": days}},
        "variants": [dict(v, rests_on=RESTS_ON[v["name"]]) for v in variants(scale)],
    }
    return doc

WORK_SCALE_T1, WORK_SCALE_T2 = 6.5, 5.0  # each tier's offered load ~90% of its HS23 (see the workload note)

def replace_t0_half(scale, model, type_name):
    """CERN's EPYC 7763 half (sites[0].nodes[0]) replaced by servers of another model with the same HS23."""
    khs06, share = SITES[0][2], SITES[0][7][0][1]
    s = server(model)
    return {"sites[0].nodes[0]": {"type": type_name, "count": max(1, round(khs06 * 1000 * share * scale / s["hs23"])),
                                  "cores": s["slots"], "power": {"file": "../models/" + model + ".json"}}}

PILOTS = {"name": "htcondor-pilots",
          "description": "the baseline's HTCondor with payloads in 8-core pilots of 48 h lifetime and 20 min idle "
                         "timeout (ASSUMED, see _provenance.pilots): idle pilot cores and draining as wait and energy",
          "patch": {"policy": {"submission": {"pilot": {"cores": 8, "lifetime_s": 172800, "idle_timeout_s": 1200}}}}}


# Analysis on GPUs (data/measured/h200-analysis): the df102 dimuon kernel ran 43x faster on an H200 than on one
# thread of its host (measured); in HS23 that thread is ASSUMED to be one of HEPiX's Xeon Platinum 8592+ (same
# CPU generation) per hardware thread, so one GPU does this work at speedup x that HS23.
@functools.lru_cache(maxsize=None)  # read the measurement once, not once per number that uses it
def gpu_analysis_measured():
    runs = []
    for r in range(3):
        with open(os.path.join(ROOT, "data", "measured", "h200-analysis", "gpu_analysis_r%d.json" % r)) as f:
            runs.append(json.load(f))
    mean = lambda k, rs=runs: sum(x[k] for x in rs) / len(rs)
    xeon = server("server-xeon-platinum-8592")
    thread_hs23 = xeon["hs23"] / xeon["slots"]
    return {"speedup": mean("speedup_gpu_vs_one_core"), "thread_hs23": thread_hs23,
            "gpu_hs23": round(mean("speedup_gpu_vs_one_core") * thread_hs23, 1),
            "busy_w": round(mean("gpu_mean_power_w"), 1), "idle_w": round(mean("gpu_idle_power_w", runs[1:]), 1)}

GPU_HOST = "server-epyc-9354"    # ASSUMED host of the GPU nodes (one EPYC 9354, 64 slots)
GPU_MOVED = "T1-Analysis_T1/1c"  # the single-core Tier-1 analysis jobs (97% of the analysis jobs at KIT)
GPU_BUSY = 0.8                   # ASSUMED: GPU nodes sized to be 80% busy on average

def dcsim_class_mean(file, job_type, cores, scale):
    """Rate a day and mean work (HS23 s) of one DCSim class, as ws_dcsim makes it (uniform within a bin)."""
    with open(os.path.join(ROOT, "data", "hep", file)) as f:
        t = json.load(f)[job_type]
    fl = t["flops"]
    mids = [(fl["bins"][i] + fl["bins"][i + 1]) / 2 for i in range(len(fl["counts"]))]
    flops = sum(m * n for m, n in zip(mids, fl["counts"])) / sum(fl["counts"])
    rate = t["cores"]["counts"][cores] / 12 * WORK_SCALE_T1 * scale
    return rate, flops / 3.194e9 * cores * 0.72 * 10

def gpu_variant(scale, name, cpu_efficiency, description):
    """Half of the Tier-0/1 single-core analysis jobs moved to H200 nodes at CERN, sized to be GPU_BUSY busy."""
    m, host = gpu_analysis_measured(), server(GPU_HOST)
    h = host["hs23"] / host["slots"]
    rate, work = dcsim_class_mean("dcsim_T1_DE_KIT_workloads.json", "Analysis_T1", 1, scale)
    t_gpu = work * (1 / m["gpu_hs23"] + (1 / cpu_efficiency - 1) / h)
    nodes = max(1, -(-0.5 * rate * t_gpu / 86400 / GPU_BUSY // 4))
    group = {"type": "h200-analysis", "count": int(nodes), "cores": host["slots"], "gpus": 4, "hs23_per_core": h,
             "gpu_jobs_only": True, "power": {"model": "linear", "idle_w": m["idle_w"], "max_w": m["busy_w"]},
             "host_power": {"file": "../models/" + GPU_HOST + ".json"}}
    cern = [{**g} for g in node_groups(SITES[0][7], SITES[0][2], scale)] + [group]
    return {"name": name, "description": description,
            "set": {"sites[0].nodes": cern},
            "patch": {"workload": {"offload": [{"classes": GPU_MOVED, "fraction": 0.5, "node_type": "h200-analysis",
                                                "gpu_hs23": m["gpu_hs23"], "cpu_efficiency": cpu_efficiency,
                                                "sites": ["CERN-T0"]}]}}}


def variants(scale):
    """Every what-if at every scale."""
    return variants_all(scale)


def variants_all(scale):
    return [
        {"name": "reco-10pct-faster",
         "description": "a reconstruction/processing tweak: CMS DataProcessing jobs need 10% less CPU time",
         "tweaks": [{"class": "*DataProcessing*", "runtime_factor": 0.9, "power_factor": 1.0}]},
        {"name": "t0-newest-epyc",
         "description": "CERN's EPYC 7763 half replaced by EPYC 9965 servers of the same HS23 (HEPiX power per HS23)",
         "set": replace_t0_half(scale, "server-epyc-9965", "epyc-9965-new")},
        {"name": "t0-arm",
         "description": "CERN's EPYC 7763 half replaced by Ampere Altra Max M128-30 servers of the same HS23",
         "set": replace_t0_half(scale, "server-altra-max-m128-30", "altra-max-m128-30")},
        {"name": "batch-no-cycle",
         "description": "no negotiation cycle (a plain batch queue): the submission system's overhead as wait and idle",
         "patch": {"policy": {"submission": {"system": "batch", "negotiation_interval_s": None}}}},
        {"name": "slurm-fairshare",
         "description": "Slurm instead of HTCondor: backfill every 30 s and fair-share between CMS production (0.8) "
                        "and analysis (0.2) (ASSUMED shares, see _provenance.fairshare)",
         "patch": {"policy": {"submission": {"system": "slurm", "negotiation_interval_s": None, "backfill_interval_s": 30,
                                             "priority": {"weight_age": 1000, "weight_fairshare": 10000,
                                                          "shares": {"cms-prod": 0.8, "cms-analysis": 0.2},
                                                          "accounts": {"*Analysis*": "cms-analysis", "*": "cms-prod"}}}}}},
        PILOTS,
        gpu_variant(scale, "analysis-on-gpus",
                    0.72, "half of the Tier-0/1 single-core analysis jobs on H200 nodes at CERN: their CPU work 43x faster "
                          "(measured dimuon kernel), their I/O wait (CPU efficiency 0.72) as before"),
        gpu_variant(scale, "analysis-on-gpus-no-wait",
                    1.0, "as analysis-on-gpus, and the moved jobs no longer wait for I/O (CPU efficiency 1 on the GPU "
                         "nodes: ASSUMED best case, e.g. columnar data on local flash)"),
        {"name": "t2-power-down",
         "description": "idle Tier-2 servers switch off after 30 min (5 W off, 5 min at 100 W to wake: ASSUMED)",
         "set": {"sites[%d].power_down" % i: {"after_s": 1800, "off_w": 5, "wake_s": 300, "wake_w": 100}
                 for i, site in enumerate(SITES) if site[1] == 2}},
        {"name": "greenest-dispatch",
         "description": "carbon-aware dispatch: each job to the site of its tier (Tier-0/1 or Tier-2) of lowest carbon "
                        "intensity x PUE that can take it",
         "patch": {"policy": {"dispatch": "greenest"}}},
    ]

# What each variant's change rests on, as the report's "rests on" column says it (beside the inputs' own labels).
GPU_MEASURED = ["H200 speedup 43x over one CPU thread and its power (dimuon kernel, data/measured/h200-analysis)"]
GPU_ASSUMED = ["15.66 HS23 per host thread", "kernel speedup holds for CMS analysis", "half of 1-core analysis moved",
               "EPYC 9354 host", "GPU nodes sized 80% busy"]
RESTS_ON = {
    "reco-10pct-faster": {"given": ["-10% CPU time of DataProcessing jobs"]},
    "t0-newest-epyc": {"measured": ["EPYC 9965 HS23 and full-load power (HEPiX)"],
                       "assumed": ["EPYC 9965 idle and curve from the x86 population"]},
    "t0-arm": {"measured": ["Altra Max HS23 and full-load power (HEPiX)"],
               "assumed": ["Altra Max idle and curve from the x86 population"]},
    "batch-no-cycle": {"given": ["no negotiation cycle"]},
    "slurm-fairshare": {"cited": ["Slurm's default max age, decay half-life, calc period"],
                        "assumed": ["shares 0.8/0.2 and priority weights"]},
    "htcondor-pilots": {"assumed": ["8-core pilots, 48 h lifetime, 20 min idle timeout"]},
    "analysis-on-gpus": {"measured": GPU_MEASURED, "cited": ["CPU efficiency 0.72 (OSG APEL)"], "assumed": GPU_ASSUMED},
    "analysis-on-gpus-no-wait": {"measured": GPU_MEASURED, "assumed": ["no I/O wait on GPU nodes"] + GPU_ASSUMED},
    "t2-power-down": {"assumed": ["30 min idle timeout, 5 W off, 5 min wake at 100 W"]},
    "greenest-dispatch": {"given": ["dispatch to the lowest carbon x PUE"]},
}

def write(path, doc):
    with open(path, "w") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")

if __name__ == "__main__":
    import sys
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "scenarios")  # another folder: for the tests
    write(os.path.join(out, "wlcg.json"), scenario("wlcg", 1.0, 5, 2))
    write(os.path.join(out, "wlcg-small.json"), scenario("wlcg-small", 0.02, 4, 2))
