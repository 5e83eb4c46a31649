#!/usr/bin/env python3
"""Reference trajectories for crates/downhill/tests/optim_reference.rs.

Run with the PyTorch venv:  /tmp/downhill-peers/bin/python make_optim_refs.py
It writes optim_refs.json and optim_matrix_refs.json next to this script (read by the Rust test).

* PyTorch optimisers: torch.optim.<Class>([p], foreach=False, **params) on a float64 parameter
  with torch.set_default_dtype(torch.float64) (so the step counter and NAdam's mu_product are
  float64 too), 20 calls of opt.step() with p.grad set to the analytic gradient.
* rprop, asgd, adafactor: torch.optim.Rprop / ASGD / Adafactor likewise, 30 steps (STEPS_FOR).
* Matrix cases (optim_matrix_refs.json): adafactor (factored second moment), muon and asgd on
  several 2-D (and 1-D) tensors at once, 30 steps of three objectives over the flat parameter
  vector (MATRIX_CASES). Muon is torch.optim.Muon itself with its Newton-Schulz iteration
  kept in the parameters' dtype (float64) instead of bfloat16: the module's
  _zeropower_via_newtonschulz is replaced by a copy without the .to(torch.bfloat16) cast,
  which is what Downhill computes (see crates/downhill/src/optim/muon.rs).
* momentum (seed 003 heavy_ball / nesterov / nesterov_midpoint) and lion (the paper's rule) are
  not in PyTorch: they are transcribed below from the formulas, in plain Python floats.

Gradients are the analytic ones of crates/downhill/src/problems/functions.rs, transcribed with
the same operation order, so both sides see identical gradients at identical points.
"""
import json
import os
import sys

import torch

torch.set_default_dtype(torch.float64)

STEPS = 20


def grad(fn, x):
    if fn == "rosenbrock":
        x0, x1 = x
        a = x1 - x0 * x0
        b = 1.0 - x0
        return [-400.0 * x0 * a - 2.0 * b, 200.0 * a]
    if fn == "ill_conditioned":
        return [0.2 * x[0], 4.0 * x[1]]
    if fn == "beale":
        a, b = x
        t1 = 1.5 - a + a * b
        t2 = 2.25 - a + a * b * b
        t3 = 2.625 - a + a * b * b * b
        g0 = 2.0 * t1 * (b - 1.0) + 2.0 * t2 * (b * b - 1.0) + 2.0 * t3 * (b * b * b - 1.0)
        g1 = 2.0 * t1 * a + 2.0 * t2 * 2.0 * a * b + 2.0 * t3 * 3.0 * a * b * b
        return [g0, g1]
    raise ValueError(fn)


TORCH = {
    "sgd": torch.optim.SGD,
    "adagrad": torch.optim.Adagrad,
    "rmsprop": torch.optim.RMSprop,
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "nadam": torch.optim.NAdam,
    "radam": torch.optim.RAdam,
    "adamax": torch.optim.Adamax,
    "adadelta": torch.optim.Adadelta,
    "rprop": torch.optim.Rprop,
    "asgd": torch.optim.ASGD,
    "adafactor": torch.optim.Adafactor,
}

# Steps per case: 20, and more for Rprop, whose step sizes need a while to settle.
STEPS_FOR = {"rprop": 30, "asgd": 30, "adafactor": 30}


def run_torch(name, params, fn, x0):
    p = torch.nn.Parameter(torch.tensor(x0, dtype=torch.float64))
    kw = dict(params)
    for pair in ("betas", "etas", "step_sizes", "eps", "ns_coefficients"):
        if isinstance(kw.get(pair), list):
            kw[pair] = tuple(kw[pair])
    opt = TORCH[name]([p], foreach=False, **kw)
    traj = [list(x0)]
    for _ in range(STEPS_FOR.get(name, STEPS)):
        p.grad = torch.tensor(grad(fn, p.detach().tolist()), dtype=torch.float64)
        opt.step()
        traj.append(p.detach().tolist())
    return traj


