#!/usr/bin/env python3
"""Writes lbfgsb_mgh_refs.json: scipy.optimize.minimize(method="L-BFGS-B"), unbounded, on the
Moré-Garbow-Hillstrom (1981) problems of make_scipy_solver_refs.py (the same formulas as
tests/mgh/mod.rs, gradients from JAX in float64) from their standard starts.

Run with the peer venv: PY=$(/work/shared/tools/peer-venv.sh) && "$PY" make_lbfgsb_mgh_refs.py
(the output is committed, so the tests need no Python). Each case records x, fun, nit, nfev,
status and message with SciPy's default options ("default", for the evaluation counts) and with
gtol = 1e-11, ftol = 1e-15 ("tight", as lbfgsb_refs.json), with SciPy's, NumPy's and JAX's
versions. A separate file from scipy_solver_refs.json so that adding L-BFGS-B leaves the other
methods' references untouched.
"""
import numpy as np
from scipy.optimize import minimize

from make_scipy_solver_refs import PROBLEMS, objective, write_refs

TIGHT = {"gtol": 1e-11, "ftol": 1e-15, "maxiter": 10000, "maxfun": 100000}


def run(fun, jac, x0, options=None):
    kw = {"options": options} if options else {}
    r = minimize(fun, np.array(x0, dtype=float), jac=jac, method="L-BFGS-B", **kw)
    return {"x": [float(v) for v in r.x], "fun": float(r.fun), "nit": int(r.nit),
            "nfev": int(r.nfev), "status": int(r.status), "message": str(r.message)}


def main():
    cases = []
    for name, mgh_id, x0, res in PROBLEMS:
        fun, jac, _, _ = objective(res)
        d, t = run(fun, jac, x0), run(fun, jac, x0, TIGHT)
        cases.append({"name": name, "mgh_id": mgh_id, "x0": x0, "default": d, "tight": t})
        print(f"{name:24s} default nit={d['nit']:4d} nfev={d['nfev']:4d} f={d['fun']:.6e}"
              f"  tight nit={t['nit']:4d} nfev={t['nfev']:4d} f={t['fun']:.6e}")
    write_refs("lbfgsb_mgh_refs.json", "make_lbfgsb_mgh_refs.py", cases)


if __name__ == "__main__":
    main()
