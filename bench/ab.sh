#!/usr/bin/env bash
# Before/after of one change, interleaved in one run: `bench/ab.sh OLD_BINARY NEW_BINARY [ROUNDS]`
# (build the old commit's `downhill` first and copy it aside). Runs bench step (adam and
# sgd_momentum at 1e7 f32) and bench train (linear 1e6 x 100 batch 256, 2 epochs; MLP
# 784-256-10 on 60 000 samples, batch 64) alternately with each binary, then prints the medians,
# the ratio new/old, and whether the final losses agree bit for bit.
set -euo pipefail
old=${1:?old binary}; new=${2:?new binary}; rounds=${3:-5}
out=$(mktemp)
for _ in $(seq "$rounds"); do
  for who in old new; do
    bin=${!who}
    "$bin" bench step --optimizer adam --params 1e7 --json | python3 -c "import json,sys;d=json.load(sys.stdin);print('$who step_adam_ms', d['ns_per_step_median']/1e6, '-')" >>"$out"
    "$bin" bench step --optimizer sgd_momentum --params 1e7 --json | python3 -c "import json,sys;d=json.load(sys.stdin);print('$who step_sgd_momentum_ms', d['ns_per_step_median']/1e6, '-')" >>"$out"
    "$bin" bench train --model linear --n 1e6 --features 100 --batch-size 256 --epochs 2 --json | python3 -c "import json,sys;d=json.load(sys.stdin);print('$who train_linear_Msamples_s', d['samples_per_s']/1e6, repr(d['final_loss']))" >>"$out"
    "$bin" bench train --model mlp --n 60000 --features 784 --hidden 256 --classes 10 --batch-size 64 --json | python3 -c "import json,sys;d=json.load(sys.stdin);print('$who train_mlp_ksamples_s', d['samples_per_s']/1e3, repr(d['final_loss']))" >>"$out"
  done
done
python3 - "$out" <<'PY'
import sys, statistics, collections
v = collections.defaultdict(list); loss = collections.defaultdict(set)
for line in open(sys.argv[1]):
    who, what, x, l = line.split()
    v[(who, what)].append(float(x)); loss[what].add(l)
print(f"{'workload':28} {'old (median)':>14} {'new (median)':>14} {'new/old':>8}  losses equal")
for what in dict.fromkeys(k[1] for k in v):
    o, n = statistics.median(v[('old', what)]), statistics.median(v[('new', what)])
    print(f"{what:28} {o:14.3f} {n:14.3f} {n/o:8.3f}  {len(loss[what]) == 1}")
PY
rm -f "$out"