def run_momentum(params, fn, x0):
    lr = params.get("lr", 1e-3)
    beta = params.get("momentum", 0.9)
    c = {"heavy_ball": 0.0, "nesterov": 1.0, "nesterov_midpoint": 0.5}[
        params.get("variant", "heavy_ball")
    ]
    sign = -1.0 if params.get("maximize", False) else 1.0
    x = list(x0)
    v = None
    traj = [list(x)]
    for _ in range(STEPS):
        if v is None or c == 0.0:
            point = x
        else:
            cb = c * beta
            point = [xi + cb * vi for xi, vi in zip(x, v)]
        g = [sign * gi for gi in grad(fn, point)]
        if v is None:
            v = [0.0] * len(x)
        v = [beta * vi - lr * gi for vi, gi in zip(v, g)]  # v <- beta v - lr g
        x = [xi + vi for xi, vi in zip(x, v)]  # theta <- theta + v
        traj.append(list(x))
    return traj


def sgn(c):
    return 1.0 if c > 0 else (-1.0 if c < 0 else c)


def run_lion(params, fn, x0):
    lr = params.get("lr", 1e-4)
    b1, b2 = params.get("betas", [0.9, 0.99])
    wd = params.get("weight_decay", 0.0)
    sign = -1.0 if params.get("maximize", False) else 1.0
    w1, w2 = 1.0 - b1, 1.0 - b2
    x = list(x0)
    m = [0.0] * len(x)
    traj = [list(x)]
    for _ in range(STEPS):
        g = [sign * gi for gi in grad(fn, x)]
        for i in range(len(x)):
            c = b1 * m[i] + w1 * g[i]
            x[i] = x[i] - lr * (sgn(c) + wd * x[i])
            m[i] = b2 * m[i] + w2 * g[i]
        traj.append(list(x))
    return traj


R = (-1.2, 1.0)  # rosenbrock
Q = (3.0, -2.0)  # ill_conditioned
B = (2.0, 0.0)  # beale

