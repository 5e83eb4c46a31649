"""``downhill.optim``: PyTorch's optimisers on NumPy arrays, updated in place.

Every class here is generated at import from the library's catalogue (``downhill::optim::catalog``):
one per first-order optimiser of the registry, under PyTorch's class name, with PyTorch's
parameter names and defaults, and the update rule from the Rust documentation as its docstring.
Nothing here is a hand-kept list of names.

    opt = downhill.optim.Adam(lr=1e-3)
    opt.step(w, g)                 # w (float32 or float64, C-contiguous) updated in place
    opt.step([w, b], [gw, gb])     # one state per array, as torch keeps one per tensor

Parameter groups follow torch: ``Adam([{"params": [w], "lr": 0.1}, {"params": [b]}], lr=1e-3)``;
``opt.params`` is the flattened list to pass to ``step``.

The rules whose step couples the tensors it updates (``couples_tensors`` in the catalogue:
``Prodigy``, ``DAdaptAdam`` and ``DAdaptSGD``, which adapt one d from sums over all the
tensors, ``PolyakSgd``, whose step size uses the global gradient norm as optax's, and ``Sgld``,
whose noise is one stream over the parameter vector) keep one state per parameter group
instead: ``step`` gathers a group's arrays (all of them, in order, in one dtype) into one
vector, steps it knowing their shapes, and writes the result back in place, so ``[w, b]``
steps as the packages step ``[w, b]``. Their ``state_dict`` holds a group's state under its
first array's index, its buffers over the concatenation of the group's arrays. (The packages
share d, or the norm, across all parameter groups; here each group has its own, as the
library's ``param_groups`` do.)
"""

import inspect
import re

from . import _core
from ._json import dumps, loads

__all__ = ["Optimizer", "ParamGroup"]

CATALOG = loads(_core.optimizer_catalog())


class ParamGroup:
    """One parameter group as a mapping (``group["lr"] = 0.01`` writes through, as in torch)."""

    __slots__ = ("_opt", "_index")

    def __init__(self, opt, index):
        self._opt = opt
        self._index = index

    def _config(self):
        return loads(self._opt.group_config(self._index))

    def __getitem__(self, key):
        if key == "params":
            return self._opt._group_params(self._index)
        if key == "lr":
            return self._opt.get_lr(self._index)
        if key == "momentum" and self._opt.get_momentum(self._index) is not None and "momentum" not in self._config():
            return self._opt.get_momentum(self._index)
        return self._config()[key]

    def __setitem__(self, key, value):
        if key == "lr":
            self._opt.set_lr(float(value), self._index)
        elif key == "momentum" and "momentum" not in self._config():
            self._opt.set_momentum(float(value), self._index)
        else:
            self._opt.set_group_param(self._index, key, dumps(value))

    def keys(self):
        return list(self._config().keys()) + ["params"]

    def __iter__(self):
        return iter(self.keys())

    def __len__(self):
        return len(self.keys())

    def __contains__(self, key):
        return key in self.keys()

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            return default

    def items(self):
        return [(k, self[k]) for k in self.keys()]

    def __repr__(self):
        return repr(dict(self._config()))


def _split_groups(params, defaults):
    """torch's ``params`` argument → (group hyperparameters, tensors per group, flat arrays)."""
    if params is None:
        return [dict(defaults)], None, []
    if hasattr(params, "dtype"):
        params = [params]
    params = list(params)
    if params and all(isinstance(p, dict) for p in params):
        groups, sizes, flat = [], [], []
        for i, g in enumerate(params):
            if "params" not in g:
                raise ValueError(f"params[{i}]: a parameter group needs the key 'params'")
            ps = g["params"]
            ps = [ps] if hasattr(ps, "dtype") else list(ps)
            hp = dict(defaults)
            hp.update({k: v for k, v in g.items() if k != "params"})
            groups.append(hp)
            sizes.append(len(ps))
            flat.extend(ps)
        return groups, sizes, flat
    if any(isinstance(p, dict) for p in params):
        raise TypeError("params: a list of arrays or a list of dicts, not a mix")
    return [dict(defaults)], [len(params)], params


