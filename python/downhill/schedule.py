"""``downhill.Schedule``: PyTorch's learning-rate schedulers as sequences, with no dummy optimiser.

    s = downhill.Schedule("CosineAnnealingLR", lr=0.1, T_max=10)
    s.lrs(20)      # numpy array: get_last_lr() after 0 … 19 calls of scheduler.step()

Names are the registry's (``cosine_annealing_lr``) or PyTorch's class names; PyTorch's parameter
names (``T_max``, ``T_0``, ``T_mult``, ``max_lr``, ``total_steps``, …) are aliases of the
snake_case keys. Both are derived from the library's schedule catalogue.
"""

import numpy as np

from . import _core
from ._json import dumps, loads

__all__ = ["Schedule", "NAMES"]

CATALOG = loads(_core.schedule_catalog())
NAMES = [s["name"] for s in CATALOG["schedules"]]
_COMMON = {p["name"] for p in CATALOG["common"]}
_PARAMS = {s["name"]: {p["name"] for p in s["params"]} for s in CATALOG["schedules"]}


def _squash(name):
    return name.replace("_", "").lower()


_BY_SQUASHED = {_squash(n): n for n in NAMES}


def resolve_name(name):
    """The registry name for a registry or PyTorch class name (``CosineAnnealingLR``)."""
    if name in _PARAMS:
        return name
    found = _BY_SQUASHED.get(_squash(str(name)))
    if found is None:
        raise ValueError(f"name: unknown schedule `{name}`; known: {', '.join(NAMES)} (or PyTorch's class names)")
    return found


def _config(name, kwargs):
    """A schedule's config dict: keys renamed from PyTorch's spelling, inner schedules expanded."""
    name = resolve_name(name)
    known = _PARAMS[name] | _COMMON
    cfg = {"name": name}
    for key, value in kwargs.items():
        k = key
        if k not in known and k.lower() in known:
            k = k.lower()
        if k == "schedulers":
            value = [_inner(s) for s in value]
        cfg[k] = value
    return cfg


def _inner(s):
    if isinstance(s, Schedule):
        if s._lambda is not None:
            raise ValueError("schedulers: an inner schedule's lr_lambda must be a formula string")
        return s.config
    if isinstance(s, dict):
        d = dict(s)
        return _config(d.pop("name"), d)
    raise TypeError("schedulers: a list of Schedule objects or dicts with 'name'")


class Schedule:
    """A learning-rate (and momentum) schedule: ``Schedule(name, lr=0.1, momentum=None, **kwargs)``.

    ``lr`` is the optimiser's learning rate, ``momentum`` its momentum (for schedules that cycle
    it: ``cyclic_lr``, ``one_cycle_lr``). ``lr_lambda`` (``lambda_lr``, ``multiplicative_lr``) is a
    formula string in ``epoch`` or a Python callable of the epoch.
    """

    def __init__(self, name, lr=0.1, momentum=None, **kwargs):
        self._lambda = None
        lam = kwargs.get("lr_lambda")
        if lam is not None and callable(lam):
            self._lambda = lam
            kwargs = {k: v for k, v in kwargs.items() if k != "lr_lambda"}
        self.config = _config(name, kwargs)
        self.name = self.config["name"]
        self.lr = float(lr)
        self.momentum = None if momentum is None else float(momentum)
        # Validate now, naming the key (a callable lr_lambda is asked once, at epoch 0).
        _core.schedule_check(dumps(self.config), self.lr, self.momentum, self._lambda)
        if self._lambda is not None:
            self._values(1)

    def _values(self, n):
        return _core.schedule_values(dumps(self.config), self.lr, self.momentum, int(n), self._lambda)

    def lrs(self, n):
        """The learning rate at steps 0 … n−1, as torch's ``get_last_lr()[0]`` after k steps."""
        return self._values(n)[0]

    def momenta(self, n):
        """The momentum at steps 0 … n−1 (constant ``momentum`` when the schedule does not drive it;
        None without a momentum)."""
        lrs, m = self._values(n)
        if m is None:
            return None if self.momentum is None else np.full(int(n), self.momentum)
        return m

    def to_json(self):
        """The config as the JSON of a ``[schedule]`` table."""
        return dumps(self.config)

    def __repr__(self):
        keys = ", ".join(f"{k}={v!r}" for k, v in self.config.items() if k != "name")
        return f"Schedule({self.name!r}, lr={self.lr!r}, momentum={self.momentum!r}{', ' if keys else ''}{keys})"
