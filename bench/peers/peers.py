#!/usr/bin/env python3
"""Downhill vs its peers on the same workloads, interleaved in one invocation.

Runs `downhill bench ... --json` (a release build) as a subprocess and the peers (PyTorch CPU,
scikit-learn, Vowpal Wabbit) in this process, alternating round by round so that noise from a
shared machine hits both sides alike, keeps the best round of each, and prints one Markdown
table with Downhill/peer speed ratios (> 1 means Downhill is faster).

Sections:
  a  optimiser steps (Adam, AdamW, SGD-momentum) at 1e7 and 1e8 f32 parameters vs
     torch.optim default (single-tensor for-loop on CPU), foreach=True and fused=True;
  b  mini-batch SGD on a 1e6 x 100 linear regression, batch 256, 1 epoch, vs a plain PyTorch
     loop, sklearn SGDRegressor (learning_rate="constant", same lr, 1 epoch) and Vowpal Wabbit;
  c  one MLP epoch 784-256-10 (synthetic data of MNIST's shape) vs PyTorch CPU.

Usage: see bench/README.md (bench/peers/run.sh builds Downhill and calls this).
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

# The same allocation policy on both sides: Downhill backs large buffers (optimiser state,
# training vectors, the bench's parameters and gradients) with transparent huge pages, and
# PyTorch's CPU allocator does the same for allocations of 2 MiB and more when
# THP_MEM_ALLOC_ENABLE=1 (read once, at import). PEERS_TORCH_THP=0 measures PyTorch's default.
if os.environ.get("PEERS_TORCH_THP", "1") != "0":
    os.environ.setdefault("THP_MEM_ALLOC_ENABLE", "1")
import torch  # noqa: E402

BYTES_F32 = {"adam": 28, "adamw": 28, "sgd_momentum": 20}


def downhill(binary, *args):
    out = subprocess.run([binary, "bench", *args, "--json"], capture_output=True, text=True)
    if out.returncode != 0:
        return {"error": " ".join(out.stderr.split())}
    return json.loads(out.stdout)


def thread_counts(a):
    """PyTorch runs at 1 and at --threads threads and the faster counts: on a loaded machine
    its OpenMP workers can lose more to oversubscription than they gain."""
    return sorted({1, a.threads})


def best(xs):
    xs = [x for x in xs if x is not None]
    return min(xs) if xs else None


# ---------------------------------------------------------------- (a) optimiser steps
def torch_step_ns(name, n, variant, steps, threads):
    torch.set_num_threads(threads)
    p = torch.nn.Parameter(torch.ones(n, dtype=torch.float32))
    g = (torch.arange(n, dtype=torch.float32) % 1000 - 499.5) * 1e-3
    p.grad = g
    kw = {}
    if variant == "foreach":
        kw["foreach"] = True
    elif variant == "fused":
        kw["fused"] = True
    else:
        kw["foreach"] = False
    if name == "adam":
        opt = torch.optim.Adam([p], lr=1e-3, **kw)
    elif name == "adamw":
        opt = torch.optim.AdamW([p], lr=1e-3, **kw)
    else:
        opt = torch.optim.SGD([p], lr=1e-3, momentum=0.9, **kw)
    opt.step()  # allocates state
    times = []
    for _ in range(steps):
        t = time.perf_counter()
        opt.step()
        times.append(time.perf_counter() - t)
    del opt, p, g
    return min(times) * 1e9


def section_a(a, rows):
    for n in a.sizes:
        for name in ["adam", "adamw", "sgd_momentum"]:
            dh, dh16, peers = [], [], {"default": [], "foreach": [], "fused": []}
            limit = []
            for r in range(a.rounds):
                res = downhill(a.downhill, "step", "--optimizer", name, "--params", str(n),
                               "--steps", str(a.steps), "--threads", str(a.threads),
                               "--limit-elems", str(a.limit_elems if r == 0 else 0))
                if "error" in res:
                    dh.append(None)
                    err = res["error"]
                else:
                    dh.append(res["ns_per_step"])
                    if res.get("limit_gb_per_s"):
                        limit.append(res["limit_gb_per_s"])
                r16 = downhill(a.downhill, "step", "--optimizer", name, "--params", str(n),
                               "--steps", str(a.steps), "--threads", str(a.threads),
                               "--limit-elems", "0", "--state-precision", "bf16")
                dh16.append(r16.get("ns_per_step"))
                for v in peers:
                    peers[v].append(min(torch_step_ns(name, n, v, a.steps, th) for th in thread_counts(a)))
            d = best(dh)
            lim = best([-x for x in limit])
            lim = -lim if lim is not None else None
            gbs = BYTES_F32[name] * n / d if d else None
            row = {
                "workload": f"{name} step, {n:.0e} f32",
                "downhill": f"{d / 1e6:.2f} ms ({gbs:.1f} GB/s" + (f", {gbs / lim:.0%} of {lim:.1f})" if lim else ")") if d else f"n/a ({err})",
            }
            for v, ts in peers.items():
                t = best(ts)
                row[f"torch {v}"] = f"{t / 1e6:.2f} ms"
                row[f"ratio vs {v}"] = f"{t / d:.2f}x" if d else "n/a"
            d16 = best(dh16)
            row["downhill bf16 state"] = f"{d16 / 1e6:.2f} ms" if d16 else "n/a"
            row["bf16 ratio vs fused"] = f"{best(peers['fused']) / d16:.2f}x" if d16 else "n/a"
            rows.append(row)
            print(json.dumps(row), file=sys.stderr)


# ---------------------------------------------------------------- (b) linear regression
def make_linreg(n, d, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d), dtype=np.float32)
    w = rng.standard_normal(d).astype(np.float32)
    y = (X @ w + 0.5 + 0.1 * rng.standard_normal(n)).astype(np.float32)
    return X, y


def half_mse(X, y, w, b):
    r = X @ w + b - y
    return float(0.5 * np.mean(r.astype(np.float64) ** 2))


def torch_linreg(X, y, lr, batch, epochs, threads, seed=0):
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    model = torch.nn.Linear(X.shape[1], 1)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    t = time.perf_counter()
    for _ in range(epochs):
        perm = torch.randperm(X.shape[0])
        for i in range(0, X.shape[0], batch):
            idx = perm[i:i + batch]
            xb, yb = Xt[idx], yt[idx]
            loss = 0.5 * ((model(xb).squeeze(1) - yb) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
    dt = time.perf_counter() - t
    w = model.weight.detach().numpy()[0]
    b = float(model.bias.detach().numpy()[0])
    return dt, half_mse(X, y, w, b)


def sklearn_linreg(X, y, lr, epochs, seed=0):
    from sklearn.linear_model import SGDRegressor
    m = SGDRegressor(loss="squared_error", penalty=None, learning_rate="constant", eta0=lr,
                     max_iter=epochs, tol=None, shuffle=True, random_state=seed)
    import warnings
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m.fit(X, y)
    dt = time.perf_counter() - t
    return dt, half_mse(X, y, m.coef_.astype(np.float32), float(m.intercept_[0]))


def vw_file(X, y):
    """VW text input, written once per shape and reused (not timed)."""
    path = os.path.join(tempfile.gettempdir(), f"downhill-peers-linreg-{X.shape[0]}x{X.shape[1]}.vw")
    if not os.path.exists(path):
        fmt = "%.6g |f " + " ".join(f"{i}:%.6g" for i in range(X.shape[1]))
        np.savetxt(path + ".tmp", np.column_stack([y, X]), fmt=fmt)
        os.replace(path + ".tmp", path)
    return path


def vw_linreg(X, y, path, epochs):
    from vowpalwabbit import pyvw
    cache = path + ".cache"
    args = f"-d {path} --cache_file {cache} --passes {epochs} --loss_function squared --quiet"
    if not os.path.exists(cache):  # build VW's binary cache untimed, so VW runs at its fastest
        if epochs == 1:
            ws = pyvw.Workspace(args.replace("--passes 1", "--passes 2 --holdout_off"))
        else:
            ws = pyvw.Workspace(args + " --holdout_off")
        ws.run_parser()
        ws.finish()
    # pyvw may run the driver inside the constructor when -d is given: time both.
    t = time.perf_counter()
    ws = pyvw.Workspace(args + (" --holdout_off" if epochs > 1 else ""))
    ws.run_parser()
    dt = time.perf_counter() - t
    assert ws.get_weighted_examples() >= X.shape[0] * epochs, "VW did not see every example" 
    # Final training loss: predict every example with the learnt weights (VW's own
    # progressive loss would count early mistakes).
    w = np.array([ws.get_weight_from_name(str(i), "f") for i in range(X.shape[1])], dtype=np.float32)
    ex = ws.example("|f " + " ".join(f"{i}:{v:.6g}" for i, v in enumerate(X[0])))
    b = ws.predict(ex) - float(X[0] @ w)
    ws.finish()
    return dt, half_mse(X, y, w, b)


def section_b(a, rows):
    n, d, batch, epochs, lr = a.linreg_n, 100, 256, 1, a.lr
    X, y = make_linreg(n, d)
    vwpath = vw_file(X, y)
    dh, tl, sk, vw = [], [], [], []
    for r in range(a.rounds):
        res = downhill(a.downhill, "train", "--model", "linear", "--n", str(n), "--features",
                       str(d), "--batch-size", str(batch), "--epochs", str(epochs),
                       "--lr", str(lr), "--threads", str(a.threads),
                       "--limit-elems", str(a.limit_elems))
        dh.append(res)
        tl.append(min(torch_linreg(X, y, lr, batch, epochs, th) for th in thread_counts(a)))
        sk.append(sklearn_linreg(X, y, lr, epochs))
        vw.append(vw_linreg(X, y, vwpath, epochs))
    ok = [x for x in dh if "error" not in x]
    if ok:
        d_best = min(ok, key=lambda x: x["seconds"])
        d_sps, d_loss = d_best["samples_per_s"], d_best["final_loss"]
        dtxt = f"{d_sps / 1e6:.2f} M/s, loss {d_loss:.4g}"
        fr = sorted(x["fraction_of_limit"] for x in ok if x.get("fraction_of_limit") is not None)
        if fr:  # the median round's share of the in-process read probe
            dtxt += f", {fr[len(fr) // 2]:.0%} of the read limit"
        fg = sorted(x["fraction_of_row_gather"] for x in ok
                    if x.get("fraction_of_row_gather") is not None)
        if fg:  # ... and of the in-process random-order row-gather probe
            dtxt += f", {fg[len(fg) // 2]:.0%} of the row-gather limit"
    else:
        d_sps, dtxt = None, f"n/a ({dh[0]['error'][:60]})"
    row = {"workload": f"linreg {n:.0e}x{d}, batch {batch}, {epochs} epoch, lr {lr}", "downhill": dtxt}
    for name, runs in [("torch loop", tl), ("sklearn SGDRegressor", sk), ("VW", vw)]:
        t, loss = min(runs)
        sps = n * epochs / t
        row[name] = f"{sps / 1e6:.2f} M/s, loss {loss:.4g}"
        row[f"ratio vs {name}"] = f"{d_sps / sps:.1f}x" if d_sps else "n/a"
    # Each round's pair (Downhill M/s, the torch loop's M/s), for medians of ratios.
    row["rounds"] = [[round(x.get("samples_per_s", 0) / 1e6, 3), round(n * epochs / t[0] / 1e6, 3)]
                     for x, t in zip(dh, tl)]
    rows.append(row)
    print(json.dumps(row), file=sys.stderr)


# ---------------------------------------------------------------- (c) MLP epoch
def torch_mlp(n, batch, lr, threads, seed=0):
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    X = torch.randn(n, 784)
    y = torch.randint(0, 10, (n,))
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    lossf = torch.nn.CrossEntropyLoss()
    t = time.perf_counter()
    perm = torch.randperm(n)
    for i in range(0, n, batch):
        idx = perm[i:i + batch]
        loss = lossf(model(X[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return time.perf_counter() - t


def section_c(a, rows):
    n, batch, lr = a.mlp_n, 64, 0.01
    dh, tm = [], []
    for r in range(a.rounds):
        dh.append(downhill(a.downhill, "train", "--model", "mlp", "--n", str(n), "--features",
                           "784", "--hidden", "256", "--classes", "10", "--batch-size",
                           str(batch), "--epochs", "1", "--lr", str(lr), "--threads", str(a.threads)))
        tm.append(min(torch_mlp(n, batch, lr, th) for th in thread_counts(a)))
    ok = [x for x in dh if "error" not in x]
    t = min(tm)
    row = {"workload": f"MLP 784-256-10 epoch, n {n}, batch {batch}, Downhill {a.threads} threads"}
    if ok:
        d = min(x["seconds"] for x in ok)
        row["downhill"] = f"{n / d / 1e3:.1f} k/s, loss {min(ok, key=lambda x: x['seconds'])['final_loss']:.4g}"
        row["ratio vs torch"] = f"{t / d:.2f}x"
    else:
        row["downhill"] = f"n/a ({dh[0]['error'][:60]})"
    row["torch (best of 1, 2 threads)"] = f"{n / t / 1e3:.1f} k/s"
    # Per round (Downhill k/s, PyTorch k/s) and the median of the per-round ratios, as the
    # acceptance asks for medians of interleaved rounds.
    per = [(n / x["seconds"] / 1e3, n / tt / 1e3) for x, tt in zip(dh, tm) if "error" not in x]
    if per:
        row["median round ratio"] = f"{statistics.median(a_ / b_ for a_, b_ in per):.2f}x"
        row["rounds"] = [[round(a_, 1), round(b_, 1)] for a_, b_ in per]
    rows.append(row)
    print(json.dumps(row), file=sys.stderr)


def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, "
            f"torch {torch.__version__} ({torch.backends.cpu.get_cpu_capability()}, "
            f"THP_MEM_ALLOC_ENABLE={os.environ.get('THP_MEM_ALLOC_ENABLE', 'unset')}), "
            f"load average {os.getloadavg()[0]:.1f} at start")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--downhill", required=True, help="path to a release-built downhill binary")
    p.add_argument("--sections", default="abc")
    p.add_argument("--sizes", default="1e7,1e8")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--limit-elems", default="2e8")
    p.add_argument("--linreg-n", type=int, default=1_000_000)
    p.add_argument("--mlp-n", type=int, default=10_000)
    p.add_argument("--lr", type=float, default=0.01)
    a = p.parse_args()
    a.sizes = [int(float(s)) for s in a.sizes.split(",")]
    print(f"machine: {machine()}", file=sys.stderr)
    rows = []
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    if "a" in a.sections:
        section_a(a, rows)
    if "b" in a.sections:
        section_b(a, rows)
    if "c" in a.sections:
        section_c(a, rows)
    print(f"Run {started}: `bench/peers/run.sh {' '.join(sys.argv[3:])}`  \nMachine: {machine()}")
    keys = None
    for r in rows:
        if list(r.keys()) != keys:
            keys = list(r.keys())
            print("\n| " + " | ".join(keys) + " |")
            print("|" + "---|" * len(keys))
        print("| " + " | ".join(str(v) for v in r.values()) + " |")


if __name__ == "__main__":
    main()
