#!/bin/bash
# A Slurm batch script for a stackrace sweep across a cluster (here the Saltelli sweep
# over the export-control parameters): 8 nodes, one MPI rank per node, each rank using
# all of its node's cores through oneTBB. Rank 0 writes the one result file (put it on a
# file system every node can see) and hands out runs to the other ranks as they free up.
#
#   sbatch worlds/sweeps/slurm_example.sh
#
# If the job is killed (time limit, pre-emption), resubmit it with RESUME=--resume: the
# file holds every run finished so far, and only the missing ones are run.
#SBATCH --job-name=stackrace-sweep
#SBATCH --nodes=8
#SBATCH --ntasks-per-node=1
#SBATCH --cpus-per-task=32
#SBATCH --time=12:00:00
#SBATCH --output=stackrace-sweep-%j.log

set -euo pipefail
cd "${SLURM_SUBMIT_DIR:-.}"
SWEEP=${SWEEP:-worlds/sweeps/export_controls_sobol.toml}
OUTPUT=${OUTPUT:-results/export_controls_sobol.h5}
srun --mpi=pmix build/sim/stackrace sweep "$SWEEP" -o "$OUTPUT" --threads "$SLURM_CPUS_PER_TASK" ${RESUME:-}
