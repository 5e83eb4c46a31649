"""``downhill.minimize``: SciPy's ``minimize`` over every method of the registry."""

import math

import numpy as np

from . import _core
from ._json import dumps
from .optim import CATALOG
from .result import OptimizeResult
from .schedule import Schedule

__all__ = ["minimize", "METHODS"]

METHODS = [e["name"] for e in CATALOG]
FUNCTIONS = set(_core.function_names())
_FIRST_ORDER = {e["name"] for e in CATALOG if e["kind"] == "first_order"}
_RESIDUALS = {e["name"] for e in CATALOG if "residuals" in e.get("needs", ())}


def _squash(name):
    return str(name).replace("-", "").replace("_", "").lower()


_BY_SQUASHED = {_squash(n): n for n in METHODS}


def resolve_method(method):
    """The registry name for ``method``: a registry name, or SciPy's spelling (``L-BFGS-B``,
    ``Nelder-Mead``, ``CMA-ES``) and PyTorch's class names (``Adam``, ``RMSprop``)."""
    found = _BY_SQUASHED.get(_squash(method))
    if found is None:
        raise ValueError(f"method: unknown method `{method}`; known: {', '.join(METHODS)}")
    return found


def _bounds(bounds, n):
    if bounds is None:
        return None
    if hasattr(bounds, "lb") and hasattr(bounds, "ub"):  # scipy.optimize.Bounds
        lb = np.broadcast_to(np.asarray(bounds.lb, dtype=float), (n,))
        ub = np.broadcast_to(np.asarray(bounds.ub, dtype=float), (n,))
        pairs = list(zip(lb.tolist(), ub.tolist()))
    else:
        pairs = list(bounds)
    out = []
    for i, pair in enumerate(pairs):
        try:
            lo, hi = pair
        except (TypeError, ValueError):
            raise ValueError(f"bounds[{i}]: a (min, max) pair, got {pair!r}") from None
        out.append([-math.inf if lo is None else float(lo), math.inf if hi is None else float(hi)])
    return out


def _record(res, record):
    traj, fh = res["trajectory"], res["f_history"]
    if record == "all":
        return traj, fh
    if record == "f":
        return None, fh
    if record == "none" or record is None:
        return None, None
    if isinstance(record, (int, np.integer)) and not isinstance(record, bool) and record >= 1:
        idx = np.arange(0, len(fh), int(record))
        if len(fh) and idx[-1] != len(fh) - 1:
            idx = np.append(idx, len(fh) - 1)
        return traj[idx], fh[idx]
    raise ValueError(f'record: "all", "f", "none" or a positive integer k, got {record!r}')


_STATUS = {
    "converged": (0, "Optimization terminated successfully: the gradient norm fell to tol."),
    "max_steps": (1, "Completed the step budget."),
    "diverged": (3, "Diverged: a non-finite value; the last finite point is kept."),
}


