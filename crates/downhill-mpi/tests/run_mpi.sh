#!/usr/bin/env bash
# MPI end-to-end tests of downhill-mpi (what CI runs after installing Open MPI):
#   apt-get install -y libopenmpi-dev openmpi-bin libclang-dev
#   crates/downhill-mpi/tests/run_mpi.sh            # ranks 1 and 2
#   DOWNHILL_MPI_RANKS="1 2 4" crates/downhill-mpi/tests/run_mpi.sh
# Builds downhill-mpi and the CLI with their `mpi` features and runs the crate's tests (in-process
# ranks, and the MPI backend compiled) and the CLI's tests/mpi.rs (`downhill train` on linreg and
# the digits MLP: equal results on any rank count, ring allreduce, a corrupt shard, resume on
# another rank count, an unwritable checkpoint), each starting
# `mpirun --allow-run-as-root --oversubscribe -np K`.
set -euo pipefail
cd "$(dirname "$0")/../../.."
if ! command -v mpirun >/dev/null 2>&1; then
    echo "note: mpirun not found; MPI tests skipped (apt-get install -y libopenmpi-dev openmpi-bin libclang-dev)"
    exit 0
fi
export DOWNHILL_MPI_RANKS="${DOWNHILL_MPI_RANKS:-1 2}"
cargo test -p downhill-mpi --features mpi
cargo test -p downhill-cli --features mpi --test mpi
