#!/usr/bin/env python3
"""Reference trajectories for crates/downhill/tests/optim_reference.rs.

Run with the PyTorch venv:  /tmp/downhill-peers/bin/python make_optim_refs.py
It writes optim_refs.rs next to this script (paste-free: the Rust test includes it).

* PyTorch optimisers: torch.optim.<Class>([p], foreach=False, **params) on a float64 parameter
  with torch.set_default_dtype(torch.float64) (so the step counter and NAdam's mu_product are
  float64 too), 20 calls of opt.step() with p.grad set to the analytic gradient.
* rprop: torch.optim.Rprop likewise, 30 steps (STEPS_FOR).
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
}

# Steps per case: 20, and more for Rprop, whose step sizes need a while to settle.
STEPS_FOR = {"rprop": 30}


def run_torch(name, params, fn, x0):
    p = torch.nn.Parameter(torch.tensor(x0, dtype=torch.float64))
    kw = dict(params)
    for pair in ("betas", "etas", "step_sizes"):
        if pair in kw:
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
]


def run(name, params, fn, x0):
    if name == "momentum":
        return run_momentum(params, fn, x0)
    if name == "lion":
        return run_lion(params, fn, x0)
    return run_torch(name, params, fn, x0)


def lit(v):
    r = repr(float(v))
    if "inf" in r or "nan" in r:
        sys.exit(f"non-finite reference value {r}")
    return r


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "optim_refs.rs")
    lines = [
        "// @generated by crates/downhill/tests/reference/make_optim_refs.py",
        f"// with torch {torch.__version__} (float64, foreach=False) and Python "
        f"{sys.version.split()[0]}; momentum and lion transcribed from their formulas.",
        "// Do not edit by hand: rerun the script.",
        "",
        "/// One reference run: optimiser, its parameters (JSON), function, x0, and the points",
        "/// (x0, then 20 steps; 30 for rprop).",
        "pub struct Case {",
        "    pub optimizer: &'static str,",
        "    pub params: &'static str,",
        "    pub function: &'static str,",
        "    pub x0: [f64; 2],",
        "    pub trajectory: &'static [[f64; 2]],",
        "}",
        "",
        "pub const CASES: &[Case] = &[",
    ]
    for name, params, fn, x0 in CASES:
        traj = run(name, params, fn, x0)
        lines.append("    Case {")
        lines.append(f"        optimizer: {json.dumps(name)},")
        lines.append(f"        params: {json.dumps(json.dumps(params))},")
        lines.append(f"        function: {json.dumps(fn)},")
        lines.append(f"        x0: [{lit(x0[0])}, {lit(x0[1])}],")
        lines.append("        trajectory: &[")
        for pt in traj:
            lines.append(f"            [{lit(pt[0])}, {lit(pt[1])}],")
        lines.append("        ],")
        lines.append("    },")
    lines.append("];")
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {len(CASES)} cases to {out}")


if __name__ == "__main__":
    main()
