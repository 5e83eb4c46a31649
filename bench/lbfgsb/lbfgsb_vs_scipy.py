#!/usr/bin/env python3
"""L-BFGS-B: Downhill against SciPy on a 1000-variable bounded Rosenbrock, in one invocation.

    cargo build --release -p downhill-cli
    /tmp/downhill-peers/bin/python bench/lbfgsb/lbfgsb_vs_scipy.py [--repeats 5]

The problem: f(x) = Σ 100(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)², n = 1000, from x0 = 0, with
−2 ≤ xᵢ ≤ 0.8 for even i and −2 ≤ xᵢ ≤ 2 for odd i (the solution lies on the boundary).
Both run with their defaults (m = maxcor = 10, pgtol = gtol = 1e-5, factr = 1e7 i.e.
ftol = 2.2e-9). Downhill's time is the run alone, as `downhill compare --json` reports it
(`wall_time_s`: no process start, no parsing); SciPy's is `minimize(...)` with an analytic
gradient in NumPy. Runs alternate (Downhill, SciPy, Downhill, …) and the table shows medians.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import scipy
from scipy.optimize import minimize

N = 1000
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, "target", "release", "downhill")


def rosen(x):
    return float(np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2))


def rosen_grad(x):
    g = np.zeros_like(x)
    g[:-1] += -400.0 * x[:-1] * (x[1:] - x[:-1] ** 2) - 2.0 * (1 - x[:-1])
    g[1:] += 200.0 * (x[1:] - x[:-1] ** 2)
    return g


def bounds():
    return [(-2.0, 0.8) if i % 2 == 0 else (-2.0, 2.0) for i in range(N)]


def config():
    b = ", ".join(f"[{lo}, {hi}]" for lo, hi in bounds())
    x0 = ", ".join("0.0" for _ in range(N))
    return (
        f'[problem]\nfunction = "rosenbrock"\nx0 = [{x0}]\nbounds = [{b}]\n\n'
        "[run]\nsteps = 15000\n\n[[optimizers]]\nname = \"lbfgsb\"\n"
    )


def downhill(path):
    out = subprocess.run([BIN, "compare", path, "--json"], check=True, capture_output=True, text=True)
    r = json.loads(out.stdout)["runs"][0]
    return {"time": r["wall_time_s"], "f": r["f"], "nit": r["iterations"],
            "nfev": r["evaluations"]["gradient"], "x": np.array(r["x"])}


def scipy_run():
    t = time.perf_counter()
    r = minimize(rosen, np.zeros(N), jac=rosen_grad, method="L-BFGS-B", bounds=bounds())
    return {"time": time.perf_counter() - t, "f": float(r.fun), "nit": int(r.nit),
            "nfev": int(r.nfev), "x": r.x}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    if not os.path.exists(BIN):
        sys.exit(f"{BIN} missing: cargo build --release -p downhill-cli")
    with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as fh:
        fh.write(config())
        path = fh.name
    try:
        runs = {"downhill": [], "scipy": []}
        for _ in range(args.repeats):
            runs["downhill"].append(downhill(path))
            runs["scipy"].append(scipy_run())
    finally:
        os.unlink(path)
    med = {k: float(np.median([r["time"] for r in v])) for k, v in runs.items()}
    d, s = runs["downhill"][0], runs["scipy"][0]
    print(f"L-BFGS-B, bounded Rosenbrock, n = {N}, SciPy {scipy.__version__}, "
          f"median of {args.repeats} interleaved runs")
    print(f"{'':10} {'wall time':>12} {'iterations':>11} {'evaluations':>12} {'final f':>14}")
    for name, r in [("downhill", d), ("scipy", s)]:
        print(f"{name:10} {med[name] * 1e3:9.2f} ms {r['nit']:>11} {r['nfev']:>12} {r['f']:>14.8e}")
    print(f"time ratio scipy / downhill = {med['scipy'] / med['downhill']:.2f}; "
          f"evaluations ratio = {s['nfev'] / d['nfev']:.2f}; "
          f"max |x_downhill − x_scipy| = {np.max(np.abs(d['x'] - s['x'])):.2e}")


if __name__ == "__main__":
    main()