CASES = [
    # sgd
    ("sgd", {"lr": 1e-3}, "rosenbrock", R),
    ("sgd", {"lr": 0.1, "momentum": 0.9}, "ill_conditioned", Q),
    ("sgd", {"lr": 5e-4, "momentum": 0.9, "nesterov": True}, "rosenbrock", R),
    ("sgd", {"lr": 0.02, "momentum": 0.5, "dampening": 0.3, "weight_decay": 0.1}, "beale", B),
    ("sgd", {"lr": 0.05, "momentum": 0.9, "maximize": True}, "ill_conditioned", Q),
    # adagrad
    ("adagrad", {}, "rosenbrock", R),
    ("adagrad", {"lr": 0.5}, "ill_conditioned", Q),
    ("adagrad", {"lr": 0.1, "lr_decay": 0.05, "weight_decay": 0.1,
                 "initial_accumulator_value": 0.1, "eps": 1e-8}, "beale", B),
    ("adagrad", {"lr": 0.1, "maximize": True}, "ill_conditioned", Q),
    # rmsprop
    ("rmsprop", {}, "rosenbrock", R),
    ("rmsprop", {"lr": 0.05, "centered": True}, "ill_conditioned", Q),
    ("rmsprop", {"lr": 1e-3, "momentum": 0.9}, "rosenbrock", R),
    ("rmsprop", {"lr": 0.01, "alpha": 0.9, "momentum": 0.5, "centered": True,
                 "weight_decay": 0.1}, "beale", B),
    ("rmsprop", {"lr": 0.01, "maximize": True, "momentum": 0.3}, "ill_conditioned", Q),
    # adam
    ("adam", {"lr": 0.1}, "rosenbrock", R),
    ("adam", {"lr": 0.1}, "ill_conditioned", Q),
    ("adam", {}, "beale", B),
    ("adam", {"lr": 0.1, "amsgrad": True}, "rosenbrock", R),
    ("adam", {"lr": 0.05, "betas": [0.8, 0.99], "weight_decay": 0.1, "amsgrad": True,
              "eps": 1e-6}, "beale", B),
    ("adam", {"lr": 0.1, "maximize": True}, "ill_conditioned", Q),
    ("adam", {"lr": 0.1, "weight_decay": 0.1, "decoupled_weight_decay": True}, "rosenbrock", R),
    # adamw
    ("adamw", {"lr": 0.1}, "rosenbrock", R),
    ("adamw", {"lr": 0.1, "weight_decay": 0.5}, "ill_conditioned", Q),
    ("adamw", {"lr": 0.05, "amsgrad": True, "maximize": True}, "beale", B),
    # nadam
    ("nadam", {}, "rosenbrock", R),
    ("nadam", {"lr": 0.1}, "ill_conditioned", Q),
    ("nadam", {"lr": 0.1, "weight_decay": 0.1, "decoupled_weight_decay": True}, "rosenbrock", R),
    ("nadam", {"lr": 0.05, "weight_decay": 0.1, "momentum_decay": 0.01,
               "betas": [0.85, 0.99]}, "beale", B),
    ("nadam", {"lr": 0.1, "maximize": True}, "ill_conditioned", Q),
    # radam
    ("radam", {"lr": 5e-4}, "rosenbrock", R),
    ("radam", {"lr": 0.1}, "ill_conditioned", Q),
    ("radam", {"lr": 5e-4, "weight_decay": 0.1, "decoupled_weight_decay": True}, "rosenbrock", R),
    ("radam", {"lr": 0.05, "weight_decay": 0.1, "betas": [0.9, 0.9]}, "beale", B),
    ("radam", {"lr": 0.1, "maximize": True}, "ill_conditioned", Q),
    # adamax
    ("adamax", {}, "rosenbrock", R),
    ("adamax", {"lr": 0.1}, "ill_conditioned", Q),
    ("adamax", {"lr": 0.05, "weight_decay": 0.1, "betas": [0.8, 0.9]}, "beale", B),
    ("adamax", {"lr": 0.1, "maximize": True}, "ill_conditioned", Q),
    # adadelta
    ("adadelta", {}, "rosenbrock", R),
    ("adadelta", {"lr": 10.0}, "ill_conditioned", Q),
    ("adadelta", {"lr": 5.0, "rho": 0.95, "eps": 1e-4, "weight_decay": 0.1}, "beale", B),
    ("adadelta", {"lr": 10.0, "maximize": True}, "ill_conditioned", Q),
    # seed 003 momentum
    ("momentum", {"lr": 1e-3, "momentum": 0.9}, "rosenbrock", R),
    ("momentum", {"lr": 0.1, "momentum": 0.9}, "ill_conditioned", Q),
    ("momentum", {"lr": 1e-3, "momentum": 0.9, "variant": "nesterov"}, "rosenbrock", R),
    ("momentum", {"lr": 0.1, "momentum": 0.9, "variant": "nesterov"}, "ill_conditioned", Q),
    ("momentum", {"lr": 1e-3, "momentum": 0.9, "variant": "nesterov_midpoint"}, "rosenbrock", R),
    ("momentum", {"lr": 0.1, "momentum": 0.9, "variant": "nesterov_midpoint"},
     "ill_conditioned", Q),
    ("momentum", {"lr": 0.02, "momentum": 0.5, "variant": "nesterov"}, "beale", B),
    ("momentum", {"lr": 0.05, "variant": "nesterov_midpoint", "maximize": True},
     "ill_conditioned", Q),
    # lion
    ("lion", {"lr": 0.01}, "rosenbrock", R),
    ("lion", {"lr": 0.1, "weight_decay": 0.1}, "ill_conditioned", Q),
    ("lion", {"lr": 0.05, "betas": [0.8, 0.95]}, "beale", B),
    ("lion", {"lr": 0.1, "maximize": True}, "ill_conditioned", Q),
    # rprop (30 steps)
    ("rprop", {}, "rosenbrock", R),
    ("rprop", {"lr": 0.1}, "ill_conditioned", Q),
    ("rprop", {"lr": 0.01, "etas": [0.4, 1.3]}, "rosenbrock", R),
    ("rprop", {"lr": 0.05, "etas": [0.3, 1.5], "step_sizes": [1e-4, 0.5]}, "beale", B),
    ("rprop", {"lr": 0.02, "maximize": True, "step_sizes": [1e-3, 1.0]}, "ill_conditioned", Q),
    # asgd (30 steps)
    ("asgd", {"lr": 1e-3}, "rosenbrock", R),
    ("asgd", {"lr": 0.1, "lambd": 0.01, "alpha": 0.5, "t0": 5.0}, "ill_conditioned", Q),
    ("asgd", {"lr": 0.02, "lambd": 0.05, "alpha": 1.0, "weight_decay": 0.1}, "beale", B),
    ("asgd", {"lr": 0.05, "maximize": True, "t0": 3.0}, "ill_conditioned", Q),
    # adafactor (30 steps; 2-D x is a vector: unfactored)
    ("adafactor", {}, "rosenbrock", R),
    ("adafactor", {"lr": 0.1}, "ill_conditioned", Q),
    ("adafactor", {"lr": 0.05, "beta2_decay": -0.5, "eps": [1e-20, 1e-2], "d": 1.5,
                   "weight_decay": 0.1}, "beale", B),
    ("adafactor", {"lr": 0.1, "maximize": True}, "ill_conditioned", Q),
    ("adafactor", {"lr": 0.02, "eps": [None, 0.1]}, "rosenbrock", R),
]


