#!/bin/bash
# Measuring jobs with `wattscale measure` (README, "Measuring a job: wattscale measure").
#
# 1. One job on a workstation or a GPU node: the whole machine's GPUs and CPU packages, one profile.
#
#      wattscale measure --job baler-train --work 520000 --work-unit samples -- python train.py --epochs 3
#
#    A job that counts its own work writes it to a file, read once the job ends:
#
#      wattscale measure --job toptag --work-file /tmp/work.txt --work-unit jets -- python tag.py --out /tmp/work.txt
#
# 2. A Slurm job, as a batch script (sbatch examples/measure_slurm.sh). Each task runs under
#    `wattscale measure`; the store is a file every node can write to (or one per node, merged later by
#    `wattscale ingest` of the --output files).
#SBATCH --job-name=measure-example
#SBATCH --nodes=2
#SBATCH --ntasks-per-node=4
#SBATCH --gpus-per-task=1
#SBATCH --time=01:00:00
set -eu
mkdir -p measure-out

# --scope node (the default): on each node only local rank 0 (SLURM_LOCALID 0) measures, the node's
# GPUs and CPU packages, from its start to its end; ranks 1-3 run unmeasured. One profile per node, no
# double counting of a node's devices by its four ranks.
srun bash -c 'wattscale measure --job ddp-train --output "measure-out/node-$SLURMD_NODENAME.csv" --no-store \
    -- python train.py'

# --scope rank: every rank stores its own share: the GPU Slurm gave it (CUDA_VISIBLE_DEVICES, or
# --gpus), whole unless NVML shows other processes on it, and the CPU packages' energy times its
# share of the node's busy CPU time. One profile per rank; the ranks' sum is the node's attributed use.
srun bash -c 'wattscale measure --scope rank --job ddp-train-rank \
    --output "measure-out/rank-$SLURM_PROCID.csv" --no-store -- python train.py'

# Later, anywhere: store the profiles.
wattscale ingest measure-out/*.csv
