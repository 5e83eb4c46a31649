"""downhill.optim with several arrays: the rules that couple a group's tensors (``couples_tensors``
in the catalogue) keep one state per parameter group, the others one per array."""

import pickle

import numpy as np
import pytest

from downhill import optim

from conftest import close
from test_optim import COUPLED, FIRST_ORDER, cls_of, matrix_grad, matrix_value, split

SHAPES = [(3, 2), (3,)]


def kwargs(name):
    """Hyperparameters that make every coupled rule move visibly in 30 steps."""
    return {"polyak_sgd": {"max_learning_rate": 1.0}, "sgld": {"lr": 1e-3, "temperature": 0.1},
            "dadapt_sgd": {"d0": 1e-2}}.get(name, {"d0": 1e-3})


def start():
    return np.linspace(-1.0, 1.5, 9)


def run(opt, x, shapes=SHAPES, steps=30):
    """``steps`` steps of ``opt`` on the quartic at ``x``, stepped as views shaped ``shapes``
    (None: ``x`` as one array), each step given its loss."""
    grad = np.zeros_like(x)
    ps = x if shapes is None else split(x, shapes)
    gs = grad if shapes is None else split(grad, shapes)
    for _ in range(steps):
        grad[:] = matrix_grad("quartic", x)
        opt.step(ps, gs, loss=matrix_value("quartic", x))


def test_the_catalogue_declares_which_rules_couple_tensors():
    names = {e["name"] for e in COUPLED}
    assert {"prodigy", "dadapt_adam", "dadapt_sgd", "polyak_sgd", "sgld"} <= names
    assert not {"adam", "sgd", "lamb", "lars", "novograd", "adamw_schedule_free"} & names
    assert all(isinstance(e["couples_tensors"], bool) for e in FIRST_ORDER)


@pytest.mark.parametrize("entry", COUPLED, ids=lambda e: e["name"])
def test_a_coupled_group_steps_as_the_concatenated_vector(entry):
    """[w, b] in one group is one vector: bit for bit the flat vector's steps where the rule's
    sums run over the vector in order (sgld's noise stream, polyak's norm); prodigy and
    D-Adaptation sum per tensor, as their packages do, so the split changes only the last bits.
    Stepped as separate optimisers, w and b would follow other trajectories."""
    name = entry["name"]
    cls = cls_of(name)
    xs = start()
    ptr = xs.ctypes.data
    run(cls(**kwargs(name)), xs)
    assert xs.ctypes.data == ptr  # the views' memory, in place
    flat = start()
    run(cls(**kwargs(name)), flat, shapes=None)
    if name in ("sgld", "polyak_sgd"):
        assert np.array_equal(xs, flat)
    else:
        close(xs, flat, rtol=1e-12)
    assert not np.array_equal(xs, start())
    apart = start()
    w, b = split(apart, SHAPES)
    ow, ob = cls(**kwargs(name)), cls(**kwargs(name))
    for _ in range(30):
        g = matrix_grad("quartic", apart)
        f = matrix_value("quartic", apart)
        gw, gb = split(g, SHAPES)
        ow.step(w, gw, loss=f)
        ob.step(b, gb, loss=f)
    assert not np.allclose(apart, xs, rtol=1e-9, atol=0)


def test_each_parameter_group_of_a_coupled_rule_has_its_own_state():
    """polyak_sgd (optax has no groups): each group is its own optimiser over its arrays.
    (prodigy and D-Adaptation share one d across groups, as their packages: see
    test_optim_shared.py.)"""
    xs = start()
    w, b = split(xs, SHAPES)
    c = np.array([0.5, -0.25])
    opt = optim.PolyakSgd([{"params": [w, b]}, {"params": [c], "max_learning_rate": 0.1}],
                          max_learning_rate=1.0)
    ys = start()
    w2, b2 = split(ys, SHAPES)
    c2 = c.copy()
    one, two = optim.PolyakSgd([w2, b2], max_learning_rate=1.0), optim.PolyakSgd(
        [c2], max_learning_rate=0.1)
    for _ in range(20):
        f = matrix_value("quartic", xs)
        opt.step(opt.params, [*split(matrix_grad("quartic", xs), SHAPES), 2.0 * c], loss=f)
        one.step([w2, b2], split(matrix_grad("quartic", ys), SHAPES), loss=f)
        two.step(c2, 2.0 * c2, loss=f)
    assert np.array_equal(xs, ys) and np.array_equal(c, c2)
    state = opt.state_dict()["state"]
    assert sorted(state) == [0, 2]  # one entry per group, at its first array


