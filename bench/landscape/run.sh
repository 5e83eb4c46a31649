#!/usr/bin/env bash
# A 41×41 loss surface of the digits MLP (64-32-10) over its training set: Downhill
# (`downhill landscape --model`) against PyTorch (a loop over the grid evaluating an nn.Module,
# as tomgoldstein/loss-landscape's plot_surface.py does), interleaved; prints one table.
# Usage: bench/landscape/run.sh [--rounds N]
# Env: PEERS_VENV (default /tmp/downhill-peers) — created with /work/shared/tools/peer-venv.sh
# when missing, else with pip from PyPI (torch, scikit-learn, numpy).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${PEERS_VENV:-/tmp/downhill-peers}"
if ! "$venv/bin/python" -c "import torch, sklearn" 2>/dev/null; then
  if [ -x /work/shared/tools/peer-venv.sh ]; then
    DOWNHILL_PEERS="$venv" /work/shared/tools/peer-venv.sh >/dev/null
  else
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q torch numpy scikit-learn
  fi
fi
(cd "$root" && cargo build --release -p downhill-cli)
exec "$venv/bin/python" "$here/landscape.py" --downhill "$root/target/release/downhill" "$@"
