"""downhill.optim: classes generated from the catalogue, the committed PyTorch trajectories,
in-place zero-copy steps, groups, lr/momentum, state_dict, pickling and errors."""

import pickle

import numpy as np
import pytest

import downhill
from downhill import _core, optim

from conftest import close, matrix_refs, optim_refs, package_refs, polyak_refs

FIRST_ORDER = [e for e in optim.CATALOG if e["kind"] == "first_order"]
# The rules whose step couples a group's tensors (one state per parameter group), as the
# library declares them (``Entry::COUPLES_TENSORS``).
COUPLED = [e for e in FIRST_ORDER if e["couples_tensors"]]


def cls_of(name):
    entry = next(e for e in optim.CATALOG if e["name"] == name)
    return getattr(optim, optim.class_name(entry))


def test_one_class_per_first_order_optimiser_under_torch_names():
    names = {optim.class_name(e) for e in FIRST_ORDER}
    assert len(names) == len(FIRST_ORDER)
    for want in ["SGD", "Adam", "AdamW", "RMSprop", "Muon", "Adagrad", "NAdam", "RAdam", "Adamax",
                 "Adadelta", "Rprop", "ASGD", "Adafactor"]:
        assert want in names, want
        assert issubclass(getattr(optim, want), optim.Optimizer)
    # Solvers are not step-wise classes.
    assert not hasattr(optim, "LBFGS")


def test_docstrings_carry_the_rule_from_the_rust_docs():
    for e in FIRST_ORDER:
        doc = cls_of(e["name"]).__doc__
        assert e.get("rule"), f"{e['name']}: no rule found in its Rust doc comment"
        assert e["rule"] in doc
        for p in e["params"]:
            assert p["name"] in doc
    assert "θ ← θ − γg" in optim.SGD.__doc__


@pytest.mark.parametrize("entry", FIRST_ORDER, ids=lambda e: e["name"])
def test_reproduces_the_committed_torch_trajectories(entry):
    name = entry["name"]
    if name == "sgld":
        check_sgld_closed_form()
        return
    if name == "polyak_sgd":
        check_polyak()
        return
    cases = [c for c in optim_refs()["cases"] if c["optimizer"] == name]
    mcases = [c for c in matrix_refs() if c["optimizer"] == name]
    # The packages' runs (optax's lars, lamb, …; prodigy, dadapt_*; schedulefree's): the
    # multi-tensor problems as the matrix cases, the named 2-D functions as the torch ones.
    for c in package_refs():
        if c["optimizer"] != name:
            continue
        if c["function"] in MATRIX_FUNCTIONS:
            mcases.append(dict(c, ax=[]))
        else:
            cases.append(c)
    assert cases or mcases, f"{name}: no reference cases"
    cls = cls_of(name)
    for c in cases:
        opt = cls(**c["params"])
        x = np.array(c.get("x0", c["trajectory"][0]), dtype=np.float64)
        for k, want in enumerate(c["trajectory"][1:], 1):
            at = opt.gradient_point(x)  # seed 003's look-ahead variants
            _, g = downhill.function(c["function"], x if at is None else at)
            opt.step(x, g)
            close(x, want)
            if "eval_trajectory" in c:  # schedule-free: x is y, eval_point the average
                close(opt.eval_point(x), c["eval_trajectory"][k])
    for c in mcases:
        check_matrix_case(cls, c)


MATRIX_FUNCTIONS = ("quartic", "ill_conditioned", "rosenbrock_chain")


def matrix_grad(function, x):
    n = x.size
    i = np.arange(n)
    if function == "quartic":
        c, t = 1.0 + (i % 3), ((i % 5) - 2.0) * 0.5
        return 2.0 * c * (x - t) + 0.4 * x**3
    if function == "ill_conditioned":
        return (0.1 + i) * x
    if function == "rosenbrock_chain":
        g = np.zeros(n)
        a = x[1:] - x[:-1] ** 2
        g[:-1] += -400.0 * x[:-1] * a - 2.0 * (1.0 - x[:-1])
        g[1:] += 200.0 * a
        return g
    raise ValueError(function)


def matrix_value(function, x):
    """f(x) of the matrix objectives (make_polyak_refs.value)."""
    n = x.size
    i = np.arange(n)
    if function == "quartic":
        c, t = 1.0 + (i % 3), ((i % 5) - 2.0) * 0.5
        return float(np.sum(c * (x - t) ** 2 + 0.1 * x**4))
    if function == "ill_conditioned":
        return float(np.sum((0.1 + i) * x * x / 2.0))
    if function == "rosenbrock_chain":
        return float(np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2))
    raise ValueError(function)


