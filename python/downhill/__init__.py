"""Downhill in Python: PyTorch's optimisers and schedules on NumPy arrays, SciPy's ``minimize``
over every method of the library, exact and fast (Rust underneath).

    import downhill
    res = downhill.minimize("rosenbrock", [-1.2, 1.0], method="adam", lr=0.01, steps=10_000)
    res.x, res.fun, res.trajectory

See docs/python.md for the whole API.
"""

from . import _core
from ._core import get_num_threads, set_num_threads
from . import optim, plot
from .apps import lab, lab_stop, tour
from .least_squares import least_squares
from .minimize import METHODS, minimize
from .result import OptimizeResult
from .schedule import Schedule
from .commands import CommandResult, compare, landscape, lr_find, run, schedule_table, sweep, train

__version__ = _core.__version__

#: The built-in test functions (``minimize("rosenbrock", …)``).
FUNCTIONS = list(_core.function_names())


def function(name, x):
    """``(f(x), ∇f(x))`` of a built-in test function (its analytic gradient)."""
    return _core.function_value_grad(name, [float(v) for v in x])


__all__ = [
    "CommandResult",
    "FUNCTIONS",
    "METHODS",
    "OptimizeResult",
    "Schedule",
    "compare",
    "function",
    "get_num_threads",
    "lab",
    "lab_stop",
    "landscape",
    "least_squares",
    "lr_find",
    "minimize",
    "optim",
    "plot",
    "run",
    "schedule_table",
    "set_num_threads",
    "sweep",
    "tour",
    "train",
    "__version__",
]
