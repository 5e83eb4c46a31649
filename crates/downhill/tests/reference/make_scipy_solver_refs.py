#!/usr/bin/env python3
"""Writes scipy_solver_refs.json: scipy.optimize.minimize with BFGS, CG, trust-ncg and
trust-exact on Moré-Garbow-Hillstrom (1981) problems from their standard starts.

Run with the peer venv: PY=$(/work/shared/tools/peer-venv.sh) && "$PY" make_scipy_solver_refs.py
(the output is committed, so the tests need no Python). The residuals are the same formulas as
tests/mgh/mod.rs; gradients, Hessians and Hessian-vector products come from JAX in float64
(exact, as Downhill's AD). Each run records x, fun, nit, nfev, njev (and nhev), status and
message with SciPy's default options ("runs", for the evaluation counts) and with
gtol = 1e-10 ("tight", for the solutions).
"""
import json
import math
import os

import jax

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import scipy  # noqa: E402
from scipy.optimize import minimize  # noqa: E402


def rosenbrock(x):
    return [10 * (x[1] - x[0] ** 2), 1 - x[0]]


def freudenstein_roth(x):
    a, b = x[0], x[1]
    return [a - 13 + ((5 - b) * b - 2) * b, a - 29 + ((b + 1) * b - 14) * b]


def powell_badly_scaled(x):
    return [1e4 * x[0] * x[1] - 1, jnp.exp(-x[0]) + jnp.exp(-x[1]) - 1.0001]


def brown_badly_scaled(x):
    return [x[0] - 1e6, x[1] - 2e-6, x[0] * x[1] - 2]


def beale(x):
    return [y - x[0] * (1 - x[1] ** (i + 1)) for i, y in enumerate([1.5, 2.25, 2.625])]


def jennrich_sampson(x):
    return [2 + 2 * i - (jnp.exp(i * x[0]) + jnp.exp(i * x[1])) for i in range(1, 11)]


def helical_valley(x):
    theta = jnp.arctan(x[1] / x[0]) / (2 * math.pi) + jnp.where(x[0] < 0, 0.5, 0.0)
    return [10 * (x[2] - 10 * theta), 10 * (jnp.sqrt(x[0] ** 2 + x[1] ** 2) - 1), x[2]]


BARD_Y = [0.14, 0.18, 0.22, 0.25, 0.29, 0.32, 0.35, 0.39, 0.37, 0.58, 0.73, 0.96, 1.34, 2.10, 4.39]


def bard(x):
    out = []
    for i in range(1, 16):
        u, v = float(i), 16.0 - i
        w = min(u, v)
        out.append(BARD_Y[i - 1] - (x[0] + u / (v * x[1] + w * x[2])))
    return out


GAUSSIAN_Y = [0.0009, 0.0044, 0.0175, 0.0540, 0.1295, 0.2420, 0.3521, 0.3989, 0.3521, 0.2420,
              0.1295, 0.0540, 0.0175, 0.0044, 0.0009]


def gaussian(x):
    return [x[0] * jnp.exp(-x[1] * ((8 - i) / 2 - x[2]) ** 2 / 2) - GAUSSIAN_Y[i - 1]
            for i in range(1, 16)]


def box3d(x):
    out = []
    for i in range(1, 11):
        t = 0.1 * i
        out.append(jnp.exp(-t * x[0]) - jnp.exp(-t * x[1])
                   - x[2] * (math.exp(-t) - math.exp(-10 * t)))
    return out


def powell_singular(x):
    return [x[0] + 10 * x[1], math.sqrt(5) * (x[2] - x[3]), (x[1] - 2 * x[2]) ** 2,
            math.sqrt(10) * (x[0] - x[3]) ** 2]


def wood(x):
    return [10 * (x[1] - x[0] ** 2), 1 - x[0], math.sqrt(90) * (x[3] - x[2] ** 2), 1 - x[2],
            math.sqrt(10) * (x[1] + x[3] - 2), (x[1] - x[3]) / math.sqrt(10)]


KOWALIK_Y = [0.1957, 0.1947, 0.1735, 0.1600, 0.0844, 0.0627, 0.0456, 0.0342, 0.0323, 0.0235,
             0.0246]
KOWALIK_U = [4.0, 2.0, 1.0, 0.5, 0.25, 0.167, 0.125, 0.1, 0.0833, 0.0714, 0.0625]


def kowalik_osborne(x):
    return [y - x[0] * (u * u + u * x[1]) / (u * u + u * x[2] + x[3])
            for y, u in zip(KOWALIK_Y, KOWALIK_U)]


def brown_dennis(x):
    out = []
    for i in range(1, 21):
        t = i / 5
        out.append((x[0] + t * x[1] - math.exp(t)) ** 2
                   + (x[2] + x[3] * math.sin(t) - math.cos(t)) ** 2)
    return out


OSBORNE1_Y = [0.844, 0.908, 0.932, 0.936, 0.925, 0.908, 0.881, 0.850, 0.818, 0.784, 0.751, 0.718,
              0.685, 0.658, 0.628, 0.603, 0.580, 0.558, 0.538, 0.522, 0.506, 0.490, 0.478, 0.467,
              0.457, 0.448, 0.438, 0.431, 0.424, 0.420, 0.414, 0.411, 0.406]


