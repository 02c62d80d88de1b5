#!/usr/bin/env python3
"""One training job for `wattscale measure` on a GPU (data/measured/h200/, bench/measure/run_h200.py).

Workloads:
  baler   the Baler-style autoencoder of data/measured/h100 (24 -> 200 -> 100 -> 50 -> 15 -> 50 -> 100 ->
          200 -> 24, LeakyReLU, Adam lr 1e-3, MSE) on 520,000 x 24 torch.randn rows held on the GPU.
  toptag  a top-tagging-style classifier on SYNTHETIC jets (no real or simulated physics events): a small
          particle-cloud transformer (per-constituent Linear 4 -> 64, two TransformerEncoder layers with
          4 heads and 128 hidden units, mean pooling, Linear 64 -> 2; Adam lr 1e-3, cross entropy) on
          200,000 jets of 64 constituents (log pT, delta-eta, delta-phi, log E). "Top" jets scatter their
          constituents around three prong axes, "QCD" jets around one; the generator is below.
Precision: fp32, or bf16 through torch.autocast (weights and optimiser in fp32).
The job trains whole epochs until --seconds of training have passed (host clock, then synchronised), and
writes the work done (training samples = steps x batch) to --work-file for `wattscale measure
--work-file`. It prints one JSON line: steps, epochs, samples, train seconds, final loss (and accuracy on
20,000 held-out synthetic jets for toptag).
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class AE(nn.Module):
    def __init__(self, n=24, z=15):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(n, 200), nn.LeakyReLU(), nn.Linear(200, 100), nn.LeakyReLU(),
                                     nn.Linear(100, 50), nn.LeakyReLU(), nn.Linear(50, z))
        self.decoder = nn.Sequential(nn.Linear(z, 50), nn.LeakyReLU(), nn.Linear(50, 100), nn.LeakyReLU(),
                                     nn.Linear(100, 200), nn.LeakyReLU(), nn.Linear(200, n))

    def forward(self, x):
        return self.decoder(self.encoder(x))


class JetTransformer(nn.Module):
    def __init__(self, d=64, heads=4, ff=128, layers=2):
        super().__init__()
        self.embed = nn.Linear(4, d)
        layer = nn.TransformerEncoderLayer(d, heads, ff, dropout=0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.head = nn.Linear(d, 2)

    def forward(self, x):
        return self.head(self.encoder(self.embed(x)).mean(dim=1))


def synthetic_jets(n, n_const, gen, dev):
    """Synthetic jets, labels 1 = 'top' (three prongs), 0 = 'QCD' (one prong)."""
    label = torch.randint(0, 2, (n,), generator=gen, device=dev)
    axes = 0.4 * torch.randn(n, 3, 2, generator=gen, device=dev)            # prong axes (eta, phi)
    axes[:, 0] = 0.0                                                          # the jet axis
    weights = torch.tensor([[1.0, 0.0, 0.0], [0.45, 0.33, 0.22]], device=dev)[label]
    prong = torch.multinomial(weights, n_const, replacement=True, generator=gen)  # constituent -> prong
    centre = torch.gather(axes, 1, prong.unsqueeze(-1).expand(-1, -1, 2))
    spread = torch.where(label == 1, 0.05, 0.12).view(n, 1, 1)
    pos = centre + spread * torch.randn(n, n_const, 2, generator=gen, device=dev)
    log_pt = 1.5 + 1.0 * torch.randn(n, n_const, generator=gen, device=dev) - 2.0 * pos.norm(dim=-1)
    log_e = log_pt + torch.log(torch.cosh(pos[..., 0]))
    x = torch.stack([log_pt, pos[..., 0], pos[..., 1], log_e], dim=-1)
    return x, label


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workload", choices=["baler", "toptag"], required=True)
    ap.add_argument("--precision", choices=["fp32", "bf16"], required=True)
    ap.add_argument("--batch", type=int, required=True)
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--work-file", required=True)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    dev = torch.device("cuda")
    gen = torch.Generator(device=dev)
    gen.manual_seed(a.seed)
    torch.manual_seed(1000 + a.seed)
    if a.workload == "baler":
        x = torch.randn(520_000, 24, generator=gen, device=dev)
        y = None
        model = AE().to(dev)
    else:
        x, y = synthetic_jets(200_000, 64, gen, dev)
        xt, yt = synthetic_jets(20_000, 64, gen, dev)
        model = JetTransformer().to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    amp = torch.autocast("cuda", dtype=torch.bfloat16, enabled=a.precision == "bf16")
    n = x.shape[0]
    steps = epochs = 0
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    loss = None
    while time.perf_counter() - t0 < a.seconds:
        perm = torch.randperm(n, generator=gen, device=dev)
        for i in range(0, n - a.batch + 1, a.batch):
            idx = perm[i:i + a.batch]
            xb = x[idx]
            with amp:
                out = model(xb)
                loss = F.mse_loss(out.float(), xb) if y is None else F.cross_entropy(out.float(), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            steps += 1
        epochs += 1
    torch.cuda.synchronize()
    train_s = time.perf_counter() - t0
    result = {"workload": a.workload, "precision": a.precision, "batch": a.batch, "steps": steps,
              "epochs": epochs, "samples": steps * a.batch, "train_s": round(train_s, 3),
              "final_loss": round(float(loss), 5), "gpu": torch.cuda.get_device_name(0),
              "torch": torch.__version__}
    if y is not None:
        with torch.no_grad(), amp:
            correct = sum(int((model(xt[i:i + 2000]).argmax(-1) == yt[i:i + 2000]).sum())
                          for i in range(0, xt.shape[0], 2000))
        result["heldout_accuracy"] = round(correct / xt.shape[0], 4)
    with open(a.work_file, "w") as f:
        f.write(f"{steps * a.batch}\n")
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
