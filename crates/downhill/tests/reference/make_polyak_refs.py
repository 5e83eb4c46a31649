#!/usr/bin/env python3
"""Reference trajectories of polyak_sgd (optax.polyak_sgd), for
crates/downhill/tests/optim_reference.rs and python/tests/test_optim.py.

Run with the peer venv:  /tmp/downhill-peers/bin/python make_polyak_refs.py
It writes polyak_refs.json next to this script (the case format of optax_refs.json: optimizer,
params, function, shapes, trajectory), with the optax, jax and Python versions.

Each case runs optax.polyak_sgd(**params) in float64 (jax_enable_x64) on a list of tensors,
STEPS steps of tx.update(grads, state, params, value=f(x)) and optax.apply_updates, from the
start point of its objective (the objectives and start points of make_optax_refs.py: the 2-D
rosenbrock and beale as one tensor, the flat-vector quartic, ill_conditioned and
rosenbrock_chain of make_optim_refs.matrix_grad over two tensors). The values f(x) are
transcribed below beside those gradients. Downhill's `lr` is optax's `scaling` (the
learning_rate of its inner sgd); `max_learning_rate` is optax's (`max_lr` is an alias).
"""
import os
import sys

import jax

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402
import optax  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_optax_refs import START, STEPS, flatten, gradient, split  # noqa: E402  (the same objectives)
from make_optim_refs import matrix_x0, points, write_refs  # noqa: E402

# (optimizer, params, objective, shapes)
CASES = [
    ("polyak_sgd", {}, "rosenbrock", [[2]]),
    ("polyak_sgd", {"lr": 0.5, "max_learning_rate": 0.1}, "beale", [[2]]),
    ("polyak_sgd", {"f_min": -0.5, "eps": 1e-8, "max_lr": 0.1, "variant": "sps+"}, "quartic",
     [[3, 4], [4]]),
    ("polyak_sgd", {"max_learning_rate": 0.3}, "ill_conditioned", [[2, 2], [3]]),
    ("polyak_sgd", {"lr": 0.8, "max_learning_rate": 0.01}, "rosenbrock_chain",
     [[2, 3], [3]]),
    ("polyak_sgd", {"f_min": 1.0, "max_learning_rate": 0.2, "variant": "sps+"}, "quartic",
     [[3, 2], [2]]),
]


def value(fn, x):
    """f(x) of the objectives whose gradients make_optim_refs transcribes."""
    n = len(x)
    if fn == "rosenbrock":
        return 100.0 * (x[1] - x[0] * x[0]) ** 2 + (1.0 - x[0]) ** 2
    if fn == "beale":
        a, b = x
        return ((1.5 - a + a * b) ** 2 + (2.25 - a + a * b * b) ** 2
                + (2.625 - a + a * b * b * b) ** 2)
    if fn == "quartic":  # sum c_i (x_i - t_i)^2 + 0.1 x_i^4
        s = 0.0
        for i in range(n):
            c, t = 1.0 + i % 3, ((i % 5) - 2.0) * 0.5
            s += c * (x[i] - t) ** 2 + 0.1 * x[i] ** 4
        return s
    if fn == "ill_conditioned":  # sum (0.1 + i) x_i^2 / 2
        return sum((0.1 + i) * x[i] * x[i] / 2.0 for i in range(n))
    if fn == "rosenbrock_chain":
        return sum(100.0 * (x[i + 1] - x[i] * x[i]) ** 2 + (1.0 - x[i]) ** 2
                   for i in range(n - 1))
    raise ValueError(fn)


def run(name, params, fn, shapes):
    kw = dict(params)
    if "max_lr" in kw:
        kw["max_learning_rate"] = kw.pop("max_lr")
    if "lr" in kw:
        kw["scaling"] = kw.pop("lr")
    tx = optax.polyak_sgd(**kw)
    x0 = START[fn] if fn in START else matrix_x0(shapes)
    tensors = split(x0, shapes)
    state = tx.init(tensors)
    traj = [flatten(tensors)]
    for _ in range(STEPS):
        x = traj[-1]
        updates, state = tx.update(split(gradient(fn, x), shapes), state, tensors,
                                   value=jnp.asarray(value(fn, x), dtype=jnp.float64))
        tensors = optax.apply_updates(tensors, updates)
        traj.append(flatten(tensors))
    return traj


def main():
    cases = []
    for name, params, fn, shapes in CASES:
        traj = run(name, params, fn, shapes)
        cases.append({
            "optimizer": name,
            "params": params,
            "function": fn,
            "shapes": shapes,
            "trajectory": points(traj),
        })
    write_refs("make_polyak_refs.py", "polyak_refs.json",
               {"optax": optax.__version__, "jax": jax.__version__},
               f"float64 (jax_enable_x64); optax.polyak_sgd with value=f(x) at each step; each "
               f"case: shapes ([rows, cols] a matrix, [n] a vector; each a tensor), the flat "
               f"points (x0, then {STEPS} steps)",
               cases)


if __name__ == "__main__":
    main()
