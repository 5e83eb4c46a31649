#!/usr/bin/env bash
# Downhill vs PyTorch / scikit-learn / Vowpal Wabbit, interleaved; prints one table.
# Usage: bench/peers/run.sh [peers.py options, e.g. --sections a --sizes 1e7 --rounds 3]
# Env: PEERS_VENV (default /tmp/downhill-peers) — created with /work/shared/tools/peer-venv.sh
# when missing, else with pip from PyPI (torch, scikit-learn, numpy, vowpalwabbit).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${PEERS_VENV:-/tmp/downhill-peers}"
if ! "$venv/bin/python" -c "import torch, sklearn, vowpalwabbit" 2>/dev/null; then
  if [ -x /work/shared/tools/peer-venv.sh ]; then
    DOWNHILL_PEERS="$venv" /work/shared/tools/peer-venv.sh >/dev/null
  else
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q torch numpy scikit-learn vowpalwabbit
  fi
fi
(cd "$root" && cargo build --release -p downhill-cli)
exec "$venv/bin/python" "$here/peers.py" --downhill "$root/target/release/downhill" "$@"
