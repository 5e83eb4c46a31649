#!/usr/bin/env python3
"""Reference trajectories of the optimisers whose semantics are optax's, for
crates/downhill/tests/optim_reference.rs.

Run with the peer venv:  /tmp/downhill-peers/bin/python make_optax_refs.py
It writes optax_refs.json next to this script (read by the Rust test), with the optax, jax and
Python versions.

Each case runs optax.<name>(**params) in float64 (jax_enable_x64) on a list of tensors (a
pytree of leaves: optax's "layers"), STEPS steps of tx.update(grads, state, params) and
optax.apply_updates, from the start point of its objective:
* the 2-D test functions rosenbrock and beale as one tensor [2], their
  gradients transcribed in make_optim_refs.grad (same operation order as the Rust side);
* the flat-vector objectives of make_optim_refs.matrix_grad (quartic, ill_conditioned,
  rosenbrock_chain) over
  two or three tensors at once, from make_optim_refs.matrix_x0.
Downhill's `lr` is optax's `learning_rate` (DEFAULT_LR when absent: optax has no default),
`betas` its (b1, b2) (adan's (b1, b2, b3)); `maximize = true` is optax on the negated gradient (optax has no such
option).
"""
import os
import sys

import jax

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402
import optax  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_optim_refs import grad, matrix_grad, matrix_x0, numel, write_package_refs  # noqa: E402

STEPS = 60

# Downhill's default lr (optax's learning_rate has none).
DEFAULT_LR = {"lars": 1.0, "lamb": 1e-3, "yogi": 1e-3, "adabelief": 1e-3, "adan": 1e-3,
              "novograd": 1e-3}

START = {"rosenbrock": [-1.2, 1.0], "beale": [1.0, 1.0]}

# (optimizer, params, objective, shapes)
CASES = [
    ("lars", {"lr": 0.5, "trust_coefficient": 0.02}, "rosenbrock", [[2]]),
    ("lars", {"lr": 0.3, "trust_coefficient": 0.05, "momentum": 0.8, "nesterov": True},
     "beale", [[2]]),
    ("lars", {"lr": 1.0, "weight_decay": 0.01, "eps": 1e-3, "trust_coefficient": 0.01},
     "ill_conditioned", [[2, 2], [3]]),
    ("lars", {"lr": 0.2, "trust_coefficient": 0.1, "weight_decay": 1e-3}, "quartic",
     [[3, 4], [4]]),
    ("lars", {"lr": 0.05, "trust_coefficient": 0.05, "nesterov": True, "momentum": 0.5},
     "rosenbrock_chain", [[2, 3], [3]]),
    ("lars", {}, "quartic", [[2, 3], [3], [4]]),
    ("lars", {"lr": 0.1, "trust_coefficient": 0.02, "maximize": True}, "quartic",
     [[3, 2], [2]]),
    ("lamb", {"lr": 0.01}, "rosenbrock", [[2]]),
    ("lamb", {"lr": 0.02, "betas": [0.8, 0.99], "eps": 1e-8, "weight_decay": 0.01}, "beale",
     [[2]]),
    ("lamb", {"lr": 0.01, "eps_root": 1e-10, "weight_decay": 1e-3}, "quartic", [[3, 4], [4]]),
    ("lamb", {}, "rosenbrock_chain", [[2, 3], [3]]),
    ("lamb", {"lr": 0.005}, "ill_conditioned", [[2, 2], [3], [2]]),
    ("lamb", {"lr": 0.01, "maximize": True}, "quartic", [[3, 2], [2]]),
    ("yogi", {"lr": 0.05}, "rosenbrock", [[2]]),
    ("yogi", {"lr": 0.02, "betas": [0.8, 0.99], "eps": 1e-6}, "beale", [[2]]),
    ("yogi", {}, "quartic", [[3, 4], [4]]),
    ("yogi", {"lr": 0.01, "eps": 1e-4}, "rosenbrock_chain", [[2, 3], [3]]),
    ("yogi", {"lr": 0.01, "maximize": True}, "ill_conditioned", [[2, 2], [3]]),
    ("adabelief", {"lr": 0.05}, "rosenbrock", [[2]]),
    ("adabelief", {"lr": 0.02, "betas": [0.8, 0.99], "eps": 1e-8, "eps_root": 0.0,
                   "nesterov": True}, "beale", [[2]]),
    ("adabelief", {}, "quartic", [[3, 4], [4]]),
    ("adabelief", {"lr": 0.01, "nesterov": True}, "rosenbrock_chain", [[2, 3], [3]]),
    ("adabelief", {"lr": 0.01, "maximize": True}, "ill_conditioned", [[2, 2], [3]]),
    ("adan", {"lr": 0.02}, "rosenbrock", [[2]]),
    ("adan", {"lr": 0.01, "betas": [0.9, 0.9, 0.999], "eps": 1e-6, "eps_root": 0.0,
              "weight_decay": 0.01}, "beale", [[2]]),
    ("adan", {}, "quartic", [[3, 4], [4]]),
    ("adan", {"lr": 0.01, "weight_decay": 0.02}, "rosenbrock_chain", [[2, 3], [3]]),
    ("adan", {"lr": 0.01, "maximize": True}, "ill_conditioned", [[2, 2], [3]]),
    ("novograd", {"lr": 0.01}, "rosenbrock", [[2]]),
    ("novograd", {"lr": 0.02, "betas": [0.8, 0.5], "eps": 1e-8, "eps_root": 1e-10,
                  "weight_decay": 0.01}, "beale", [[2]]),
    ("novograd", {}, "quartic", [[3, 4], [4]]),
    ("novograd", {"lr": 0.005, "weight_decay": 1e-3}, "rosenbrock_chain", [[2, 3], [3]]),
    ("novograd", {"lr": 0.005, "maximize": True}, "ill_conditioned", [[2, 2], [3], [2]]),
]


def gradient(fn, x):
    return grad(fn, x) if fn in START else matrix_grad(fn, x)


def split(flat, shapes):
    out, at = [], 0
    for s in shapes:
        k = numel(s)
        out.append(jnp.asarray(flat[at:at + k], dtype=jnp.float64).reshape(s))
        at += k
    return out


def flatten(tensors):
    return [float(v) for t in tensors for v in t.reshape(-1).tolist()]


def run(name, params, fn, shapes):
    kw = dict(params)
    maximize = kw.pop("maximize", False)
    lr = kw.pop("lr", DEFAULT_LR[name])
    if "betas" in kw:
        kw.update(zip(("b1", "b2", "b3"), kw.pop("betas")))
    tx = getattr(optax, name)(learning_rate=lr, **kw)
    x0 = START[fn] if fn in START else matrix_x0(shapes)
    tensors = split(x0, shapes)
    state = tx.init(tensors)
    traj = [flatten(tensors)]
    for _ in range(STEPS):
        g = gradient(fn, traj[-1])
        if maximize:
            g = [-v for v in g]
        updates, state = tx.update(split(g, shapes), state, tensors)
        tensors = optax.apply_updates(tensors, updates)
        traj.append(flatten(tensors))
    return traj


def main():
    write_package_refs("make_optax_refs.py", "optax_refs.json",
                       {"optax": optax.__version__, "jax": jax.__version__},
                       "float64 (jax_enable_x64)", STEPS, CASES, run)


if __name__ == "__main__":
    main()
