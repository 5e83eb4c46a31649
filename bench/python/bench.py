"""The Python binding's speed, as a table (issue 25's targets):

  a. an Adam step on 10 float64 elements, per call from Python (target <= 1 us), beside torch's
     Adam with fused=True / foreach=True / default when torch is importable;
  b. an Adam step on 10^7 float32 elements from Python vs the same step in Rust alone
     (target: within 10 %);
  c. 10 000 Adam steps on the built-in Rosenbrock through downhill.minimize (target <= 5 ms);
  d. a Python callable objective (jac=True): cost per step (target <= 3 us).

Run with a release build installed (`pip install .`), from any directory:
    python bench/python/bench.py            # all rows
    python bench/python/bench.py --quick    # fewer repetitions
The torch column needs torch in the same interpreter (e.g. the peer venv).
"""

import argparse
import platform
import time

import numpy as np

import downhill


def best_of(fn, reps, inner):
    best = float("inf")
    for _ in range(reps):
        t = time.perf_counter()
        fn(inner)
        best = min(best, (time.perf_counter() - t) / inner)
    return best


def small_step(reps, inner):
    x, g = np.linspace(-1, 1, 10), np.full(10, 0.1)
    opt = downhill.optim.Adam(lr=1e-3)
    step = opt.step

    def run(k):
        for _ in range(k):
            step(x, g)

    return best_of(run, reps, inner)


def torch_small_steps(reps, inner):
    try:
        import torch
    except ImportError:
        return {}
    # One intra-op thread: a 10-element step has nothing to share, and spinning workers only
    # measure the machine's load.
    torch.set_num_threads(1)
    out = {}
    for label, kw in (("fused", {"fused": True}), ("foreach", {"foreach": True}), ("default", {})):
        p = torch.nn.Parameter(torch.linspace(-1, 1, 10, dtype=torch.float64))
        p.grad = torch.full((10,), 0.1, dtype=torch.float64)
        try:
            opt = torch.optim.Adam([p], lr=1e-3, **kw)
            opt.step()
        except (RuntimeError, TypeError) as e:  # fused needs a device/dtype torch supports
            out[label] = f"n/a ({str(e).splitlines()[0][:40]})"
            continue

        def run(k, opt=opt):
            for _ in range(k):
                opt.step()

        out[label] = best_of(run, reps, max(inner // 20, 100))
    return out


def big_step(reps):
    """Interleaved rounds (Python step, then the Rust-only step), so that both see the same
    machine; returns the best times and the median of the per-round ratios."""
    n = 10_000_000
    x, g = np.full(n, 0.5, dtype=np.float32), np.full(n, 0.25, dtype=np.float32)
    opt = downhill.optim.Adam(lr=1e-3)
    opt.step(x, g)
    pys, rusts = [], []
    for _ in range(reps):
        pys.append(best_of(lambda k: opt.step(x, g), 3, 1))
        rusts.append(downhill._core._bench_rust_step("adam", '{"lr": 0.001}', n, True, 3))
    ratios = sorted(p / r for p, r in zip(pys, rusts))
    return min(pys), min(rusts), ratios[len(ratios) // 2]


def rosenbrock(reps):
    return best_of(lambda k: downhill.minimize("rosenbrock", [-1.2, 1.0], method="adam", lr=1e-3, steps=10_000),
                   reps, 1)


def _rosen_and_grad(x):
    a, b = x[0], x[1]
    return (1 - a) ** 2 + 100 * (b - a * a) ** 2, np.array(
        [-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)])


def callable_cost(reps):
    steps = 10_000
    t = best_of(lambda k: downhill.minimize(_rosen_and_grad, [-1.2, 1.0], jac=True, method="adam", lr=1e-3,
                                            steps=steps), reps, 1)
    x = np.array([-1.2, 1.0])

    def alone(k):
        for _ in range(k):
            _rosen_and_grad(x)

    return t / steps, best_of(alone, reps, steps)


def fmt(t):
    if isinstance(t, str):
        return t
    return f"{t * 1e6:.3f} µs" if t < 1e-3 else f"{t * 1e3:.3f} ms"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    reps = 3 if a.quick else 7
    inner = 20_000 if a.quick else 200_000
    print(f"downhill {downhill.__version__}, numpy {np.__version__}, Python {platform.python_version()}, "
          f"{downhill.get_num_threads()} threads, {platform.machine()}")
    rows = []
    s = small_step(reps, inner)
    rows.append(("a. Adam step, 10 float64, per call", fmt(s), "<= 1 µs", "ok" if s <= 1e-6 else "MISSED"))
    for label, t in torch_small_steps(reps, inner).items():
        ratio = "" if isinstance(t, str) else f"{t / s:.0f}x downhill"
        rows.append((f"   torch Adam {label}", fmt(t), "", ratio))
    py, rust, ratio = big_step(reps)
    rows.append(("b. Adam step, 1e7 float32, from Python", fmt(py), "", ""))
    rows.append(("   the same step in Rust alone", fmt(rust), "within 10 %",
                 f"median round {ratio:.3f}x " + ("ok" if ratio <= 1.10 else "MISSED")))
    r = rosenbrock(reps)
    rows.append(("c. 10 000 Adam steps, built-in Rosenbrock", fmt(r), "<= 5 ms", "ok" if r <= 5e-3 else "MISSED"))
    c, alone = callable_cost(reps)
    rows.append(("d. callable objective (jac=True), per step", fmt(c), "<= 3 µs", "ok" if c <= 3e-6 else "MISSED"))
    rows.append(("   the callable alone (its own Python cost)", fmt(alone), "",
                 f"downhill's share {fmt(c - alone)}"))
    w = max(len(r[0]) for r in rows)
    print(f"| {'what'.ljust(w)} | time (best of {reps}) | target | verdict |")
    print(f"|{'-' * (w + 2)}|---:|---|---|")
    for what, t, target, verdict in rows:
        print(f"| {what.ljust(w)} | {t} | {target} | {verdict} |")


if __name__ == "__main__":
    main()
