#!/usr/bin/env python3
"""Writes nelder_mead_refs.json: scipy.optimize.minimize(method="Nelder-Mead") results.

Run with the peer venv (/tmp/downhill-peers/bin/python make_nelder_mead_refs.py); the output
is committed. Each case records x, fun, nit, nfev and SciPy's message (its version is
recorded), and the options given (`maxiter` / `maxfev` null when left to SciPy's default,
200·n each). Infinite bounds are written as null. An MGH problem (mgh.py) is recorded with its
formula, which the Rust test compiles.
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


def beale(x):
    u, v = x
    return float((1.5 - u + u * v) ** 2 + (2.25 - u + u * v**2) ** 2 + (2.625 - u + u * v**3) ** 2)


FUNS = {"rosenbrock": rosen, "beale": beale}

CASES = [
    # (name, function, x0, options, bounds)
    ("rosenbrock_adaptive", "rosenbrock", [-1.2, 1.0], {"adaptive": True}, None),
    ("rosenbrock_adaptive_tight", "rosenbrock", [-1.2, 1.0],
     {"adaptive": True, "xatol": 1e-10, "fatol": 1e-12, "maxiter": 10000, "maxfev": 100000}, None),
    ("rosenbrock_classic", "rosenbrock", [-1.2, 1.0], {"adaptive": False}, None),
    ("rosenbrock_4d_adaptive", "rosenbrock", [0.0, 0.5, -0.5, 1.0],
     {"adaptive": True, "maxiter": 5000, "maxfev": 100000}, None),
    ("rosenbrock_bounded", "rosenbrock", [-1.2, 1.0], {"adaptive": True},
     [(-2.0, 0.5), (-inf, inf)]),
    ("beale_bounded", "beale", [1.0, 0.2], {"adaptive": True}, [(-4.5, 4.5), (-4.5, 0.4)]),
    # SciPy's defaults (adaptive = False, maxiter = maxfev = 200·n): the budget ends these
    ("rosenbrock_defaults", "rosenbrock", [-1.2, 1.0], {}, None),
    ("meyer_defaults", "mgh:meyer", None, {}, None),
    ("brown_dennis_defaults", "mgh:brown_dennis", None, {}, None),
    ("brown_dennis_maxiter", "mgh:brown_dennis", None, {"maxiter": 150}, None),
    ("meyer_maxfev_adaptive", "mgh:meyer", None, {"maxfev": 450, "adaptive": True}, None),
]


def none_inf(b):
    return [None if not math.isfinite(v) else v for v in b]


out = {"scipy": scipy.__version__, "numpy": np.__version__, "cases": []}
for name, fun, x0, options, bounds in CASES:
    extra = {}
    if fun.startswith("mgh:"):
        formula, names, x0 = mgh.problem(fun[4:])
        fg = mgh.value_and_grad(formula, names)
        f = lambda x, fg=fg: fg(x)[0]  # noqa: E731
        extra = {"expression": formula, "vars": names}
    else:
        f = FUNS[fun]
    r = minimize(f, np.array(x0), method="Nelder-Mead", bounds=bounds, options=options)
    xatol = options.get("xatol", 1e-4)
    fatol = options.get("fatol", 1e-4)
    out["cases"].append({
        "name": name, "function": fun, **extra, "x0": x0,
        "adaptive": options.get("adaptive", False), "xatol": xatol, "fatol": fatol,
        "maxiter": options.get("maxiter"), "maxfev": options.get("maxfev"),
        "bounds": None if bounds is None else [none_inf(b) for b in bounds],
        "x": r.x.tolist(), "fun": float(r.fun), "nit": int(r.nit), "nfev": int(r.nfev),
        "success": bool(r.success), "message": str(r.message),
    })
    print(f"{name:28s} nit={r.nit:5d} nfev={r.nfev:5d} f={r.fun:.6e} x={r.x} {r.message}")

with open("nelder_mead_refs.json", "w") as fh:
    json.dump(out, fh, indent=1)
    fh.write("\n")
