#!/usr/bin/env python3
"""Reference trajectories of the `[wrappers] sam` wrapper (SAM, Foret et al. 2021; ASAM,
Kwon et al. 2021), for crates/downhill/tests/optim_reference/sam.rs.

Run with the peer venv:  /tmp/downhill-peers/bin/python make_sam_refs.py
It writes sam_refs.json next to this script (the case format of optax_refs.json plus the
`sam` parameters), with the torch and Python versions.

The ascent step is a transcription, in torch float64, of the authors' reference code
(SamsungLabs/ASAM, asam.py: `SAM.ascent_step` and `ASAM.ascent_step`), with T = |w| + eta
applied to every tensor (the reference code leaves out tensors not named `weight`; here
every tensor is a weight):

    SAM:  e = rho * g / (||g|| + 1e-16)
    ASAM: e = rho * T^2 g / (||T g|| + 1e-16),  T = |w| + eta

with ||.|| the 2-norm over all tensors (torch.norm of the stacked per-tensor norms). Then
g' = grad f(w + e), w is restored, and the base optimiser (torch.optim.SGD or Adam,
foreach=False) steps with g'. Objectives and start points: those of make_optax_refs.py
(rosenbrock and beale as one tensor [2]; quartic, ill_conditioned and rosenbrock_chain of
make_optim_refs.matrix_grad over two tensors, from make_optim_refs.matrix_x0).
"""
import os
import sys

import torch

torch.set_default_dtype(torch.float64)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_optim_refs import grad, matrix_grad, matrix_x0, numel, points, write_refs  # noqa: E402

STEPS = 60

START = {"rosenbrock": [-1.2, 1.0], "beale": [1.0, 1.0]}

BASE = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}

# (optimizer, its params, sam params, objective, shapes)
CASES = [
    ("sgd", {"lr": 1e-3, "momentum": 0.9}, {"rho": 0.05}, "rosenbrock", [[2]]),
    ("sgd", {"lr": 0.01, "momentum": 0.5, "nesterov": True}, {"rho": 0.1}, "beale", [[2]]),
    ("sgd", {"lr": 0.02, "momentum": 0.9}, {"rho": 0.05}, "quartic", [[3, 4], [4]]),
    ("sgd", {"lr": 0.05, "momentum": 0.8}, {"rho": 0.5, "adaptive": True},
     "ill_conditioned", [[2, 2], [3]]),
    ("adam", {"lr": 0.02}, {"rho": 0.05}, "rosenbrock", [[2]]),
    ("adam", {"lr": 0.01, "weight_decay": 0.01}, {"rho": 0.1}, "rosenbrock_chain",
     [[2, 3], [3]]),
    ("adam", {"lr": 0.05}, {"rho": 0.2, "adaptive": True, "eta": 0.1}, "quartic",
     [[3, 2], [2]]),
    ("adam", {"lr": 0.01}, {"rho": 0.5, "adaptive": True}, "beale", [[2]]),
]

SAM_DEFAULTS = {"rho": 0.05, "adaptive": False, "eta": 0.01}


def gradient(fn, x):
    return grad(fn, x) if fn in START else matrix_grad(fn, x)


def flat(tensors):
    return [v for t in tensors for v in t.detach().reshape(-1).tolist()]


def set_flat(tensors, values):
    at = 0
    with torch.no_grad():
        for t in tensors:
            k = t.numel()
            t.copy_(torch.tensor(values[at:at + k]).reshape(t.shape))
            at += k


def set_grads(tensors, g):
    at = 0
    for t in tensors:
        k = t.numel()
        t.grad = torch.tensor(g[at:at + k]).reshape(t.shape)
        at += k


@torch.no_grad()
def ascent_step(tensors, rho, adaptive, eta):
    """SAM.ascent_step / ASAM.ascent_step of the authors' code: w += e, returns e."""
    eps = []
    if adaptive:
        wgrads = []
        for p in tensors:
            t_w = torch.clone(p).detach()
            t_w.abs_().add_(eta)
            p.grad.mul_(t_w)
            wgrads.append(torch.norm(p.grad, p=2))
            eps.append(t_w)
        wgrad_norm = torch.norm(torch.stack(wgrads), p=2) + 1.0e-16
        for p, t_w in zip(tensors, eps):
            p.grad.mul_(t_w)
            t_w[...] = p.grad[...]
            t_w.mul_(rho / wgrad_norm)
            p.add_(t_w)
    else:
        grads = [torch.norm(p.grad, p=2) for p in tensors]
        grad_norm = torch.norm(torch.stack(grads), p=2) + 1.0e-16
        for p in tensors:
            e = torch.clone(p.grad).detach()
            e.mul_(rho / grad_norm)
            p.add_(e)
            eps.append(e)
    return eps


def run(name, params, sam, fn, shapes):
    s = dict(SAM_DEFAULTS, **sam)
    x0 = START[fn] if fn in START else matrix_x0(shapes)
    tensors, at = [], 0
    for sh in shapes:
        k = numel(sh)
        tensors.append(torch.nn.Parameter(torch.tensor(x0[at:at + k]).reshape(sh)))
        at += k
    opt = BASE[name](tensors, foreach=False, **params)
    traj = [flat(tensors)]
    for _ in range(STEPS):
        w = flat(tensors)
        set_grads(tensors, gradient(fn, w))
        ascent_step(tensors, s["rho"], s["adaptive"], s["eta"])
        g2 = gradient(fn, flat(tensors))
        set_flat(tensors, w)  # descent_step: restore w, step with the gradient at w + e
        set_grads(tensors, g2)
        opt.step()
        traj.append(flat(tensors))
    return traj


def main():
    cases = []
    for name, params, sam, fn, shapes in CASES:
        traj = run(name, params, sam, fn, shapes)
        cases.append({
            "optimizer": name,
            "params": params,
            "sam": sam,
            "function": fn,
            "shapes": shapes,
            "trajectory": points(traj),
        })
    write_refs("make_sam_refs.py", "sam_refs.json", {"torch": torch.__version__},
               f"float64; SAM/ASAM ascent step transcribed from the authors' code, base "
               f"optimiser torch.optim (foreach=False); each case: shapes, the flat points "
               f"(x0, then {STEPS} steps)",
               cases)


if __name__ == "__main__":
    main()
