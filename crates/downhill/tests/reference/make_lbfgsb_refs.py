#!/usr/bin/env python3
"""Writes lbfgsb_refs.json: scipy.optimize.minimize(method="L-BFGS-B") on bounded problems.

Run with the peer venv (/tmp/downhill-peers/bin/python make_lbfgsb_refs.py); the output is
committed, so the tests need no Python. Each case records SciPy's result with its default
options (x, fun, nit, nfev) and with tight tolerances (gtol = 1e-11, ftol = 1e-15), the
solution tests compare against, and SciPy's message (which test ended it). Infinite bounds are
written as null. A case whose function is an MGH problem (mgh.py) records its formula, which
the Rust test compiles; SciPy gets the same formula's value and autograd gradient.
"""
import json
import math

import numpy as np
import scipy
from scipy.optimize import minimize

import mgh

inf = math.inf


def rosen(x):
    return float(sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2))


def rosen_grad(x):
    g = np.zeros_like(x)
    g[:-1] += -400.0 * x[:-1] * (x[1:] - x[:-1] ** 2) - 2.0 * (1 - x[:-1])
    g[1:] += 200.0 * (x[1:] - x[:-1] ** 2)
    return g


def booth(x):
    return float((x[0] + 2 * x[1] - 7) ** 2 + (2 * x[0] + x[1] - 5) ** 2)


def booth_grad(x):
    a, b = x[0] + 2 * x[1] - 7, 2 * x[0] + x[1] - 5
    return np.array([2 * a + 4 * b, 4 * a + 2 * b])


def beale(x):
    u, v = x
    return float((1.5 - u + u * v) ** 2 + (2.25 - u + u * v**2) ** 2 + (2.625 - u + u * v**3) ** 2)


def beale_grad(x):
    u, v = x
    a, b, c = 1.5 - u + u * v, 2.25 - u + u * v**2, 2.625 - u + u * v**3
    return np.array([
        2 * a * (v - 1) + 2 * b * (v**2 - 1) + 2 * c * (v**3 - 1),
        2 * a * u + 2 * b * 2 * u * v + 2 * c * 3 * u * v**2,
    ])


def sphere(x):
    return float(np.dot(x, x))


def sphere_grad(x):
    return 2 * x


def styblinski_tang(x):
    return float(0.5 * np.sum(x**4 - 16 * x**2 + 5 * x))


def styblinski_tang_grad(x):
    return 0.5 * (4 * x**3 - 32 * x + 5)


FUNS = {
    "rosenbrock": (rosen, rosen_grad),
    "booth": (booth, booth_grad),
    "beale": (beale, beale_grad),
    "sphere": (sphere, sphere_grad),
    "styblinski_tang": (styblinski_tang, styblinski_tang_grad),
}

CASES = [
    # (name, function, x0, bounds, where the solution lies)
    ("rosenbrock_x_le_half", "rosenbrock", [-1.2, 1.0], [(-inf, 0.5), (-inf, inf)], "boundary"),
    ("rosenbrock_box_inside", "rosenbrock", [-1.2, 1.0], [(-2.0, 2.0), (-2.0, 2.0)], "inside"),
    ("rosenbrock_6d_inside", "rosenbrock", [0.0] * 6, [(-3.0, 3.0)] * 6, "inside"),
    ("rosenbrock_10d_boundary", "rosenbrock", [0.0] * 10,
     [(-2.0, 0.8) if i % 2 == 0 else (-2.0, 2.0) for i in range(10)], "boundary"),
    ("booth_boundary", "booth", [-5.0, -5.0], [(-10.0, 0.0), (-10.0, 10.0)], "boundary"),
    ("beale_boundary", "beale", [1.0, 0.2], [(-4.5, 4.5), (-4.5, 0.4)], "boundary"),
    ("sphere_8d_faces", "sphere", [1.5] * 4 + [0.5] * 4,
     [(1.0, 2.0)] * 4 + [(-1.0, 1.0)] * 4, "boundary"),
    ("styblinski_tang_6d_inside", "styblinski_tang", [0.5] * 6, [(-5.0, 5.0)] * 6, "inside"),
]

# Checked for SciPy's final value, test and evaluation count only, not its iterations (issue 29
# item 2): MGH #3 in a box, badly scaled (θ ≈ 1e8 in the limited-memory matrix), where the
# trajectory is chaotic under rounding.
HARD = [
    ("powell_badly_scaled_box", "mgh:powell_badly_scaled", None, [(0.0, 1.0), (1.0, 9.0)], "inside"),
]


def none_inf(b):
    return [None if not math.isfinite(v) else v for v in b]


out = {"scipy": scipy.__version__, "numpy": np.__version__, "cases": [], "hard": []}
def result(r):
    return {"x": r.x.tolist(), "fun": float(r.fun), "nit": int(r.nit), "nfev": int(r.nfev),
            "message": str(r.message)}


for name, fun, x0, bounds, where in CASES + HARD:
    extra = {}
    if fun.startswith("mgh:"):
        formula, names, x0 = mgh.problem(fun[4:])
        fg = mgh.value_and_grad(formula, names)
        f, g = (lambda x: fg(x)[0]), (lambda x: fg(x)[1])
        extra = {"expression": formula, "vars": names}
    else:
        f, g = FUNS[fun]
    x0a = np.array(x0, dtype=float)
    d = minimize(f, x0a, jac=g, method="L-BFGS-B", bounds=bounds)
    t = minimize(f, x0a, jac=g, method="L-BFGS-B", bounds=bounds,
                 options={"gtol": 1e-11, "ftol": 1e-15, "maxiter": 10000, "maxfun": 100000})
    out["hard" if name in {h[0] for h in HARD} else "cases"].append({
        "name": name, "function": fun, **extra, "x0": x0, "where": where,
        "bounds": [none_inf(b) for b in bounds],
        "default": result(d),
        "tight": result(t),
    })
    print(f"{name:28s} default nit={d.nit:4d} nfev={d.nfev:4d} f={d.fun:.6e}  tight f={t.fun:.6e} nfev={t.nfev} x={np.round(t.x, 6)} {t.message}")

with open("lbfgsb_refs.json", "w") as fh:
    json.dump(out, fh, indent=1)
    fh.write("\n")
