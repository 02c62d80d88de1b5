#!/usr/bin/env python3
"""Measure repetitions of the Baler-style jobs of data/measured/h100/ on a real NVIDIA GPU.

Workload (as data/measured/h100/PROVENANCE.md describes repetition r0): an autoencoder
24 -> 200 -> 100 -> 50 -> 15 -> 50 -> 100 -> 200 -> 24 with LeakyReLU between the layers, Adam
(default lr 1e-3), MSE loss, trained on 520,000 x 24 random normal rows; the same network, forward
only, for the compression jobs (20 passes over the data).

For every job:
  * a sampler thread reads NVML every 50 ms (nvmlDeviceGetPowerUsage, nvmlDeviceGetUtilizationRates)
    and writes power_<job>_r<k>.csv in nvidia-smi's CSV layout
    (`timestamp, power.draw [W], utilization.gpu [%], utilization.memory [%]`);
  * the NVML total-energy counter (nvmlDeviceGetTotalEnergyConsumption, mJ) is read just before and
    just after the job, with torch.cuda.synchronize() on both sides of the timed region; the
    duration comes from time.perf_counter, host CPU time from time.process_time (whole process);
  * one row of jobs_r<k>.csv with the columns of jobs_r0.csv.
Between jobs the GPU rests (--rest seconds, default 5).

NVML is reached through pynvml (package nvidia-ml-py) when importable, else through ctypes on
libnvidia-ml.so.1. The script never changes any setting of the card.

usage:
  measure_h100.py --out DIR --reps 1 2 3 [--rest 5] [--deadline-s 560] [--pack DIR]
  measure_h100.py --calibrate              (short timings per step, to compare with r0; no files)
  measure_h100.py --out DIR --reps 9 --scale 0.05 --rest 1   (smoke test on 5% of the rows)
--pack DIR writes DIR/measure_r<k>.tar.gz with the files of repetition k as soon as it is complete
(so that a run stopped by a time limit still returns the repetitions already done). --deadline-s
stops before a job whose r0 duration (x1.5) plus the rest would end past that many seconds after
the start; skipped jobs are listed in the log and their repetition is marked incomplete.
"""
import argparse
import csv
import ctypes
import datetime
import io
import json
import os
import sys
import tarfile
import threading
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

ROWS = 520_000
FEATURES = 24

# job, kind, epochs (passes for compress), batch, dtype, amp, loader, r0 duration (s, for the deadline)
JOBS = [
    ("baseline_fp64_dataloader_b512", "train", 2, 512, "float64", "none", "dataloader", 11.7),
    ("fp64_gpu_b512", "train", 5, 512, "float64", "none", "gpu", 14.9),
    ("fp32_gpu_b512", "train", 5, 512, "float32", "none", "gpu", 14.2),
    ("amp_bf16_gpu_b512", "train", 5, 512, "float32", "bf16", "gpu", 19.2),
    ("amp_fp16_scaled_gpu_b512", "train", 5, 512, "float32", "fp16", "gpu", 20.7),
    ("fp32_gpu_b4096", "train", 20, 4096, "float32", "none", "gpu", 7.8),
    ("fp32_gpu_b16384", "train", 40, 16384, "float32", "none", "gpu", 4.0),
    ("compress_fp64_b512", "compress", 20, 512, "float64", "none", "gpu", 6.6),
    ("compress_fp32_b4096", "compress", 20, 4096, "float32", "none", "gpu", 0.9),
    ("compress_bf16_b4096", "compress", 20, 4096, "float32", "bf16", "gpu", 1.7),
]

COLUMNS = ["job", "kind", "rows", "features", "epochs", "batch", "dtype", "amp", "loader", "steps",
           "duration_s", "gpu_energy_j", "samples_per_s", "final_loss", "cpu_time_s", "rep"]
POWER_HEADER = "timestamp, power.draw [W], utilization.gpu [%], utilization.memory [%]\n"