def test_an_uncoupled_rule_keeps_one_state_per_array():
    xs, ys = start(), start()
    w, b = split(xs, SHAPES)
    w2, b2 = split(ys, SHAPES)
    opt, ow, ob = optim.Adam([w, b], lr=0.01), optim.Adam(lr=0.01), optim.Adam(lr=0.01)
    for _ in range(10):
        opt.step([w, b], split(matrix_grad("quartic", xs), SHAPES))
        gw, gb = split(matrix_grad("quartic", ys), SHAPES)
        ow.step(w2, gw)
        ob.step(b2, gb)
    assert np.array_equal(xs, ys)
    state = opt.state_dict()["state"]
    assert sorted(state) == [0, 1]
    assert state[0]["exp_avg"].size == 6 and state[1]["exp_avg"].size == 3


def test_a_coupled_group_is_stepped_whole_in_one_dtype():
    w, b = np.ones((2, 2)), np.ones(3)
    opt = optim.Prodigy([w, b])
    with pytest.raises(ValueError, match="stepped together"):
        opt.step(w, np.ones((2, 2)))
    b32 = np.ones(3, dtype=np.float32)
    with pytest.raises(TypeError, match="one dtype"):
        optim.Prodigy().step([w, b32], [np.ones((2, 2)), np.ones(3, dtype=np.float32)])
    opt.step([w, b], [np.ones((2, 2)), np.ones(3)])
    with pytest.raises(ValueError, match="first step"):
        opt.step([w, np.ones(4)], [np.ones((2, 2)), np.ones(4)])


def test_a_float32_group_follows_float64():
    x64 = start()
    x32 = start().astype(np.float32)
    o64, o32 = optim.DAdaptAdam(d0=1e-3), optim.DAdaptAdam(d0=1e-3)
    for _ in range(20):
        o64.step(split(x64, SHAPES), split(matrix_grad("quartic", x64), SHAPES))
        g32 = matrix_grad("quartic", x32.astype(np.float64)).astype(np.float32)
        o32.step(split(x32, SHAPES), split(g32, SHAPES))
    assert x32.dtype == np.float32
    assert np.max(np.abs(x32 - x64)) < 1e-4


@pytest.mark.parametrize("entry", COUPLED, ids=lambda e: e["name"])
def test_a_coupled_group_resumes_bit_for_bit(entry):
    name = entry["name"]
    cls = cls_of(name)
    straight = start()
    run(cls(**kwargs(name)), straight, steps=10)
    ys = start()
    first = cls(**kwargs(name))
    run(first, ys, steps=5)
    sd = first.state_dict()
    assert sorted(sd["state"]) == [0]
    resumed = cls(**kwargs(name))
    resumed.load_state_dict(sd)
    y2 = ys.copy()
    run(resumed, y2, steps=5)
    assert np.array_equal(y2, straight)
    unpickled = pickle.loads(pickle.dumps(first))
    run(unpickled, ys, steps=5)
    assert np.array_equal(ys, straight)
    # A state_dict with one state per array (one d per array) cannot be resumed exactly.
    old = {**sd, "state": {0: sd["state"][0], 1: sd["state"][0]}}
    with pytest.raises(ValueError, match="one state per parameter group"):
        cls(**kwargs(name)).load_state_dict(old)


def test_growth_rate_inf_is_the_packages_default():
    for cls in (optim.Prodigy, optim.DAdaptAdam, optim.DAdaptSGD):
        a, b = start(), start()
        run(cls(growth_rate=float("inf"), d0=1e-3), a, steps=10)
        run(cls(d0=1e-3), b, steps=10)
        assert np.array_equal(a, b) and not np.array_equal(a, start())
        with pytest.raises(ValueError, match="growth_rate"):
            cls(growth_rate=0.5)


def test_a_coupled_groups_lr_and_hyperparameters_write_through():
    a, b = start(), start()
    oa, ob = optim.Prodigy(d0=1e-3), optim.Prodigy(d0=1e-3, lr=0.5, weight_decay=0.01)
    run(oa, a, steps=3)
    run(ob, b, steps=3)
    assert not np.array_equal(a, b)
    # From the same state, the rebuilt group follows ob's hyperparameters.
    oa.lr = 0.5
    oa.param_groups[0]["weight_decay"] = 0.01
    assert oa.state_dict()["state"][0]["lr"] == 0.5  # the group's engine has it
    ob2 = optim.Prodigy(d0=1e-3, lr=0.5, weight_decay=0.01)
    ob2.load_state_dict(oa.state_dict())
    a2 = a.copy()
    run(oa, a, steps=5)
    run(ob2, a2, steps=5)
    assert np.array_equal(a, a2)


@pytest.mark.parametrize("name", ["sgd_schedule_free", "adamw_schedule_free"])
def test_schedule_free_shares_nothing_but_the_step_count(name):
    """Its weight sums depend on the step count and lr only: per array is the flat vector."""
    a, b = start(), start()
    oa, ob = cls_of(name)(lr=0.01), cls_of(name)(lr=0.01)
    run(oa, a)
    run(ob, b, shapes=None)
    assert np.array_equal(a, b)
    assert np.array_equal(np.concatenate([oa.eval_point(v, i).reshape(-1)
                                          for i, v in enumerate(split(a, SHAPES))]),
                          ob.eval_point(b))