class Optimizer(_core.Optimizer):
    """Base of every optimiser class (see the module docs)."""

    _name = None

    def __new__(cls, params=None, **hyperparameters):
        if cls._name is None:
            raise TypeError("use one of the optimiser classes of downhill.optim")
        groups, sizes, flat = _split_groups(params, hyperparameters)
        self = super().__new__(cls, cls._name, [dumps(g) for g in groups], sizes)
        self._flat = flat
        self._sizes = sizes
        return self

    def __init__(self, params=None, **hyperparameters):
        pass

    @property
    def params(self):
        """The arrays given at construction, flattened over the groups (``step``'s first argument)."""
        return list(self._flat)

    def _group_params(self, g):
        if self._sizes is None:
            return list(range(self.num_tensors)) if g == 0 else []
        start = sum(self._sizes[:g])
        if self._flat:
            return self._flat[start:start + self._sizes[g]]
        return list(range(start, start + self._sizes[g]))

    @property
    def param_groups(self):
        """The parameter groups, as torch's list of dicts (writes go through)."""
        return [ParamGroup(self, g) for g in range(self.num_groups)]

    @property
    def defaults(self):
        """Group 0's hyperparameters with every default filled in."""
        return loads(self.group_config(0))

    @property
    def lr(self):
        """The learning rate (a list, one per group, when there are several groups)."""
        lrs = [self.get_lr(g) for g in range(self.num_groups)]
        return lrs[0] if len(lrs) == 1 else lrs

    @lr.setter
    def lr(self, value):
        if isinstance(value, (list, tuple)):
            for g, v in enumerate(value):
                self.set_lr(float(v), g)
        else:
            self.set_lr(float(value))

    @property
    def momentum(self):
        """The momentum (SGD/RMSprop ``momentum``, the Adam family's β₁), per group as ``lr``."""
        ms = [self.get_momentum(g) for g in range(self.num_groups)]
        return ms[0] if len(ms) == 1 else ms

    @momentum.setter
    def momentum(self, value):
        if isinstance(value, (list, tuple)):
            for g, v in enumerate(value):
                self.set_momentum(float(v), g)
        else:
            self.set_momentum(float(value))

    def zero_grad(self, set_to_none=True):
        """Nothing to do: gradients are arrays the caller owns (kept for torch's loops)."""

    def state_dict(self):
        """torch's layout: ``{"state": {i: {scalar or array}}, "param_groups": [...]}``.

        Buffers are flat float64 arrays (exact for float32 parameters). A rule that couples a
        group's tensors (see the module docs) has one entry per group, under its first array's
        index, with buffers over the group's arrays concatenated."""
        state = {}
        for i in range(self.num_tensors):
            st = self.tensor_state(i)
            if st is None:
                continue
            scalars, buffers = st
            entry = dict(loads(scalars))
            entry.update(buffers)
            state[i] = entry
        groups = []
        for g in range(self.num_groups):
            cfg = loads(self.group_config(g))
            momentum = self.get_momentum(g)
            if momentum is not None and "betas" in cfg:
                cfg["betas"] = [momentum, *cfg["betas"][1:]]  # adan: a triple
            elif momentum is not None and "momentum" in cfg:
                cfg["momentum"] = momentum
            if self._sizes is None:
                cfg["params"] = list(range(self.num_tensors))
            else:
                start = sum(self._sizes[:g])
                cfg["params"] = list(range(start, start + self._sizes[g]))
            groups.append(cfg)
        return {"name": self.name, "state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Loads what ``state_dict`` gave (hyperparameters, groups and every tensor's state)."""
        name = state_dict.get("name", self.name)
        if name != self.name:
            raise ValueError(f"state_dict: saved by `{name}`, not `{self.name}`")
        groups = state_dict["param_groups"]
        hps = [{k: v for k, v in g.items() if k != "params"} for g in groups]
        sizes = None if len(groups) == 1 and self._sizes is None else [len(g["params"]) for g in groups]
        self.reset([dumps(h) for h in hps], sizes)
        self._sizes = sizes
        for i, entry in state_dict["state"].items():
            scalars = {k: float(v) for k, v in entry.items() if not hasattr(v, "__len__")}
            buffers = {k: v for k, v in entry.items() if hasattr(v, "__len__")}
            self.load_tensor_state(int(i), dumps(scalars), buffers)

    def __reduce__(self):
        return (_restore, (type(self), self.state_dict()))

    def __repr__(self):
        groups = ", ".join(repr(ParamGroup(self, g)) for g in range(self.num_groups))
        return f"{type(self).__name__}({groups})"


def _restore(cls, state_dict):
    opt = cls()
    opt.load_state_dict(state_dict)
    return opt


_REFERENCE_CLASS = re.compile(
    r"\b(?:torch\.optim|prodigyopt|dadaptation|schedulefree)\.([A-Z][A-Za-z0-9]*)"
)


def class_name(entry):
    """The reference's class name of a catalogue entry (``torch.optim.X``, or the class of the
    method's own package: ``prodigyopt.Prodigy``, ``dadaptation.DAdaptAdam``,
    ``schedulefree.SGDScheduleFree``, in its doc or rule), else the registry name in
    CamelCase (``lars`` → ``Lars``, as optax's function)."""
    for text in (entry.get("doc", ""), entry.get("rule", "")):
        m = _REFERENCE_CLASS.search(text)
        if m:
            return m.group(1)
    return "".join(part.capitalize() for part in entry["name"].split("_"))


def _py_default(v):
    return tuple(v) if isinstance(v, list) else v


def _range_text(p):
    r = p.get("range")
    if not r:
        return ""
    lo, hi = r.get("min"), r.get("max")
    left = ("[" if r.get("min_inclusive") else "(") + (repr(lo) if lo is not None else "-inf")
    right = (repr(hi) if hi is not None else "inf") + ("]" if r.get("max_inclusive") else ")")
    return f" in {left}, {right}"


def docstring(entry):
    """The class docstring: the catalogue's line, the rule from the Rust docs, the parameters."""
    lines = [entry["doc"], ""]
    if entry.get("rule"):
        lines += [entry["rule"], ""]
    lines.append("Parameters (PyTorch's names and defaults):")
    for p in entry["params"]:
        lines.append(f"    {p['name']} = {_py_default(p['default'])!r}{_range_text(p)}: {p['doc']}")
    lines += [
        "",
        "step(params, grad): params a float32/float64 C-contiguous writeable array (or a list of",
        "them), updated in place; grad the same shapes and dtypes (used as scratch).",
        "Wrong dtype or layout raises TypeError; a bad hyperparameter raises ValueError naming it.",
    ]
    return "\n".join(lines)


def _signature(entry):
    ps = [inspect.Parameter("params", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None)]
    for p in entry["params"]:
        ps.append(inspect.Parameter(p["name"], inspect.Parameter.KEYWORD_ONLY, default=_py_default(p["default"])))
    return inspect.Signature(ps)


def _make(entry):
    name = class_name(entry)
    cls = type(name, (Optimizer,), {
        "__doc__": docstring(entry),
        "__module__": __name__,
        "_name": entry["name"],
        "__qualname__": name,
    })
    cls.__signature__ = _signature(entry)
    return cls


for _entry in CATALOG:
    if _entry["kind"] == "first_order":
        _cls = _make(_entry)
        globals()[_cls.__name__] = _cls
        __all__.append(_cls.__name__)
del _entry, _cls