def run(name, params, fn, x0):
    if name == "momentum":
        return run_momentum(params, fn, x0)
    if name == "lion":
        return run_lion(params, fn, x0)
    return run_torch(name, params, fn, x0)


MATRIX_STEPS = 30


def matrix_grad(fn, x):
    """Gradients of the matrix cases' objectives over the flat parameter vector x."""
    n = len(x)
    if fn == "quartic":  # sum c_i (x_i - t_i)^2 + 0.1 x_i^4
        return [2.0 * (1.0 + i % 3) * (x[i] - (i % 5 - 2) * 0.5) + 0.4 * (x[i] * x[i] * x[i])
                for i in range(n)]
    if fn == "ill_conditioned":  # sum (0.1 + i) x_i^2 / 2
        return [(0.1 + i) * x[i] for i in range(n)]
    if fn == "rosenbrock_chain":  # sum 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2
        g = [0.0] * n
        for i in range(n - 1):
            a = x[i + 1] - x[i] * x[i]
            b = 1.0 - x[i]
            g[i] += -400.0 * x[i] * a - 2.0 * b
            g[i + 1] += 200.0 * a
        return g
    raise ValueError(fn)


def numel(shape):
    return shape[0] * shape[1] if len(shape) == 2 else shape[0]


def matrix_x0(shapes):
    n = sum(numel(s) for s in shapes)
    return [((i * 7) % 11 - 5) / 10.0 for i in range(n)]


def ns_in_param_dtype(grad, ns_coefficients, ns_steps, eps):
    """torch.optim._muon._zeropower_via_newtonschulz without the bfloat16 cast."""
    if ns_steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    a, b, c = ns_coefficients
    ortho_grad = grad.clone()
    if grad.size(0) > grad.size(1):
        ortho_grad = ortho_grad.T
    ortho_grad.div_(ortho_grad.norm().clamp(min=eps))
    for _ in range(ns_steps):
        gram_matrix = ortho_grad @ ortho_grad.T
        gram_update = torch.addmm(gram_matrix, gram_matrix, gram_matrix, beta=b, alpha=c)
        ortho_grad = torch.addmm(ortho_grad, gram_update, ortho_grad, beta=a)
    if grad.size(0) > grad.size(1):
        ortho_grad = ortho_grad.T
    return ortho_grad


def run_matrix(name, params, fn, shapes):
    import torch.optim._muon as muon_module

    muon_module._zeropower_via_newtonschulz = ns_in_param_dtype
    x0 = matrix_x0(shapes)
    tensors, at = [], 0
    for s in shapes:
        k = numel(s)
        tensors.append(torch.nn.Parameter(torch.tensor(x0[at:at + k]).reshape(s)))
        at += k
    kw = dict(params)
    for key in ("eps", "ns_coefficients"):
        if isinstance(kw.get(key), list):
            kw[key] = tuple(kw[key])
    if name == "muon":
        opt = torch.optim.Muon(tensors, **kw)
    else:
        opt = TORCH[name](tensors, foreach=False, **kw)

    def flat():
        return [v for t in tensors for v in t.detach().reshape(-1).tolist()]

    traj = [flat()]
    for _ in range(MATRIX_STEPS):
        g = matrix_grad(fn, flat())
        at = 0
        for t in tensors:
            k = t.numel()
            t.grad = torch.tensor(g[at:at + k]).reshape(t.shape)
            at += k
        opt.step()
        traj.append(flat())
    state = []
    if name == "asgd":
        state = [v for t in tensors for v in opt.state[t]["ax"].reshape(-1).tolist()]
    return x0, traj, state


