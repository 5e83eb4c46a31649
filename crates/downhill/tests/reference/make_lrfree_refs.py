#!/usr/bin/env python3
"""Reference trajectories of the learning-rate-free optimisers (prodigy, dadapt_adam,
dadapt_sgd), for crates/downhill/tests/optim_reference.rs and python/tests/test_optim.py.

Run with the peer venv:  /tmp/downhill-peers/bin/python make_lrfree_refs.py
It writes lrfree_refs.json next to this script, in the case format of optax_refs.json, with
the prodigyopt, dadaptation, torch and Python versions.

Each case runs the package's optimiser (prodigyopt.Prodigy, dadaptation.DAdaptAdam,
dadaptation.DAdaptSGD) with **params on float64 torch tensors, all in one parameter group
(the packages' d is one number for all the tensors they update), STEPS calls of opt.step()
with p.grad set to the analytic gradient, from the start point of its objective:
* the 2-D test functions rosenbrock and beale as one tensor [2], their gradients transcribed
  in make_optim_refs.grad (same operation order as the Rust side);
* the flat-vector objectives of make_optim_refs.matrix_grad (quartic, ill_conditioned,
  rosenbrock_chain) over two or three tensors at once, from make_optim_refs.matrix_x0.
`maximize = true` is the package on the negated gradient (the packages have no such option);
`growth_rate` absent is the packages' float('inf'), `beta3` absent prodigy's None (√β₂).

The `group_cases` run the same with SEVERAL parameter groups (torch's list of dicts): the
packages keep one d for all groups (sums over every group with lr > 0; per-group values where
they read them per group). Each case: `params` (the constructor's keyword arguments), `shapes`
(every tensor, in order) and `groups`, one dict per group in order with its `tensors` (indices
into `shapes`, the groups in tensor order) and its own hyperparameters (an `lr` of 0 freezes
the group, as the packages allow; Downhill sets it after construction, as a schedule would).
"""
import importlib.metadata
import json
import os
import sys

import torch

torch.set_default_dtype(torch.float64)

import dadaptation  # noqa: E402
import prodigyopt  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_optim_refs import grad, matrix_grad, matrix_x0, numel, points, write_package_refs  # noqa: E402

STEPS = 60

CLASSES = {
    "prodigy": prodigyopt.Prodigy,
    "dadapt_adam": dadaptation.DAdaptAdam,
    "dadapt_sgd": dadaptation.DAdaptSGD,
}

START = {"rosenbrock": [-1.2, 1.0], "beale": [1.0, 1.0]}

# (optimizer, params, objective, shapes)
CASES = [
    ("prodigy", {}, "rosenbrock", [[2]]),
    ("prodigy", {"d0": 1e-3, "d_coef": 0.5, "betas": [0.8, 0.99], "use_bias_correction": True},
     "beale", [[2]]),
    ("prodigy", {"lr": 0.5, "weight_decay": 0.01, "decouple": False, "safeguard_warmup": True,
                 "growth_rate": 1.2, "d0": 1e-4}, "quartic", [[3, 4], [4]]),
    ("prodigy", {"weight_decay": 0.1}, "ill_conditioned", [[2, 2], [3]]),
    ("prodigy", {"lr": 0.5, "beta3": 0.9, "eps": 1e-6}, "rosenbrock_chain", [[2, 3], [3]]),
    ("prodigy", {"slice_p": 2, "d_coef": 2.0}, "quartic", [[3, 4], [5]]),
    ("prodigy", {"betas": [0.0, 0.999], "lr": 0.5}, "ill_conditioned", [[2, 2], [3], [2]]),
    ("prodigy", {"lr": 0.1, "growth_rate": 1.2, "maximize": True}, "quartic", [[3, 2], [2]]),
    ("dadapt_adam", {}, "rosenbrock", [[2]]),
    ("dadapt_adam", {"d0": 1e-4, "betas": [0.8, 0.99], "use_bias_correction": True}, "beale",
     [[2]]),
    ("dadapt_adam", {"lr": 0.5, "weight_decay": 0.01}, "quartic", [[3, 4], [4]]),
    ("dadapt_adam", {"weight_decay": 0.05, "decouple": True, "growth_rate": 1.3},
     "ill_conditioned", [[2, 2], [3]]),
    ("dadapt_adam", {"lr": 0.5, "eps": 1e-6}, "rosenbrock_chain", [[2, 3], [3]]),
    ("dadapt_adam", {"lr": 0.1, "growth_rate": 1.2, "maximize": True}, "quartic",
     [[3, 2], [2]]),
    ("dadapt_sgd", {}, "ill_conditioned", [[2, 2], [3]]),
    ("dadapt_sgd", {"momentum": 0.9}, "beale", [[2]]),
    ("dadapt_sgd", {"momentum": 0.9, "d0": 1e-3}, "rosenbrock", [[2]]),
    ("dadapt_sgd", {"weight_decay": 0.01, "d0": 1e-2}, "quartic", [[3, 4], [4]]),
    ("dadapt_sgd", {"lr": 0.5, "growth_rate": 1.2, "momentum": 0.5, "d0": 1e-2}, "quartic",
     [[2, 3], [3], [4]]),
    ("dadapt_sgd", {"momentum": 0.9}, "rosenbrock_chain", [[2, 3], [3]]),
    ("dadapt_sgd", {"lr": 0.1, "d0": 1e-3, "growth_rate": 1.1, "maximize": True}, "quartic",
     [[3, 2], [2]]),
]