def minimize(fun, x0, method="adam", *, jac=None, bounds=None, steps=1000, tol=None, schedule=None,
             record="all", vars=None, args=(), **hyperparameters):
    """Minimise ``fun`` from ``x0`` with any method of the registry; SciPy's result.

    ``fun``: a built-in name (``"rosenbrock"``), a formula string (``"(1-x)^2 + 100*(y-x^2)^2"``,
    variables named by ``vars`` or in order of first use), a list of residual formulas (least
    squares, f = ½‖r‖²: what ``lm`` takes; ``std_errors`` in the result) — all run entirely in
    Rust with the exact gradient — or a Python callable ``fun(x, *args)``: ``jac=True`` when it returns
    ``(f, g)``, ``jac`` a callable, or central differences (h = 1e-4) without one (the result's
    ``message`` says so). An exception inside a callable reaches the caller unchanged.

    ``method``: any registry name (first-order optimisers and the solvers ``lbfgs``, ``lbfgsb``,
    ``newton``, ``nelder_mead``, ``cmaes``, ``pso``, ``ga``), or SciPy's / PyTorch's spelling;
    ``**hyperparameters`` are its parameters (``lr=0.01``, ``betas=(0.9, 0.99)``, …).
    ``bounds``: (min, max) pairs (None for unbounded), or a ``scipy.optimize.Bounds``.
    ``steps``: the step budget; ``tol``: stop once the gradient norm is at most ``tol``.
    ``schedule``: a ``Schedule`` (its lr/momentum are replaced by the optimiser's) or a name.
    ``record``: ``"all"``, an integer k (every k-th point and the last), ``"f"`` or ``"none"``.
    """
    method = resolve_method(method)
    x0 = np.asarray(x0, dtype=np.float64).ravel()
    n = x0.size
    steps = int(steps)
    if steps < 0:
        raise ValueError(f"steps = {steps}: must be >= 0")
    hp = dumps(hyperparameters)
    sched_json, lam = None, None
    if schedule is not None:
        if isinstance(schedule, str):
            schedule = Schedule(schedule)
        if not isinstance(schedule, Schedule):
            raise TypeError("schedule: a downhill.Schedule or a schedule name")
        if method not in _FIRST_ORDER:
            raise ValueError(f"schedule: `{method}` runs its own iterations; schedules drive first-order optimisers")
        sched_json, lam = schedule.to_json(), schedule._lambda
    b = _bounds(bounds, n)
    x0l = x0.tolist()
    native = isinstance(fun, str)
    if isinstance(fun, (list, tuple)) and fun and all(isinstance(r, str) for r in fun):
        if schedule is not None or jac not in (None, False) or args:
            raise ValueError("fun: residual formulas take no schedule, jac or args")
        res = _core.minimize_residuals(list(fun), x0l, method, hp, steps, tol, b, vars)
        how = "least squares, ½‖r‖² of the residual formulas (automatic differentiation)"
    elif method in _RESIDUALS:
        raise ValueError(f"fun: `{method}` works on residuals: pass fun as a list of residual formulas "
                         f"(least squares, f = ½‖r(x)‖²)")
    elif native:
        if jac not in (None, False):
            raise ValueError("jac: a built-in or a formula has its exact gradient; leave jac unset")
        if args:
            raise ValueError("args: only for a Python callable")
        res = _core.minimize_native(fun, x0l, method, hp, steps, tol, b, vars, sched_json, lam)
        how = "built-in" if fun in _core.function_names() else "formula (automatic differentiation)"
    elif callable(fun):
        if vars is not None:
            raise ValueError("vars: only for a formula string")
        j = None if jac in (None, False) else jac
        res = _core.minimize_callable(fun, x0l, method, hp, steps, tol, b, j, tuple(args), sched_json, lam)
        how = "central differences, h = 1e-4" if res["numeric_gradient"] else "callable"
    else:
        raise TypeError("fun: a built-in name, a formula string or a callable")
    status, message = _STATUS[res["status_name"]]
    if res["status_name"] == "max_steps" and tol is not None:
        message = "Maximum number of steps reached before the gradient norm fell to tol."
    if res["status_name"] == "diverged":
        message = f"Diverged at step {res['diverged_at']}: a non-finite value; the last finite point is kept."
    if res.get("stopped_by"):
        message = f"Stopped by the solver's own `{res['stopped_by']}` test."
    message += f" Gradient: {how}."
    for note in res["notes"]:
        message += f" Note: {note}"
    traj, fh = _record(res, record)
    out = OptimizeResult(
        x=res["x"],
        fun=res["fun"],
        jac=res["jac"],
        nit=res["nit"],
        nfev=res["nfev"],
        njev=res["njev"],
        status=status,
        success=status == 0 or (status == 1 and tol is None),
        message=message,
        trajectory=traj,
        f_history=fh,
        lr=res["lr"],
        momentum=res["momentum"] if len(res["momentum"]) else None,
        diverged_at=res["diverged_at"],
        method=method,
    )
    if native:
        out["function"] = fun
        if fun not in FUNCTIONS:
            out["vars"] = list(vars) if vars is not None else list(_core.formula_vars(fun))
    if res.get("nhev"):
        out["nhev"] = res["nhev"]
    if res.get("iterations") is not None:
        out["iterations"] = res["iterations"]
    if res.get("std_errors") is not None:
        out["std_errors"] = res["std_errors"]
    return out