# --------------------------------------------------------------------------------------------- NVML
class NVML:
    """The four NVML calls this tool needs, through pynvml or ctypes."""

    def __init__(self, index=0, force_ctypes=False):
        self.backend = None
        if not force_ctypes:
            try:
                import pynvml  # nvidia-ml-py
                pynvml.nvmlInit()
                self._p = pynvml
                self._h = pynvml.nvmlDeviceGetHandleByIndex(index)
                self.backend = "pynvml"
            except Exception as e:  # noqa: BLE001 - any failure: fall back to ctypes
                print(f"pynvml not usable ({e!r}); using ctypes", file=sys.stderr)
        if self.backend is None:
            lib = ctypes.CDLL("libnvidia-ml.so.1")
            self._lib = lib
            self._check(lib.nvmlInit_v2(), "nvmlInit_v2")
            h = ctypes.c_void_p()
            self._check(lib.nvmlDeviceGetHandleByIndex_v2(ctypes.c_uint(index), ctypes.byref(h)),
                        "nvmlDeviceGetHandleByIndex_v2")
            self._h = h
            self.backend = "ctypes"

    def _check(self, rc, what):
        if rc != 0:
            raise RuntimeError(f"NVML {what} returned {rc}")

    class _Util(ctypes.Structure):
        _fields_ = [("gpu", ctypes.c_uint), ("memory", ctypes.c_uint)]

    def power_mw(self):
        if self.backend == "pynvml":
            return self._p.nvmlDeviceGetPowerUsage(self._h)
        v = ctypes.c_uint()
        self._check(self._lib.nvmlDeviceGetPowerUsage(self._h, ctypes.byref(v)), "GetPowerUsage")
        return v.value

    def util(self):
        if self.backend == "pynvml":
            u = self._p.nvmlDeviceGetUtilizationRates(self._h)
            return u.gpu, u.memory
        u = NVML._Util()
        self._check(self._lib.nvmlDeviceGetUtilizationRates(self._h, ctypes.byref(u)), "GetUtilizationRates")
        return u.gpu, u.memory

    def energy_mj(self):
        if self.backend == "pynvml":
            return self._p.nvmlDeviceGetTotalEnergyConsumption(self._h)
        v = ctypes.c_ulonglong()
        self._check(self._lib.nvmlDeviceGetTotalEnergyConsumption(self._h, ctypes.byref(v)),
                    "GetTotalEnergyConsumption")
        return v.value

    def info(self):
        """Name, driver, power limit, temperature and clocks, for the log (read only)."""
        d = {"backend": self.backend}
        if self.backend != "pynvml":
            return d
        p, h = self._p, self._h
        for key, fn in [("name", lambda: p.nvmlDeviceGetName(h)),
                        ("uuid", lambda: p.nvmlDeviceGetUUID(h)),
                        ("driver", lambda: p.nvmlSystemGetDriverVersion()),
                        ("power_limit_w", lambda: p.nvmlDeviceGetEnforcedPowerLimit(h) / 1000),
                        ("temperature_c", lambda: p.nvmlDeviceGetTemperature(h, p.NVML_TEMPERATURE_GPU)),
                        ("sm_clock_mhz", lambda: p.nvmlDeviceGetClockInfo(h, p.NVML_CLOCK_SM)),
                        ("mem_clock_mhz", lambda: p.nvmlDeviceGetClockInfo(h, p.NVML_CLOCK_MEM)),
                        ("pstate", lambda: p.nvmlDeviceGetPerformanceState(h))]:
            try:
                v = fn()
                d[key] = v.decode() if isinstance(v, bytes) else v
            except Exception as e:  # noqa: BLE001
                d[key] = f"n/a ({type(e).__name__})"
        return d


class Sampler(threading.Thread):
    """Reads power and utilisation every `period` s into nvidia-smi CSV lines."""

    def __init__(self, nvml, period=0.05):
        super().__init__(daemon=True)
        self.nvml, self.period = nvml, period
        self.lines = []
        self._halt = threading.Event()

    def run(self):
        nxt = time.perf_counter()
        while not self._halt.is_set():
            now = datetime.datetime.now()
            mw = self.nvml.power_mw()
            ug, um = self.nvml.util()
            ts = now.strftime("%Y/%m/%d %H:%M:%S.") + f"{now.microsecond // 1000:03d}"
            self.lines.append(f"{ts},{round(mw / 1000, 3)},{ug},{um}\n")
            nxt += self.period
            delay = nxt - time.perf_counter()
            if delay < 0:  # fell behind: restart the schedule rather than burst
                nxt = time.perf_counter()
                delay = 0
            self._halt.wait(delay)

    def stop(self):
        self._halt.set()
        self.join()