def split(flat, shapes):
    """Views of ``flat`` shaped as ``shapes``, in order."""
    views, start = [], 0
    for dims in shapes:
        size = int(np.prod(dims))
        views.append(flat[start:start + size].reshape(dims))
        start += size
    return views


def check_polyak():
    """optax.polyak_sgd's runs, the loss given to each step; a multi-tensor problem is stepped
    as its list of arrays (one group: the step size uses the norm over all of them)."""
    for c in polyak_refs():
        opt = cls_of("polyak_sgd")(**c["params"])
        x = np.array(c["trajectory"][0], dtype=np.float64)
        grad = np.zeros_like(x)
        views, gviews = split(x, c["shapes"]), split(grad, c["shapes"])
        for want in c["trajectory"][1:]:
            if c["function"] in MATRIX_FUNCTIONS:
                f, grad[:] = matrix_value(c["function"], x), matrix_grad(c["function"], x)
            else:
                f, g = downhill.function(c["function"], x)
                grad[:] = g
            opt.step(views, gviews, loss=f)
            close(x, want, rtol=1e-6)


def check_sgld_closed_form():
    """sgld at temperature 0 is SGD with half the learning rate (it has no reference
    package; its noise and KS test are checked in Rust)."""
    sgld, sgd = cls_of("sgld")(lr=0.002, temperature=0.0), optim.SGD(lr=0.001)
    x, y = np.array([-1.2, 1.0]), np.array([-1.2, 1.0])
    for _ in range(20):
        _, g = downhill.function("rosenbrock", x)
        sgld.step(x, np.array(g, dtype=np.float64))
        _, g = downhill.function("rosenbrock", y)
        sgd.step(y, np.array(g, dtype=np.float64))
        close(x, y, rtol=1e-15)


def check_matrix_case(cls, c):
    """Steps the case's tensors as a list of arrays (views of one flat vector)."""
    opt = cls(**c["params"])
    flat = np.array(c["trajectory"][0], dtype=np.float64)
    grad = np.zeros_like(flat)
    views, gviews = split(flat, c["shapes"]), split(grad, c["shapes"])
    for k, want in enumerate(c["trajectory"][1:], 1):
        grad[:] = matrix_grad(c["function"], flat)
        opt.step(views, gviews)
        close(flat, want, rtol=1e-6)
        if c.get("eval_trajectory"):
            x = np.concatenate([opt.eval_point(v, i).reshape(-1) for i, v in enumerate(views)])
            close(x, c["eval_trajectory"][k], rtol=1e-6)
    if c["ax"]:
        sd = opt.state_dict()["state"]
        ax = np.concatenate([sd[i]["ax"] for i in range(len(views))])
        close(ax, c["ax"])


def test_step_is_in_place_with_zero_copies_float32_and_float64():
    for dtype in (np.float32, np.float64):
        x = np.ones(10, dtype=dtype)
        ptr = x.ctypes.data
        opt = optim.Adam(lr=0.1)
        opt.step(x, np.ones(10, dtype=dtype))
        assert x.ctypes.data == ptr and x.dtype == dtype
        close(x, np.full(10, 0.9), rtol=1e-6)


def test_float32_follows_float64_to_single_precision():
    a64, a32 = np.linspace(-1, 1, 7), np.linspace(-1, 1, 7).astype(np.float32)
    o64, o32 = optim.Adam(lr=0.01), optim.Adam(lr=0.01)
    for _ in range(20):
        o64.step(a64, 2 * a64.copy())
        o32.step(a32, 2 * a32.copy())
    assert np.max(np.abs(a32 - a64)) < 1e-5


