#!/usr/bin/env python3
"""Measure one HEP analysis kernel on one CPU core and on one GPU: events per second and the GPU's energy.

What it runs: the selection of ROOT's dimuon tutorial (df102_NanoAODDimuonAnalysis: events with exactly two
muons of opposite charge, their invariant mass filled into 30,000 log-spaced bins from 0.25 to 300 GeV), written
columnar in PyTorch over NanoAOD-like columns (per-event muon counts, flat float32 pt/eta/phi/mass and int8
charge), once with one CPU thread (a grid slot) and once on the GPU with the columns copied from pinned host
memory for every chunk (the copy is part of the GPU's time: a real job's data start on the host).

The INPUT EVENTS ARE SYNTHETIC (seeded random kinematics, Poisson muon counts of mean 2): the kernel's cost
depends on the number of events and muons, not on the values. The timings and the GPU energy are measured.
GPU energy: NVML's total-energy counter (nvmlDeviceGetTotalEnergyConsumption) across the GPU loop, with power
and utilisation sampled every 100 ms beside it. The CPU's energy is not measured (no RAPL where this ran).

Usage: measure-gpu-analysis.py OUTDIR [--events N] [--min-seconds S]. Writes OUTDIR/gpu_analysis_rK.json and
OUTDIR/gpu_analysis_power_rK.csv (nvidia-smi's CSV layout, so `wattscale ingest` reads it).
"""
import argparse, ctypes, json, os, platform, subprocess, threading, time

import torch

BINS, LO_GEV, HI_GEV = 30000, 0.25, 300.0


class Nvml:
    """The few NVML calls needed, by ctypes (no pynvml on the machine)."""

    class Util(ctypes.Structure):
        _fields_ = [("gpu", ctypes.c_uint), ("memory", ctypes.c_uint)]

    def __init__(self, index=0):
        self.lib = ctypes.CDLL("libnvidia-ml.so.1")
        self.check(self.lib.nvmlInit_v2())
        self.dev = ctypes.c_void_p()
        self.check(self.lib.nvmlDeviceGetHandleByIndex_v2(index, ctypes.byref(self.dev)))

    @staticmethod
    def check(rc):
        if rc != 0:
            raise RuntimeError("NVML error %d" % rc)

    def energy_mj(self):
        v = ctypes.c_ulonglong()
        self.check(self.lib.nvmlDeviceGetTotalEnergyConsumption(self.dev, ctypes.byref(v)))
        return v.value

    def power_mw(self):
        v = ctypes.c_uint()
        self.check(self.lib.nvmlDeviceGetPowerUsage(self.dev, ctypes.byref(v)))
        return v.value

    def util(self):
        u = Nvml.Util()
        self.check(self.lib.nvmlDeviceGetUtilizationRates(self.dev, ctypes.byref(u)))
        return u.gpu, u.memory


class Sampler(threading.Thread):
    def __init__(self, nvml, period_s=0.1):
        super().__init__(daemon=True)
        self.nvml, self.period_s, self.rows, self.stop = nvml, period_s, [], threading.Event()

    def run(self):
        while not self.stop.is_set():
            g, m = self.nvml.util()
            self.rows.append((time.time(), self.nvml.power_mw() / 1000.0, g, m))
            time.sleep(self.period_s)


def make_events(n, seed):
    """Synthetic NanoAOD-like muon columns (SYNTHETIC: random kinematics)."""
    g = torch.Generator().manual_seed(seed)
    counts = torch.poisson(torch.full((n,), 2.0), generator=g).to(torch.int32)  # NanoAOD's nMuon: UInt_t
    offsets = torch.zeros(n + 1, dtype=torch.int64)
    offsets[1:] = torch.cumsum(counts, 0)
    m = int(offsets[-1])
    cols = {
        "pt": (torch.empty(m).exponential_(1 / 20.0, generator=g) + 3.0).float(),
        "eta": (torch.rand(m, generator=g) * 4.8 - 2.4).float(),
        "phi": (torch.rand(m, generator=g) * 6.283185307 - 3.141592654).float(),
        "mass": torch.full((m,), 0.105658, dtype=torch.float32),
        "charge": (torch.randint(0, 2, (m,), generator=g, dtype=torch.int8) * 2 - 1),
    }
    return counts, offsets, cols


def dimuon_hist(counts, pt, eta, phi, mass, charge):
    """df102's selection and histogram over one chunk (its muon columns start at the chunk's first event)."""
    first = torch.cumsum(counts, 0, dtype=torch.int64) - counts  # index of each event's first muon
    i0 = first[counts == 2]
    i1 = i0 + 1
    os_ = charge[i0] != charge[i1]
    i0, i1 = i0[os_], i1[os_]

    def four(i):
        p, e, f, m = pt[i], eta[i], phi[i], mass[i]
        px, py, pz = p * torch.cos(f), p * torch.sin(f), p * torch.sinh(e)
        return px, py, pz, torch.sqrt(px * px + py * py + pz * pz + m * m)

    a, b = four(i0), four(i1)
    px, py, pz, en = (a[k] + b[k] for k in range(4))
    m = torch.sqrt(torch.clamp(en * en - px * px - py * py - pz * pz, min=0))
    import math
    return torch.histc(torch.log10(m), bins=BINS, min=math.log10(LO_GEV), max=math.log10(HI_GEV))


def chunks(counts, offsets, cols, chunk):
    n = counts.numel()
    for s in range(0, n, chunk):
        e = min(n, s + chunk)
        a, b = int(offsets[s]), int(offsets[e])
        yield counts[s:e], {k: v[a:b] for k, v in cols.items()}