# ------------------------------------------------------------------------------------------ model
class AE(nn.Module):
    def __init__(self, n=FEATURES, z=15):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(n, 200), nn.LeakyReLU(), nn.Linear(200, 100), nn.LeakyReLU(),
                                     nn.Linear(100, 50), nn.LeakyReLU(), nn.Linear(50, z))
        self.decoder = nn.Sequential(nn.Linear(z, 50), nn.LeakyReLU(), nn.Linear(50, 100), nn.LeakyReLU(),
                                     nn.Linear(100, 200), nn.LeakyReLU(), nn.Linear(200, n))

    def forward(self, x):
        return self.decoder(self.encoder(x))


DTYPES = {"float64": torch.float64, "float32": torch.float32}
AMP = {"bf16": torch.bfloat16, "fp16": torch.float16}


def make_job(spec, data_cpu, dev, seed):
    """Model, optimiser and data for one job; returns a closure running the job, and its steps."""
    name, kind, epochs, batch, dtype, amp, loader, _ = spec
    torch.manual_seed(seed)
    dt = DTYPES[dtype]
    model = AE().to(dev, dt)
    n = data_cpu.shape[0]
    nb = (n + batch - 1) // batch
    if kind == "compress":
        model.eval()
        x = data_cpu.to(dev, dt)

        def run():
            with torch.inference_mode():
                for _ in range(epochs):
                    for i in range(0, n, batch):
                        if amp != "none":
                            with torch.autocast("cuda", dtype=AMP[amp]):
                                model(x[i:i + batch])
                        else:
                            model(x[i:i + batch])
            return None
        return run, epochs * nb, n * epochs

    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    scaler = torch.amp.GradScaler("cuda") if amp == "fp16" else None
    if loader == "dataloader":
        ds = torch.utils.data.TensorDataset(data_cpu.to(dt))
        dl = torch.utils.data.DataLoader(ds, batch_size=batch, shuffle=False)
        batches = lambda: (b[0].to(dev) for b in dl)  # noqa: E731
    else:
        x = data_cpu.to(dev, dt)
        batches = lambda: (x[i:i + batch] for i in range(0, n, batch))  # noqa: E731

    def step(xb):
        opt.zero_grad(set_to_none=True)
        if amp == "none":
            loss = F.mse_loss(model(xb), xb)
            loss.backward()
            opt.step()
        elif scaler is None:
            with torch.autocast("cuda", dtype=AMP[amp]):
                loss = F.mse_loss(model(xb), xb)
            loss.backward()
            opt.step()
        else:
            with torch.autocast("cuda", dtype=AMP[amp]):
                loss = F.mse_loss(model(xb), xb)
            scaler.scale(loss).backward()
            scaler.step(opt)
            scaler.update()
        return loss

    def run():
        model.train()
        loss = None
        for _ in range(epochs):
            for xb in batches():
                loss = step(xb)
        return loss
    return run, epochs * nb, n * epochs


def measure_job(spec, data_cpu, dev, nvml, seed, settle=0.15):
    run, steps, samples = make_job(spec, data_cpu, dev, seed)
    torch.cuda.synchronize()
    sampler = Sampler(nvml)
    sampler.start()
    time.sleep(settle)  # a few samples before the job, as in r0's logs
    torch.cuda.synchronize()
    e0 = nvml.energy_mj()
    c0 = time.process_time()
    t0 = time.perf_counter()
    loss = run()
    torch.cuda.synchronize()
    t1 = time.perf_counter()
    c1 = time.process_time()
    e1 = nvml.energy_mj()
    sampler.stop()
    final_loss = "" if loss is None else repr(float(loss.item()))
    return {"duration": t1 - t0, "energy_j": (e1 - e0) / 1000.0, "cpu": c1 - c0, "steps": steps,
            "samples": samples, "final_loss": final_loss, "lines": sampler.lines}


