"""JSON for hyperparameters: tuples become lists, NumPy scalars and arrays plain numbers, and
the non-finite floats, which JSON lacks, the strings ``"inf"``, ``"-inf"`` and ``"nan"`` (read
back by the hyperparameters that accept them: ``growth_rate = float('inf')``, ``norm``)."""

import json
import math


def _default(o):
    if hasattr(o, "tolist"):
        return _finite(o.tolist())
    if hasattr(o, "item"):
        return _finite(o.item())
    raise TypeError(f"{type(o).__name__} is not a hyperparameter value (numbers, bools, strings, lists)")


def _finite(value):
    """``value`` with every non-finite float replaced by its string."""
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def dumps(value) -> str:
    return json.dumps(_finite(value), default=_default, allow_nan=False)


loads = json.loads