# (optimizer, params, objective, shapes, groups)
GROUP_CASES = [
    ("prodigy", {}, "quartic", [[3, 4], [4]],
     [{"tensors": [0]}, {"tensors": [1], "weight_decay": 0.1}]),
    ("prodigy", {"weight_decay": 0.01, "decouple": False, "eps": 1e-6}, "ill_conditioned",
     [[2, 2], [3]],
     [{"tensors": [0]},
      {"tensors": [1], "weight_decay": 0.1, "eps": 1e-7, "safeguard_warmup": True,
       "slice_p": 2, "d0": 1e-5}]),
    ("prodigy", {"weight_decay": 0.05, "lr": 0.5}, "rosenbrock_chain", [[2, 3], [3]],
     [{"tensors": [0]}, {"tensors": [1], "lr": 0.0}]),
    ("prodigy", {"betas": [0.8, 0.99], "use_bias_correction": True}, "quartic",
     [[2, 3], [3], [4]],
     [{"tensors": [0, 1]}, {"tensors": [2], "weight_decay": 0.1}]),
    ("dadapt_adam", {}, "quartic", [[3, 4], [4]],
     [{"tensors": [0]}, {"tensors": [1], "weight_decay": 0.1}]),
    ("dadapt_adam", {"decouple": True, "weight_decay": 0.01}, "ill_conditioned", [[2, 2], [3]],
     [{"tensors": [0]}, {"tensors": [1], "weight_decay": 0.1, "eps": 1e-6}]),
    ("dadapt_adam", {"lr": 0.5}, "rosenbrock_chain", [[2, 3], [3]],
     [{"tensors": [0]}, {"tensors": [1], "lr": 0.0}]),
    ("dadapt_sgd", {"momentum": 0.9}, "quartic", [[3, 4], [4]],
     [{"tensors": [0]}, {"tensors": [1], "weight_decay": 0.1}]),
    ("dadapt_sgd", {"weight_decay": 0.01, "d0": 1e-2}, "ill_conditioned", [[2, 2], [3]],
     [{"tensors": [0]}, {"tensors": [1], "lr": 0.0}]),
]


def gradient(fn, x):
    return grad(fn, x) if fn in START else matrix_grad(fn, x)


def run(name, params, fn, shapes, groups=None):
    kw = dict(params)
    maximize = kw.pop("maximize", False)
    if "betas" in kw:
        kw["betas"] = tuple(kw["betas"])
    x0 = START[fn] if fn in START else matrix_x0(shapes)
    tensors, at = [], 0
    for s in shapes:
        k = numel(s)
        tensors.append(torch.nn.Parameter(torch.tensor(x0[at:at + k]).reshape(s)))
        at += k
    if groups is None:
        opt = CLASSES[name](tensors, **kw)
    else:
        dicts = []
        for g in groups:
            d = {k: (tuple(v) if k == "betas" else v) for k, v in g.items() if k != "tensors"}
            d["params"] = [tensors[i] for i in g["tensors"]]
            dicts.append(d)
        opt = CLASSES[name](dicts, **kw)

    def flat():
        return [v for t in tensors for v in t.detach().reshape(-1).tolist()]

    traj = [flat()]
    for _ in range(STEPS):
        g = gradient(fn, flat())
        if maximize:
            g = [-v for v in g]
        at = 0
        for t in tensors:
            k = t.numel()
            t.grad = torch.tensor(g[at:at + k]).reshape(t.shape)
            at += k
        opt.step()
        traj.append(flat())
    return traj


def main():
    versions = {k: importlib.metadata.version(k) for k in ("prodigyopt", "dadaptation")}
    out = write_package_refs("make_lrfree_refs.py", "lrfree_refs.json",
                             dict(versions, torch=torch.__version__),
                             "float64, one parameter group (group_cases: several)", STEPS,
                             CASES, run)
    with open(out) as f:
        doc = json.load(f)
    doc["group_cases"] = []
    for name, params, fn, shapes, groups in GROUP_CASES:
        traj = run(name, params, fn, shapes, groups)
        doc["group_cases"].append({
            "optimizer": name,
            "params": params,
            "function": fn,
            "shapes": shapes,
            "groups": groups,
            "trajectory": points(traj),
        })
    with open(out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {len(doc['group_cases'])} group cases to {out}")


if __name__ == "__main__":
    main()
