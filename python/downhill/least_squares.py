"""``downhill.least_squares``: SciPy's ``least_squares(method="lm")`` on residual formulas."""

import re

import numpy as np

from . import _core
from .minimize import minimize
from .result import OptimizeResult

__all__ = ["least_squares"]

# The note `lm` leaves on its result: SciPy's status and message, and its own counts.
_NOTE = re.compile(r"lm: status (-?\d+) — (.*?) \(nfev = (\d+), njev = (\d+)\)")


def least_squares(fun, x0, method="lm", *, ftol=1e-8, xtol=1e-8, gtol=1e-8, x_scale="jac",
                  max_nfev=None, vars=None, steps=10_000):
    """Minimise ``½‖r(x)‖²`` by Levenberg–Marquardt, as ``scipy.optimize.least_squares(fun, x0,
    method="lm")``, entirely in Rust with the Jacobian from automatic differentiation.

    ``fun``: the residuals as a list of formula strings (``["x - 1", "10*(y - x^2)"]``) over
    ``vars`` (default: their variables in order of first use); at least as many residuals as
    variables. ``ftol``, ``xtol``, ``gtol``, ``x_scale`` and ``max_nfev`` are SciPy's (and
    MINPACK's); ``steps`` caps the outer iterations.

    Returns an ``OptimizeResult`` with SciPy's keys ``x``, ``cost`` (``½‖r‖²``), ``fun`` (the
    residuals at ``x``), ``jac`` (m × n), ``grad`` (``Jᵀr``), ``optimality`` (``‖Jᵀr‖∞``),
    ``active_mask``, ``nfev``, ``njev``, ``status``, ``message``, ``success``, and
    ``std_errors``: ``√diag(s²(JᵀJ)⁻¹)`` with ``s² = ‖r‖²/(m − n)`` (``None`` when m = n).
    """
    if method != "lm":
        raise ValueError(f'method: only "lm" (Levenberg–Marquardt), got {method!r}; '
                         f"downhill.minimize takes the other methods on ½‖r‖²")
    if isinstance(fun, str) or not (isinstance(fun, (list, tuple)) and fun
                                    and all(isinstance(r, str) for r in fun)):
        raise TypeError("fun: a non-empty list of residual formula strings")
    residuals = list(fun)
    hp = {"ftol": float(ftol), "xtol": float(xtol), "gtol": float(gtol)}
    if isinstance(x_scale, str):
        hp["x_scale"] = x_scale
    else:
        hp["x_scale"] = np.asarray(x_scale, dtype=np.float64).tolist()
    if max_nfev is not None:
        hp["max_nfev"] = int(max_nfev)
    res = minimize(residuals, x0, method="lm", steps=steps, vars=vars, record="none", **hp)
    x = np.asarray(res.x, dtype=np.float64)
    r, jac = _core.residuals_jacobian(residuals, x.tolist(), None if vars is None else list(vars))
    grad = jac.T @ r
    note = _NOTE.search(res.message)
    if note is not None:
        status, message = int(note.group(1)), note.group(2)
        nfev, njev = int(note.group(3)), int(note.group(4))
    else:  # stopped by the step budget before lm's own tests
        status, message = 0, "The step budget ran out before a termination condition held."
        nfev, njev = res.nfev, res.njev
    return OptimizeResult(
        x=x,
        cost=float(res.fun),
        fun=r,
        jac=jac,
        grad=grad,
        optimality=float(np.max(np.abs(grad))) if grad.size else 0.0,
        active_mask=np.zeros(x.size, dtype=int),
        nfev=nfev,
        njev=njev,
        status=status,
        message=message,
        success=status > 0,
        std_errors=res.get("std_errors"),
        method="lm",
    )