# (optimizer, params, objective, shapes: (rows, cols) for a matrix, (n,) for a vector)
MATRIX_CASES = [
    ("adafactor", {}, "quartic", [(3, 4), (4,), (2, 3)]),
    ("adafactor", {"lr": 0.01, "weight_decay": 0.1, "beta2_decay": -0.6}, "rosenbrock_chain",
     [(4, 3), (3,)]),
    ("adafactor", {"lr": 0.1, "maximize": True, "eps": [1e-10, 1e-3], "d": 2.0},
     "ill_conditioned", [(3, 3)]),
    ("muon", {}, "ill_conditioned", [(2, 3)]),
    ("muon", {"lr": 0.02}, "quartic", [(3, 4)]),
    ("muon", {"lr": 0.01, "momentum": 0.9, "nesterov": False, "weight_decay": 0.0},
     "rosenbrock_chain", [(4, 3), (2, 5)]),
    ("muon", {"lr": 0.05, "adjust_lr_fn": "match_rms_adamw", "ns_coefficients": [3.0, -3.2, 1.2],
              "ns_steps": 3, "eps": 1e-6, "weight_decay": 0.05}, "ill_conditioned",
     [(3, 3), (2, 4)]),
    ("muon", {"lr": 0.03, "adjust_lr_fn": "spectral_unclamped"}, "quartic", [(5, 2)]),
    ("asgd", {"lr": 0.02, "t0": 5.0, "lambd": 0.01}, "quartic", [(3, 4)]),
]


def write_matrix_refs():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "optim_matrix_refs.json")
    cases = []
    for name, params, fn, shapes in MATRIX_CASES:
        x0, traj, ax = run_matrix(name, params, fn, shapes)
        cases.append({
            "optimizer": name,
            "params": params,
            "function": fn,
            "shapes": [list(s) for s in shapes],
            "trajectory": [[float(lit(v)) for v in pt] for pt in traj],
            "ax": [float(lit(v)) for v in ax],
        })
    doc = {
        "generated_by": "crates/downhill/tests/reference/make_optim_refs.py (do not edit by hand)",
        "torch": torch.__version__,
        "python": sys.version.split()[0],
        "note": "float64; muon's Newton-Schulz in float64, not bf16. Each case: shapes "
                "([rows, cols] a matrix, [n] a vector), the flat points (x0, then "
                f"{MATRIX_STEPS} steps) and, for asgd, the final average `ax`",
        "cases": cases,
    }
    with open(out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {len(MATRIX_CASES)} matrix cases to {out}")


def lit(v):
    r = repr(float(v))
    if "inf" in r or "nan" in r:
        sys.exit(f"non-finite reference value {r}")
    return r


def points(traj):
    """A trajectory as JSON numbers (exiting on a non-finite value)."""
    return [[float(lit(v)) for v in pt] for pt in traj]


def write_refs(script, out_name, versions, note, cases):
    """Writes a reference file `out_name` next to this script: the `script` that made it, the
    `versions` (name -> version) and the Python version, the `note` and the `cases`."""
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), out_name)
    doc = {"generated_by": f"crates/downhill/tests/reference/{script} (do not edit by hand)",
           **versions,
           "python": sys.version.split()[0],
           "note": note,
           "cases": cases}
    with open(out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {out}")
    return out


def write_package_refs(script, out_name, versions, precision, steps, rows, run_case):
    """Writes a package reference file (optax_refs.json, lrfree_refs.json) next to this script:
    the `versions` (name -> version) and the Python version beside the cases, one per row of
    `rows` (optimizer, params, objective, shapes) with the flat points `run_case` returns."""
    cases = []
    for name, params, fn, shapes in rows:
        traj = run_case(name, params, fn, shapes)
        cases.append({
            "optimizer": name,
            "params": params,
            "function": fn,
            "shapes": shapes,
            "trajectory": points(traj),
        })
    note = (f"{precision}; each case: shapes ([rows, cols] a matrix, [n] a vector; each "
            f"a tensor), the flat points (x0, then {steps} steps)")
    return write_refs(script, out_name, versions, note, cases)


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "optim_refs.json")
    cases = []
    for name, params, fn, x0 in CASES:
        traj = run(name, params, fn, x0)
        cases.append({
            "optimizer": name,
            "params": params,
            "function": fn,
            "x0": [float(lit(v)) for v in x0],
            "trajectory": [[float(lit(v)) for v in pt] for pt in traj],
        })
    doc = {
        "generated_by": "crates/downhill/tests/reference/make_optim_refs.py (do not edit by hand)",
        "torch": torch.__version__,
        "python": sys.version.split()[0],
        "note": "float64, foreach=False; momentum and lion transcribed from their formulas; "
                "each trajectory is x0 then 20 steps (30 for rprop, asgd, adafactor)",
        "cases": cases,
    }
    with open(out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {len(CASES)} cases to {out}")
    write_matrix_refs()


if __name__ == "__main__":
    main()
