#!/usr/bin/python3
"""The pandas side of the ingest benchmark: what a notebook does with an nvidia-smi power log.

read_csv, parse the timestamps, strip the units from the power values, and integrate each GPU's
power over its own timestamps with the trapezoid rule. Prints one JSON line:
    {"tool": "pandas", "rows": N, "seconds": S, "energy_j": TOTAL, "energy_j_by_gpu": {...}}

Run it with Debian's interpreter, /usr/bin/python3 (python3-pandas, python3-numpy): the python3 on
PATH may be another one without pandas.

usage: /usr/bin/python3 bench/ingest_pandas.py FILE [--usecols]
  --usecols   read only the timestamp, index and power columns (faster; default reads every column,
              as a first notebook would)
"""
import json
import sys
import time

import numpy as np
import pandas as pd


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    path = argv[1]
    usecols = "--usecols" in argv[2:]
    t0 = time.perf_counter()
    cols = None
    if usecols:
        header = pd.read_csv(path, skipinitialspace=True, nrows=0).columns
        cols = [c for c in header if c == "timestamp" or c == "index" or c.startswith("power.draw")]
    df = pd.read_csv(path, skipinitialspace=True, usecols=cols)
    power_col = next(c for c in df.columns if c.startswith("power.draw"))
    ts = pd.to_datetime(df["timestamp"], format="%Y/%m/%d %H:%M:%S.%f")
    # "119.51 W" -> 119.51 (the unit is in every value when nvidia-smi runs without nounits).
    power = df[power_col]
    if power.dtype == object:
        power = power.str.removesuffix(" W").astype("float64")
    t_ns = ts.values.astype("int64")
    by_gpu = {}
    keys = df["index"].values if "index" in df.columns else np.zeros(len(df), dtype="int64")
    for gpu in pd.unique(keys):
        sel = keys == gpu
        t = t_ns[sel]
        t_s = (t - t[0]) / 1e9
        by_gpu[str(gpu)] = float(np.trapz(power.values[sel], t_s))
    seconds = time.perf_counter() - t0
    print(json.dumps({"tool": "pandas", "rows": int(len(df)), "seconds": round(seconds, 3),
                      "energy_j": sum(by_gpu.values()), "energy_j_by_gpu": by_gpu,
                      "pandas": pd.__version__, "usecols": usecols}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
