"""The commands as functions: ``train``, ``compare``, ``sweep``, ``lr_find``, ``landscape``,
``run`` and ``schedule`` (``downhill.schedule_table``: ``downhill.schedule`` is the module of
``Schedule``) take a config and return what ``downhill <command> FILE --json`` prints.

A config is a dict with the tables of the TOML file (``{"optimizer": {"name": "sgd", "lr":
0.1}, ...}``; NumPy scalars and arrays are accepted as values), or the path of a ``.toml`` file
(``str`` or ``os.PathLike``; its relative ``[data] path`` and ``target_path`` resolve against
the file's folder). Both go through the library's ``downhill::spec``, the parser and executor
of the CLI, so a bad key raises ``ValueError`` with the CLI's message: ``file:line:col: [table]
key `k`: …`` for a file, ``[table] key `k`: …`` for a dict.

The JSON becomes Python objects by one rule: a non-empty list whose items are all numbers (a
``null``, which is how JSON writes NaN, counts as one and becomes NaN) is a float64
``np.ndarray``; a list of arrays of one shape is stacked into one array (a trajectory is
``(steps + 1, n)``, a weight matrix ``(rows, cols)``); everything else stays a dict, list,
str, number, bool or None.
"""

import os
from collections.abc import Mapping

import numpy as np

from . import _core
from ._json import dumps, loads

__all__ = ["CommandResult", "compare", "landscape", "lr_find", "run", "schedule", "schedule_table",
           "sweep", "train", "to_arrays"]


class CommandResult(dict):
    """What a command returns: the ``--json`` object as a dict (keys also attributes), with
    ``command`` (``"train"``, …) and ``.plot()``, the command's natural picture."""

    def __init__(self, command, data):
        super().__init__(data)
        object.__setattr__(self, "command", command)

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError as e:
            raise AttributeError(name) from e

    def __dir__(self):
        return list(self.keys()) + ["command", "plot"]

    def __reduce__(self):
        return (CommandResult, (self.command, dict(self)))

    def __repr__(self):
        keys = ", ".join(self.keys())
        return f"<{self.command} result: {keys}>"

    def plot(self, **options):
        """The command's picture as a ``downhill.plot.Figure`` (see ``downhill.plot.of``)."""
        from .plot import of

        return of(self, **options)


def _is_number(x):
    return x is None or (isinstance(x, (int, float)) and not isinstance(x, bool))


def to_arrays(value):
    """The conversion rule of this module, applied to a JSON value (see the module's doc)."""
    if isinstance(value, dict):
        return {k: to_arrays(v) for k, v in value.items()}
    if isinstance(value, list):
        if not value:
            return []
        if all(_is_number(x) for x in value):
            if all(x is None for x in value):
                return list(value)
            return np.array([np.nan if x is None else x for x in value], dtype=np.float64)
        items = [to_arrays(x) for x in value]
        if all(isinstance(a, np.ndarray) for a in items) and len({a.shape for a in items}) == 1:
            return np.stack(items)
        return items
    return value


def _find_none(value, path=()):
    """Where the first None of a config dict is (TOML has no null): ``[table] key `a.b```, or
    None when there is none."""
    items = value.items() if isinstance(value, Mapping) else (
        enumerate(value) if isinstance(value, (list, tuple)) else ())
    for k, v in items:
        here = path + (k,)
        if v is None:
            table, keys = here[0], here[1:]
            while keys and isinstance(keys[0], int):
                table, keys = f"{table}][{keys[0]}", keys[1:]
            key = ".".join(f"[{x}]" if isinstance(x, int) else str(x) for x in keys).replace(".[", "[")
            return f"[{table}]" + (f" key `{key}`" if key else "")
        found = _find_none(v, here)
        if found:
            return found
    return None


def _source(config):
    """Keyword arguments of ``_core.execute_config`` for a dict or a path."""
    if isinstance(config, Mapping):
        none = _find_none(config)
        if none:
            raise ValueError(f"{none}: None has no TOML form (leave the key out for its default)")
        return {"config": dumps(dict(config)), "origin": "config", "from_json": True}
    if isinstance(config, (str, os.PathLike)):
        path = os.fspath(config)
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        return {"config": text, "origin": path, "from_json": False,
                "base_dir": os.path.dirname(os.path.abspath(path))}
    raise TypeError("config: a dict of tables or the path of a .toml file, got "
                    f"{type(config).__name__}")


def _execute(command, config, steps=None):
    out = _core.execute_config(command.replace("_", "-"), steps=steps, **_source(config))
    return CommandResult(command, to_arrays(loads(out)))


def run(config):
    """``downhill run --json``: one run of ``[problem]`` with ``[optimizer]`` (and ``[run]``,
    ``[schedule]``, ``[wrappers]``): ``x``, ``f``, ``steps``, ``status``, ``trajectory``,
    ``f_history``, ``lr``, ``evaluations``, …"""
    return _execute("run", config)


def compare(config):
    """``downhill compare --json``: every ``[[optimizers]]`` on one ``[problem]`` (``runs``, each
    a ``run`` object with its ``label``) or on one dataset (``[data]``, ``[model]``,
    ``[train]``: ``runs`` with ``train_loss``, ``final_train_loss``, …)."""
    return _execute("compare", config)


def train(config):
    """``downhill train --json``: trains ``[model]`` on ``[data]`` with ``[optimizer]``,
    ``[train]`` and ``[schedule]``: ``status``, ``epochs``, ``steps``, ``params`` (name →
    array), ``train_loss``, ``final_train_loss``, ``val_metrics``, ``lr``, ``diverged_at``.
    Ctrl-C stops the training after its current step and raises ``KeyboardInterrupt``."""
    return _execute("train", config)


def sweep(config):
    """``downhill sweep --json``: the config of ``[sweep] command`` run at every point of the
    ``[sweep]`` grid: ``points``, each ``{"values": [...], "result": {...}}``."""
    return _execute("sweep", config)


def lr_find(config):
    """``downhill lr-find --json``: the lr range test of a ``train`` config (``[lr_find]``,
    fastai's names): ``lr``, ``loss`` (smoothed), ``batch_loss``, ``stopped``,
    ``suggested_lr``, ``cyclic``."""
    return _execute("lr_find", config)


def landscape(config):
    """``downhill landscape --json``: the loss landscape of a ``train`` config
    (``[landscape]``): ``interpolation``, ``surface``, ``sharpness``, ``train``."""
    return _execute("landscape", config)


def schedule(config, steps=None):
    """``downhill schedule --json [--steps N]``: the lr (and momentum) of ``[schedule]`` over
    ``steps`` steps (default ``[run] steps``)."""
    if steps is not None:
        steps = int(steps)
        if steps < 0:
            raise ValueError(f"steps = {steps}: must be >= 0")
    return _execute("schedule", config, steps)


#: ``downhill.schedule_table``: ``schedule`` under a name that leaves ``downhill.schedule`` to the
#: module of ``Schedule``.
schedule_table = schedule