def osborne1(x):
    return [y - (x[0] + x[1] * jnp.exp(-10 * i * x[3]) + x[2] * jnp.exp(-10 * i * x[4]))
            for i, y in enumerate(OSBORNE1_Y)]


def biggs_exp6(x):
    out = []
    for i in range(1, 14):
        t = 0.1 * i
        y = math.exp(-t) - 5 * math.exp(-10 * t) + 3 * math.exp(-4 * t)
        out.append(x[2] * jnp.exp(-t * x[0]) - x[3] * jnp.exp(-t * x[1])
                   + x[5] * jnp.exp(-t * x[4]) - y)
    return out


def extended_rosenbrock(x):
    out = []
    for j in range(0, x.shape[0], 2):
        out += [10 * (x[j + 1] - x[j] ** 2), 1 - x[j]]
    return out


def penalty1(x):
    a = math.sqrt(1e-5)
    return [a * (x[i] - 1) for i in range(x.shape[0])] + [jnp.sum(x * x) - 0.25]


# (name, MGH number, start, residuals): the order and names of tests/mgh/mod.rs
PROBLEMS = [
    ("rosenbrock", 1, [-1.2, 1.0], rosenbrock),
    ("freudenstein_roth", 2, [0.5, -2.0], freudenstein_roth),
    ("powell_badly_scaled", 3, [0.0, 1.0], powell_badly_scaled),
    ("brown_badly_scaled", 4, [1.0, 1.0], brown_badly_scaled),
    ("beale", 5, [1.0, 1.0], beale),
    ("jennrich_sampson", 6, [0.3, 0.4], jennrich_sampson),
    ("helical_valley", 7, [-1.0, 0.0, 0.0], helical_valley),
    ("bard", 8, [1.0, 1.0, 1.0], bard),
    ("gaussian", 9, [0.4, 1.0, 0.0], gaussian),
    ("box3d", 12, [0.0, 10.0, 20.0], box3d),
    ("powell_singular", 13, [3.0, -1.0, 0.0, 1.0], powell_singular),
    ("wood", 14, [-3.0, -1.0, -3.0, -1.0], wood),
    ("kowalik_osborne", 15, [0.25, 0.39, 0.415, 0.39], kowalik_osborne),
    ("brown_dennis", 16, [25.0, 5.0, -5.0, -1.0], brown_dennis),
    ("osborne1", 17, [0.5, 1.5, -1.0, 0.01, 0.02], osborne1),
    ("biggs_exp6", 18, [1.0, 2.0, 1.0, 1.0, 1.0, 1.0], biggs_exp6),
    ("extended_rosenbrock_10", 21, [-1.2, 1.0] * 5, extended_rosenbrock),
    ("penalty1_4", 23, [1.0, 2.0, 3.0, 4.0], penalty1),
]

METHODS = ["BFGS", "CG", "trust-ncg", "trust-exact"]
# the solution comparison uses runs to a tight gradient tolerance (the counts use the defaults)
TIGHT = {"BFGS": {"gtol": 1e-10}, "CG": {"gtol": 1e-10}, "trust-ncg": {"gtol": 1e-10},
         "trust-exact": {"gtol": 1e-10}}


def objective(res):
    def f(x):
        return sum(r * r for r in res(x))
    fj = jax.jit(f)
    gj = jax.jit(jax.grad(f))
    hj = jax.jit(jax.hessian(f))
    hvj = jax.jit(lambda x, p: jax.jvp(jax.grad(f), (x,), (p,))[1])
    return (lambda x: float(fj(jnp.asarray(x))),
            lambda x: np.asarray(gj(jnp.asarray(x))),
            lambda x: np.asarray(hj(jnp.asarray(x))),
            lambda x, p: np.asarray(hvj(jnp.asarray(x), jnp.asarray(p))))


def run(method, fun, jac, hess, hessp, x0, options=None):
    kw = {"options": options} if options else {}
    if method == "trust-ncg":
        kw["hessp"] = hessp
    elif method == "trust-exact":
        kw["hess"] = hess
    r = minimize(fun, np.array(x0, dtype=float), jac=jac, method=method, **kw)
    out = {"x": [float(v) for v in r.x], "fun": float(r.fun), "nit": int(r.nit),
           "nfev": int(r.nfev), "njev": int(r.njev), "status": int(r.status),
           "message": str(r.message)}
    if "nhev" in r:
        out["nhev"] = int(r.nhev)
    return out


def main():
    cases = []
    for name, mgh_id, x0, res in PROBLEMS:
        fun, jac, hess, hessp = objective(res)
        runs = {m: run(m, fun, jac, hess, hessp, x0) for m in METHODS}
        tight = {m: run(m, fun, jac, hess, hessp, x0, TIGHT[m]) for m in METHODS}
        cases.append({"name": name, "mgh_id": mgh_id, "x0": x0, "runs": runs, "tight": tight})
        print(name, {m: (r["fun"], r["nfev"]) for m, r in runs.items()})
    write_refs("scipy_solver_refs.json", "make_scipy_solver_refs.py", cases)


def write_refs(name, script, cases):
    """Writes the cases to name beside this script, with the versions and the writing script."""
    out = {"scipy": scipy.__version__, "numpy": np.__version__, "jax": jax.__version__,
           "source": f"tests/reference/{script}", "cases": cases}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), name)
    with open(path, "w") as fh:
        json.dump(out, fh, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    main()
