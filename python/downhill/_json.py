"""JSON for hyperparameters: tuples become lists, NumPy scalars and arrays plain numbers."""

import json


def _default(o):
    if hasattr(o, "tolist"):
        return o.tolist()
    if hasattr(o, "item"):
        return o.item()
    raise TypeError(f"{type(o).__name__} is not a hyperparameter value (numbers, bools, strings, lists)")


def dumps(value) -> str:
    return json.dumps(value, default=_default, allow_nan=True)


loads = json.loads