def test_wrong_dtype_or_layout_is_a_type_error():
    opt = optim.SGD(lr=0.1)
    with pytest.raises(TypeError, match="float32 or float64"):
        opt.step(np.ones(3, dtype=np.int64), np.ones(3, dtype=np.int64))
    with pytest.raises(TypeError, match="C-contiguous"):
        x = np.ones((4, 4))[:, 1]
        opt.step(x, np.ones(4))
    with pytest.raises(TypeError):
        opt.step(np.ones(3), np.ones(3, dtype=np.float32))
    with pytest.raises(TypeError):
        opt.step([1.0, 2.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="elements"):
        opt.step(np.ones(3), np.ones(4))


def test_bad_hyperparameters_are_value_errors_naming_the_key():
    with pytest.raises(ValueError, match="lr"):
        optim.Adam(lr=-1.0)
    with pytest.raises(ValueError, match="betas"):
        optim.Adam(betas=(0.9, 1.5))
    with pytest.raises(ValueError, match="momentum"):
        optim.SGD(lr=0.1, momentum=-0.5)
    with pytest.raises(ValueError, match="lrr"):
        optim.SGD(lrr=0.1)
    with pytest.raises(ValueError, match="weight_decay"):
        optim.AdamW([{"params": [np.ones(2)], "weight_decay": -1.0}])


def test_parameter_groups_with_overrides_and_per_group_lr_and_momentum():
    w, b = np.ones(4), np.ones(2)
    opt = optim.SGD([{"params": [w], "lr": 0.1}, {"params": b}], lr=0.01, momentum=0.9)
    assert opt.lr == [0.1, 0.01]
    assert opt.momentum == [0.9, 0.9]
    assert opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[1]["momentum"] == 0.9
    opt.step(opt.params, [np.ones(4), np.ones(2)])
    close(w, np.full(4, 0.9))
    close(b, np.full(2, 0.99))
    opt.param_groups[1]["lr"] = 0.5
    opt.lr = [0.2, 0.5]
    assert opt.lr == [0.2, 0.5]
    opt.momentum = 0.0
    assert opt.momentum == [0.0, 0.0]
    opt.param_groups[0]["weight_decay"] = 0.1
    assert opt.param_groups[0]["weight_decay"] == 0.1
    assert opt.param_groups[1]["weight_decay"] == 0.0
    with pytest.raises(ValueError, match="lr"):
        opt.lr = -1.0


def test_adam_momentum_is_beta1_and_writable():
    opt = optim.Adam(lr=0.1, betas=(0.8, 0.99))
    assert opt.momentum == 0.8
    opt.momentum = 0.5
    x = np.ones(3)
    opt.step(x, np.ones(3))
    assert opt.state_dict()["param_groups"][0]["betas"][0] == 0.5


def trajectory(opt, x, steps):
    out = []
    for _ in range(steps):
        _, g = downhill.function("rosenbrock", x)
        opt.step(x, g)
        out.append(x.copy())
    return np.array(out)


@pytest.mark.parametrize("entry", [e for e in FIRST_ORDER if e["name"] != "muon"], ids=lambda e: e["name"])
def test_state_dict_and_pickle_resume_bit_for_bit(entry):
    cls = cls_of(entry["name"])
    kw = {"lr": 1e-3} if any(p["name"] == "lr" for p in entry["params"]) else {}
    straight = cls(**kw)
    x = np.array([-1.2, 1.0])
    full = trajectory(straight, x, 10)
    first = cls(**kw)
    y = np.array([-1.2, 1.0])
    trajectory(first, y, 5)
    sd = first.state_dict()
    assert isinstance(sd["state"][0], dict)
    resumed = cls(**kw)
    resumed.load_state_dict(sd)
    y2 = y.copy()
    assert np.array_equal(trajectory(resumed, y2, 5), full[5:])
    unpickled = pickle.loads(pickle.dumps(first))
    assert type(unpickled) is cls
    assert np.array_equal(trajectory(unpickled, y.copy(), 5), full[5:])


def test_muon_takes_matrices_only():
    opt = optim.Muon(lr=0.02)
    w = np.eye(3) + 0.1
    opt.step(w, np.ones((3, 3)))
    with pytest.raises(ValueError, match="matri"):
        optim.Muon(lr=0.02).step(np.ones(3), np.ones(3))


def test_signature_and_repr_come_from_the_catalogue():
    import inspect

    sig = inspect.signature(optim.Adam)
    assert sig.parameters["lr"].default == 0.001
    assert sig.parameters["betas"].default == (0.9, 0.999)
    assert "Adam" in repr(optim.Adam(lr=0.1))


def test_large_arrays_step_with_the_gil_released_same_bits():
    n = 1 << 17
    a = np.linspace(-1, 1, n)
    b = a.copy()
    oa, ob = optim.Adam(lr=0.01), optim.Adam(lr=0.01)
    downhill.set_num_threads(1)
    oa.step(a, np.cos(a))
    downhill.set_num_threads(2)
    ob.step(b, np.cos(b))
    assert np.array_equal(a, b)
    assert _core.get_num_threads() == 2