def run_cpu(counts, offsets, cols, chunk, min_s):
    torch.set_num_threads(1)
    h, passes, t0 = torch.zeros(BINS), 0, time.perf_counter()
    while True:
        for c, cl in chunks(counts, offsets, cols, chunk):
            h += dimuon_hist(c, cl["pt"], cl["eta"], cl["phi"], cl["mass"], cl["charge"])
        passes += 1
        dt = time.perf_counter() - t0
        if dt >= min_s:
            return h, passes, dt


def run_gpu(counts, offsets, cols, chunk, min_s, nvml):
    dev = torch.device("cuda")
    pinned = [(c.pin_memory(), {k: v.pin_memory() for k, v in cl.items()})
              for c, cl in chunks(counts, offsets, cols, chunk)]
    h = torch.zeros(BINS, device=dev)
    for c, cl in pinned[:2]:  # warm-up: CUDA context, kernels compiled
        dimuon_hist(c.to(dev), *(cl[k].to(dev) for k in ("pt", "eta", "phi", "mass", "charge")))
    torch.cuda.synchronize()
    h.zero_()
    sampler = Sampler(nvml)
    sampler.start()
    e0, passes, t0 = nvml.energy_mj(), 0, time.perf_counter()
    while True:
        for c, cl in pinned:
            d = [x.to(dev, non_blocking=True) for x in (c, cl["pt"], cl["eta"], cl["phi"], cl["mass"], cl["charge"])]
            h += dimuon_hist(*d)
        torch.cuda.synchronize()
        passes += 1
        dt = time.perf_counter() - t0
        if dt >= min_s:
            break
    e1 = nvml.energy_mj()
    sampler.stop.set()
    sampler.join()
    return h.cpu(), passes, dt, (e1 - e0) / 1000.0, sampler.rows


def idle_power(nvml, seconds=10.0):
    s = Sampler(nvml)
    e0, t0 = nvml.energy_mj(), time.perf_counter()
    s.start()
    time.sleep(seconds)
    s.stop.set()
    s.join()
    return (nvml.energy_mj() - e0) / 1000.0 / (time.perf_counter() - t0)


def cpu_model():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def measure_once(a, nvml, counts, offsets, cols):
    gpu_name = torch.cuda.get_device_name(0)
    p_idle_w = idle_power(nvml)
    hg, gpasses, gdt, gpu_j, rows = run_gpu(counts, offsets, cols, 1 << 22, a.min_seconds, nvml)
    n_cpu = min(a.cpu_events, a.events)
    cc, co, ccols = counts[:n_cpu], offsets[: n_cpu + 1], {k: v[: int(offsets[n_cpu])] for k, v in cols.items()}
    hc, cpasses, cdt = run_cpu(cc, co, ccols, 1 << 20, a.min_seconds)
    # correctness: the same events through both paths (the first n_cpu events, one pass each)
    hg1 = run_gpu(cc, co, ccols, 1 << 22, 0.0, nvml)[0]
    hc1 = hc / cpasses
    gpu_eps, cpu_eps = gpasses * a.events / gdt, cpasses * n_cpu / cdt
    util = [r[2] for r in rows]
    res = {
        "what": "df102 dimuon selection + 30000-bin log mass histogram, columnar PyTorch; SYNTHETIC events, MEASURED times and GPU energy",
        "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "gpu": gpu_name, "cpu": cpu_model(), "torch": torch.__version__, "cuda": torch.version.cuda,
        "events_gpu": a.events, "events_cpu": n_cpu, "muons_per_event": float(offsets[-1]) / a.events,
        "cpu_threads": 1, "cpu_passes": cpasses, "cpu_s": cdt, "cpu_events_per_s": cpu_eps,
        "gpu_passes": gpasses, "gpu_s": gdt, "gpu_events_per_s": gpu_eps, "gpu_includes_h2d_copy": True,
        "gpu_energy_j": gpu_j, "gpu_mean_power_w": gpu_j / gdt, "gpu_idle_power_w": p_idle_w,
        "gpu_mean_util_pct": sum(util) / max(1, len(util)),
        "gpu_j_per_million_events": gpu_j / (gpasses * a.events) * 1e6,
        "speedup_gpu_vs_one_core": gpu_eps / cpu_eps,
        "histograms_equal_entries": [float(hc1.sum()), float(hg1.sum())],
        "histograms_max_bin_difference": float((hc1 - hg1).abs().max()),
    }
    return res, rows


def write_power_csv(path, gpu_name, rows):
    with open(path, "w") as f:
        f.write("timestamp, name, power.draw [W], utilization.gpu [%], utilization.memory [%]\n")
        for t, p, g, m in rows:
            ts = time.strftime("%Y/%m/%d %H:%M:%S", time.gmtime(t)) + ".%03d" % int((t % 1) * 1000)
            f.write("%s, %s, %.2f W, %d %%, %d %%\n" % (ts, gpu_name, p, g, m))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--events", type=int, default=1 << 24)
    ap.add_argument("--cpu-events", type=int, default=1 << 22, help="events for the one-core run (it is slow)")
    ap.add_argument("--min-seconds", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=20261202)
    ap.add_argument("--repeat", type=int, default=1, help="measure this many times (files _r0, _r1, ...)")
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    nvml = Nvml()
    counts, offsets, cols = make_events(a.events, a.seed)
    for r in range(a.repeat):
        res, rows = measure_once(a, nvml, counts, offsets, cols)
        with open(os.path.join(a.outdir, "gpu_analysis_r%d.json" % r), "w") as f:
            json.dump(res, f, indent=1)
            f.write("\n")
        write_power_csv(os.path.join(a.outdir, "gpu_analysis_power_r%d.csv" % r), res["gpu"], rows)
        print(json.dumps(res, indent=1), flush=True)
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        open(os.path.join(a.outdir, "lscpu.txt"), "w").write(lscpu)
    except OSError:
        pass


if __name__ == "__main__":
    main()
