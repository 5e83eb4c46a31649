#!/usr/bin/env python3
"""Writes nelder_mead_refs.json: scipy.optimize.minimize(method="Nelder-Mead") results.

Run with the peer venv (/tmp/downhill-peers/bin/python make_nelder_mead_refs.py); the output
is committed. Each case records x, fun, nit and nfev (SciPy's version is recorded).
Infinite bounds are written as null.
"""
import json
import math

import numpy as np
import scipy
from scipy.optimize import minimize

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
]


def none_inf(b):
    return [None if not math.isfinite(v) else v for v in b]


out = {"scipy": scipy.__version__, "numpy": np.__version__, "cases": []}
for name, fun, x0, options, bounds in CASES:
    r = minimize(FUNS[fun], np.array(x0), method="Nelder-Mead", bounds=bounds, options=options)
    xatol = options.get("xatol", 1e-4)
    fatol = options.get("fatol", 1e-4)
    out["cases"].append({
        "name": name, "function": fun, "x0": x0,
        "adaptive": options["adaptive"], "xatol": xatol, "fatol": fatol,
        "bounds": None if bounds is None else [none_inf(b) for b in bounds],
        "x": r.x.tolist(), "fun": float(r.fun), "nit": int(r.nit), "nfev": int(r.nfev),
        "success": bool(r.success),
    })
    print(f"{name:28s} nit={r.nit:5d} nfev={r.nfev:5d} f={r.fun:.6e} x={r.x}")

with open("nelder_mead_refs.json", "w") as fh:
    json.dump(out, fh, indent=1)
    fh.write("\n")