def warmup(data_cpu, dev):
    """Untimed: CUDA context, cuBLAS handles, autocast and optimiser kernels for every configuration."""
    small = data_cpu[:4096 * 4]
    for spec in JOBS:
        name, kind, _, batch, dtype, amp, loader, r0 = spec
        mini = (name, kind, 1, batch, dtype, amp, "gpu", r0)
        run, _, _ = make_job(mini, small, dev, 0)
        run()
    torch.cuda.synchronize()


def write_rep(outdir, k, rows, power):
    paths = []
    p = os.path.join(outdir, f"jobs_r{k}.csv")
    with open(p, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(COLUMNS)
        for r in rows:
            w.writerow([r[c] for c in COLUMNS])
    paths.append(p)
    for job, lines in power.items():
        p = os.path.join(outdir, f"power_{job}_r{k}.csv")
        with open(p, "w") as f:
            f.write(POWER_HEADER)
            f.writelines(lines)
        paths.append(p)
    return paths


def calibrate(data_cpu, dev):
    """Short per-step timings of a few configurations (printed only), to compare with r0."""
    def timed(spec, seed=0):
        run, steps, _ = make_job(spec, data_cpu, dev, seed)
        torch.cuda.synchronize()
        t = time.perf_counter()
        run()
        torch.cuda.synchronize()
        return time.perf_counter() - t, steps

    for spec, r0 in [(("fp32_gpu_b512", "train", 1, 512, "float32", "none", "gpu", 0), 14.2359 / 5080),
                     (("fp64_gpu_b512", "train", 1, 512, "float64", "none", "gpu", 0), 14.8751 / 5080),
                     (("compress_fp32_b4096", "compress", 2, 4096, "float32", "none", "gpu", 0), 0.8561 / 2540),
                     (("compress_bf16_b4096", "compress", 2, 4096, "float32", "bf16", "gpu", 0), 1.7095 / 2540),
                     (("compress_fp64_b512", "compress", 1, 512, "float64", "none", "gpu", 0), 6.5876 / 20320)]:
        for _ in range(2):
            d, s = timed(spec)
            print(f"calibrate {spec[0]:28s} full network: {1e6 * d / s:8.1f} us/step   r0 {1e6 * r0:8.1f}")
    # compression through the encoder alone, for comparison with r0's per-step time
    for dtype, amp, b, r0 in [("float32", "none", 4096, 0.8561 / 2540), ("float32", "bf16", 4096, 1.7095 / 2540),
                              ("float64", "none", 512, 6.5876 / 20320)]:
        torch.manual_seed(0)
        m = AE().to(dev, DTYPES[dtype]).eval()
        x = data_cpu.to(dev, DTYPES[dtype])
        n = x.shape[0]
        for _ in range(2):
            torch.cuda.synchronize()
            t = time.perf_counter()
            with torch.inference_mode():
                for i in range(0, n, b):
                    if amp != "none":
                        with torch.autocast("cuda", dtype=AMP[amp]):
                            m.encoder(x[i:i + b])
                    else:
                        m.encoder(x[i:i + b])
            torch.cuda.synchronize()
            d = time.perf_counter() - t
            s = (n + b - 1) // b
            print(f"calibrate encoder-only {dtype}/{amp}/b{b}: {1e6 * d / s:8.1f} us/step   r0 {1e6 * r0:8.1f}")
    # the DataLoader path: 200 batches
    ds = torch.utils.data.TensorDataset(data_cpu.to(torch.float64))
    dl = torch.utils.data.DataLoader(ds, batch_size=512, shuffle=False)
    t = time.perf_counter()
    for j, b in enumerate(dl):
        b[0].to(dev)
        if j == 199:
            break
    torch.cuda.synchronize()
    print(f"calibrate dataloader fetch only: {1e6 * (time.perf_counter() - t) / 200:8.1f} us/batch   "
          f"r0 whole step {1e6 * 11.6777 / 2032:8.1f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="measure_out")
    ap.add_argument("--reps", type=int, nargs="+", default=[1])
    ap.add_argument("--rest", type=float, default=5.0, help="seconds of rest before each job")
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of the 520,000 rows (smoke tests)")
    ap.add_argument("--jobs", nargs="*", help="only these jobs")
    ap.add_argument("--deadline-s", type=float, default=0, help="stop before a job that could end past this")
    ap.add_argument("--pack", help="directory for measure_r<k>.tar.gz, written as each repetition completes")
    ap.add_argument("--calibrate", action="store_true")
    ap.add_argument("--ctypes", action="store_true", help="use ctypes on libnvidia-ml.so.1 even if pynvml works")
    a = ap.parse_args()

    start = time.perf_counter()
    dev = torch.device("cuda", 0)
    nvml = NVML(0, force_ctypes=a.ctypes)
    rows = max(4096, int(round(ROWS * a.scale)))
    g = torch.Generator().manual_seed(0)
    data_cpu = torch.randn(rows, FEATURES, generator=g, dtype=torch.float32)
    meta = {"torch": torch.__version__, "cuda": torch.version.cuda, "device": torch.cuda.get_device_name(0),
            "nvml": nvml.info(), "rows": rows, "rest_s": a.rest, "python": sys.version.split()[0],
            "started": datetime.datetime.now().isoformat(timespec="seconds")}
    print("meta", json.dumps(meta), flush=True)
    t = time.perf_counter()
    warmup(data_cpu, dev)
    print(f"warm-up {time.perf_counter() - t:.1f} s", flush=True)
    if a.calibrate:
        calibrate(data_cpu, dev)
        return 0
    os.makedirs(a.out, exist_ok=True)
    if a.pack:
        os.makedirs(a.pack, exist_ok=True)
    jobs = [j for j in JOBS if not a.jobs or j[0] in a.jobs]
    stopped = False
    for k in a.reps:
        results, power = [], {}
        for idx, spec in enumerate(jobs):
            name, kind, epochs, batch, dtype, amp, loader, r0 = spec
            if a.deadline_s and time.perf_counter() - start + a.rest + 1.5 * r0 * a.scale + 3 > a.deadline_s:
                print(f"deadline: r{k} stops before {name}", flush=True)
                stopped = True
                break
            time.sleep(a.rest)
            info = nvml.info()
            m = measure_job(spec, data_cpu, dev, nvml, seed=1000 * k + idx)
            power[name] = m["lines"]
            row = {"job": name, "kind": kind, "rows": rows * epochs if kind == "compress" else rows,
                   "features": FEATURES, "epochs": epochs, "batch": batch, "dtype": dtype, "amp": amp,
                   "loader": loader, "steps": m["steps"], "duration_s": f"{m['duration']:.4f}",
                   "gpu_energy_j": f"{m['energy_j']:.3f}", "samples_per_s": f"{m['samples'] / m['duration']:.1f}",
                   "final_loss": m["final_loss"], "cpu_time_s": f"{m['cpu']:.3f}", "rep": k}
            results.append(row)
            print(f"r{k} {name:30s} {m['duration']:8.3f} s {m['energy_j']:9.1f} J {len(m['lines']):4d} samples "
                  f"loss {m['final_loss'] or '-':>22s} cpu {m['cpu']:.2f} s  before: {info.get('temperature_c')} C "
                  f"SM {info.get('sm_clock_mhz')} MHz  t+{time.perf_counter() - start:.0f} s", flush=True)
        paths = write_rep(a.out, k, results, power)
        complete = len(results) == len(jobs)
        if a.pack:
            tname = os.path.join(a.pack, f"measure_r{k}{'' if complete else '_incomplete'}.tar.gz")
            with tarfile.open(tname, "w:gz") as tf:
                for p in paths:
                    tf.add(p, arcname=os.path.basename(p))
                mb = json.dumps(dict(meta, rep=k, complete=complete,
                                     finished=datetime.datetime.now().isoformat(timespec="seconds"))).encode()
                ti = tarfile.TarInfo(f"meta_r{k}.json")
                ti.size = len(mb)
                tf.addfile(ti, io.BytesIO(mb))
        print(f"r{k} {'complete' if complete else 'INCOMPLETE'}: {len(results)} jobs, "
              f"t+{time.perf_counter() - start:.0f} s", flush=True)
        if stopped:
            break
    return 0


if __name__ == "__main__":
    sys.exit(main())
