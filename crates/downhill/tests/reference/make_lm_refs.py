#!/usr/bin/env python3
"""Writes lm_refs.json: scipy.optimize.least_squares(method="lm") on NIST StRD problems.

Run with the peer venv (PY=$(/work/shared/tools/peer-venv.sh) && "$PY" make_lm_refs.py);
the output is committed and the Rust test (tests/lm_reference.rs) reads only it. The data,
starting values and certified values come from the NIST files in nist/ (see nist/README.md).
Each case records the model in Downhill's formula syntax, the data points, the start, the
certified parameters and standard deviations, and SciPy's x, cost, nfev, njev and status
(SciPy's version is recorded). The Jacobian given to SciPy is exact (complex step, h = 1e-30),
as Downhill's comes from AD. A case is kept only where SciPy reaches the certified values
(to 1e-6 relative; with SciPy's default tolerances, or else with ftol = xtol = gtol =
1e-13, recorded as the case's options), so the reference is the certified minimum as SciPy's LM finds it.
"""
import json
import pathlib
import re

import numpy as np
import scipy
from scipy.optimize import least_squares

HERE = pathlib.Path(__file__).parent

# name -> (model over b1..bk and x, start: 1 or 2)
MODELS = {
    "Misra1a": ("b1*(1 - exp(-b2*x))", 1),
    "Chwirut2": ("exp(-b1*x)/(b2 + b3*x)", 1),
    "DanWood": ("b1*x^b2", 1),
    "Lanczos3": ("b1*exp(-b2*x) + b3*exp(-b4*x) + b5*exp(-b6*x)", 2),
    "BoxBOD": ("b1*(1 - exp(-b2*x))", 2),
    "Eckerle4": ("(b1/b2)*exp(-0.5*((x - b3)/b2)^2)", 2),
    "MGH09": ("b1*(x^2 + x*b2)/(x^2 + x*b3 + b4)", 2),
    "Thurber": ("(b1 + b2*x + b3*x^2 + b4*x^3)/(1 + b5*x + b6*x^2 + b7*x^3)", 1),
    "Rat43": ("b1/((1 + exp(b2 - b3*x))^(1/b4))", 2),
}


def parse(path):
    lines = path.read_text().splitlines()
    params = []
    data = []
    in_data = False
    for line in lines:
        m = re.match(r"^\s*b(\d+)\s*=\s*(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*$", line)
        if m and not in_data:
            params.append([float(v) for v in m.groups()[1:]])
        if re.match(r"^Data:\s+y\s+x\s*$", line):
            in_data = True
            continue
        if in_data and line.strip():
            y, x = (float(v) for v in line.split())
            data.append((x, y))
    return np.array(params), np.array(data)


def model_fn(formula, k):
    code = formula.replace("^", "**")

    def f(b, x):
        env = {f"b{i + 1}": b[i] for i in range(k)}
        env.update(x=x, exp=np.exp)
        return eval(code, {"__builtins__": {}}, env)

    return f


def main():
    cases = []
    for name, (formula, start) in MODELS.items():
        params, data = parse(HERE / "nist" / f"{name}.dat")
        k = len(params)
        x, y = data[:, 0], data[:, 1]
        f = model_fn(formula, k)
        x0 = params[:, start - 1]

        def fun(b):
            return f(b, x) - y

        def jac(b):
            h = 1e-30
            out = np.empty((len(x), k))
            for j in range(k):
                bc = b.astype(complex)
                bc[j] += 1j * h
                out[:, j] = np.imag(f(bc, x)) / h
            return out

        cert, sd = params[:, 2], params[:, 3]
        # SciPy's defaults first; where they stop short of the certified values, tighter
        # tolerances (recorded in the case).
        for options in ({}, {"ftol": 1e-13, "xtol": 1e-13, "gtol": 1e-13}):
            r = least_squares(fun, x0, jac=jac, method="lm", **options)
            rel = np.max(np.abs(r.x - cert) / np.abs(cert))
            if rel <= 1e-6:
                break
        if rel > 1e-6:
            print(f"{name}: SciPy misses the certified values (rel {rel:.1e}); skipped")
            continue
        print(f"{name}: start {start}, {options or 'defaults'}, nfev {r.nfev}, njev {r.njev}, status {r.status}, "
              f"max rel to certified {rel:.1e}")
        cases.append({
            "name": name,
            "model": formula,
            "params": [f"b{i + 1}" for i in range(k)],
            "x": x.tolist(),
            "y": y.tolist(),
            "start": start,
            "x0": x0.tolist(),
            "options": options,
            "certified": cert.tolist(),
            "certified_std": sd.tolist(),
            "scipy_x": r.x.tolist(),
            "scipy_cost": float(r.cost),
            "scipy_nfev": int(r.nfev),
            "scipy_njev": int(r.njev),
            "scipy_status": int(r.status),
        })
    out = {
        "generator": "make_lm_refs.py",
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "call": 'least_squares(fun, x0, jac=<exact>, method="lm", **case["options"])',
        "cases": cases,
    }
    (HERE / "lm_refs.json").write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
