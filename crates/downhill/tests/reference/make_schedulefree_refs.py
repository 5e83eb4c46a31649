#!/usr/bin/env python3
"""Reference trajectories of the schedule-free optimisers (the `schedulefree` package), for
crates/downhill/tests/optim_reference.rs and python/tests/test_optim.py.

Run with the peer venv:  /tmp/downhill-peers/bin/python make_schedulefree_refs.py
It writes schedulefree_refs.json next to this script, with the schedulefree, torch and Python
versions, in the case format of optax_refs.json (make_optax_refs.py).

Each case runs schedulefree.SGDScheduleFree / AdamWScheduleFree(**params, foreach=False) in
float64 on a list of tensors (its parameter group), in train mode (`optimizer.train()` once,
before the first step), STEPS steps of p.grad = gradient and optimizer.step(), from the start
point of its objective (the objectives, starts and step count of make_optax_refs.py):
* `trajectory`: the flat parameters, which hold the package's training point y (x0, then
  STEPS steps);
* `eval_trajectory`: the evaluation point x that `optimizer.eval()` swaps in,
  torch.lerp(y, z, 1 - 1/beta1) with the state's z (the same kernel as eval()'s lerp_), at
  x0 (where x = y) and after each step.
The gradient is taken at y, from the flat vector (make_optim_refs.grad / matrix_grad, the
same operation order as the Rust side). `maximize = true` (a Downhill option the package
lacks) is the package on the negated gradient.
"""
import os
import sys

import schedulefree
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_optax_refs import START, STEPS, gradient  # noqa: E402  (the same objectives)
from make_optim_refs import matrix_x0, numel, points, write_refs  # noqa: E402

CLASS = {
    "sgd_schedule_free": schedulefree.SGDScheduleFree,
    "adamw_schedule_free": schedulefree.AdamWScheduleFree,
}

# (optimizer, params, objective, shapes)
CASES = [
    ("sgd_schedule_free", {"lr": 1e-3}, "rosenbrock", [[2]]),
    ("sgd_schedule_free", {"lr": 0.02, "momentum": 0.8, "warmup_steps": 10}, "beale", [[2]]),
    ("sgd_schedule_free", {"lr": 0.05, "weight_decay": 0.01, "r": 1.0}, "quartic",
     [[3, 4], [4]]),
    ("sgd_schedule_free", {"lr": 0.01, "warmup_steps": 5, "r": 0.5, "weight_lr_power": 1.0,
                           "momentum": 0.95}, "rosenbrock_chain", [[2, 3], [3]]),
    ("sgd_schedule_free", {"lr": 0.1}, "ill_conditioned", [[2, 2], [3]]),
    ("sgd_schedule_free", {"lr": 0.002, "maximize": True}, "quartic", [[3, 2], [2]]),
    ("sgd_schedule_free", {"lr": 0.1, "momentum": 0.3}, "ill_conditioned", [[5]]),
    ("adamw_schedule_free", {"lr": 0.01}, "rosenbrock", [[2]]),
    ("adamw_schedule_free", {"lr": 0.05, "betas": [0.8, 0.99], "eps": 1e-6,
                             "warmup_steps": 10, "weight_decay": 0.01}, "beale", [[2]]),
    ("adamw_schedule_free", {"lr": 0.02, "r": 1.0, "weight_lr_power": 0.0}, "quartic",
     [[3, 4], [4]]),
    ("adamw_schedule_free", {}, "rosenbrock_chain", [[2, 3], [3]]),
    ("adamw_schedule_free", {"lr": 0.05, "warmup_steps": 20, "r": 2.0, "weight_decay": 1e-3},
     "ill_conditioned", [[2, 2], [3], [2]]),
    ("adamw_schedule_free", {"lr": 0.01, "maximize": True}, "quartic", [[3, 2], [2]]),
]


def split(flat, shapes):
    out, at = [], 0
    for s in shapes:
        k = numel(s)
        out.append(torch.tensor(flat[at:at + k], dtype=torch.float64).reshape(s))
        at += k
    return out


def flatten(tensors):
    return [float(v) for t in tensors for v in t.detach().reshape(-1).tolist()]


def eval_point(opt, tensors):
    """x = lerp(y, z, 1 - 1/beta1), as optimizer.eval() computes it (y before any step)."""
    group = opt.param_groups[0]
    beta = group["momentum"] if "momentum" in group else group["betas"][0]
    out = []
    for p in tensors:
        z = opt.state[p].get("z")
        out.append(p.detach().clone() if z is None else torch.lerp(p.detach(), z, 1 - 1 / beta))
    return flatten(out)


def run(name, params, fn, shapes):
    kw = dict(params)
    maximize = kw.pop("maximize", False)
    if "betas" in kw:
        kw["betas"] = tuple(kw["betas"])
    x0 = START[fn] if fn in START else matrix_x0(shapes)
    tensors = [t.requires_grad_(True) for t in split(x0, shapes)]
    opt = CLASS[name](tensors, foreach=False, **kw)
    opt.train()
    traj, xs = [flatten(tensors)], [eval_point(opt, tensors)]
    for _ in range(STEPS):
        g = gradient(fn, traj[-1])
        if maximize:
            g = [-v for v in g]
        for p, gp in zip(tensors, split(g, shapes)):
            p.grad = gp
        opt.step()
        traj.append(flatten(tensors))
        xs.append(eval_point(opt, tensors))
    return traj, xs


def main():
    cases = []
    for name, params, fn, shapes in CASES:
        traj, xs = run(name, params, fn, shapes)
        cases.append({
            "optimizer": name,
            "params": params,
            "function": fn,
            "shapes": shapes,
            "trajectory": points(traj),
            "eval_trajectory": points(xs),
        })
    try:
        from importlib.metadata import version
        sf_version = version("schedulefree")
    except Exception:  # noqa: BLE001
        sf_version = "unknown"
    write_refs("make_schedulefree_refs.py", "schedulefree_refs.json",
               {"schedulefree": sf_version, "torch": torch.__version__},
               f"float64, foreach=False, train mode; each case: shapes ([rows, cols] a "
               f"matrix, [n] a vector; each a tensor), the flat training points y (x0, then "
               f"{STEPS} steps) and the evaluation points x = lerp(y, z, 1 - 1/beta1)",
               cases)


if __name__ == "__main__":
    main()
