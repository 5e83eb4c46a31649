"""downhill.Schedule: the committed PyTorch sequences, PyTorch's class and parameter names,
lr_lambda as a formula or a callable."""

import numpy as np
import pytest

import downhill
from downhill import schedule as sched_mod

from conftest import close, schedule_refs

CASES = schedule_refs()


def test_every_torch_schedule_has_reference_cases():
    names = {c["config"]["name"] for c in CASES}
    for s in sched_mod.CATALOG["schedules"]:
        if s["reference"] == "torch" and s["name"] != "reduce_lr_on_plateau":
            assert s["name"] in names, s["name"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["name"])
def test_reproduces_the_committed_torch_sequences(case):
    cfg = dict(case["config"])
    name = cfg.pop("name")
    if name == "reduce_lr_on_plateau":
        pytest.skip("reduce_lr_on_plateau reacts to a metric (tested through minimize)")
    s = downhill.Schedule(name, lr=case["lr"], momentum=case["momentum"], **cfg)
    n = len(case["want_lr"])
    close(s.lrs(n), case["want_lr"], rtol=1e-9)
    if case["want_momentum"]:
        close(s.momenta(len(case["want_momentum"])), case["want_momentum"], rtol=1e-9)


def test_torch_class_names_and_parameter_names():
    a = downhill.Schedule("CosineAnnealingLR", lr=0.1, T_max=10, eta_min=0.001)
    b = downhill.Schedule("cosine_annealing_lr", lr=0.1, t_max=10, eta_min=0.001)
    assert np.array_equal(a.lrs(30), b.lrs(30))
    w = downhill.Schedule("CosineAnnealingWarmRestarts", lr=0.1, T_0=5, T_mult=2)
    assert w.config == {"name": "cosine_annealing_warm_restarts", "t_0": 5, "t_mult": 2}
    o = downhill.Schedule("OneCycleLR", lr=0.1, momentum=0.9, max_lr=1.0, total_steps=20)
    m = o.momenta(20)
    assert m is not None and m.shape == (20,) and m.min() < 0.9
    assert downhill.Schedule("ReduceLROnPlateau", lr=0.1).name == "reduce_lr_on_plateau"


def test_lr_lambda_formula_and_callable_agree():
    f = downhill.Schedule("LambdaLR", lr=0.1, lr_lambda="0.95^epoch")
    c = downhill.Schedule("LambdaLR", lr=0.1, lr_lambda=lambda e: 0.95**e)
    close(c.lrs(40), f.lrs(40), rtol=1e-14)
    m = downhill.Schedule("MultiplicativeLR", lr=0.1, lr_lambda=lambda e: 0.5)
    close(m.lrs(3), [0.1, 0.05, 0.025])


def test_a_callable_lambda_that_raises_reaches_the_caller():
    def bad(epoch):
        return 1 / 0

    with pytest.raises(ZeroDivisionError):
        downhill.Schedule("LambdaLR", lr=0.1, lr_lambda=bad)


def test_nested_schedules():
    s = downhill.Schedule("SequentialLR", lr=0.1, milestones=[3], schedulers=[
        downhill.Schedule("ConstantLR", factor=0.5, total_iters=3),
        {"name": "ExponentialLR", "gamma": 0.9},
    ])
    lrs = s.lrs(6)
    close(lrs[:3], [0.05, 0.05, 0.05])
    close(lrs[3:], [0.1, 0.09, 0.081])


def test_bad_keys_are_value_errors_naming_the_key():
    with pytest.raises(ValueError, match="T_maxx|t_maxx"):
        downhill.Schedule("CosineAnnealingLR", lr=0.1, T_maxx=10)
    with pytest.raises(ValueError, match="step_size"):
        downhill.Schedule("StepLR", lr=0.1, step_size=0)
    with pytest.raises(ValueError, match="unknown schedule"):
        downhill.Schedule("NoSuchLR")


def _transformers_cases():
    from conftest import REFERENCE
    import json
    doc = json.loads((REFERENCE / "transformers_schedule_refs.json").read_text())
    return [c for c in doc["cases"] if len(c["lrs"]) == 1]


@pytest.mark.parametrize("case", _transformers_cases(), ids=lambda c: c["name"])
def test_reproduces_the_committed_transformers_sequences(case):
    """transformers' schedule functions, through the registry (no list of their own here)."""
    cfg = dict(case["config"])
    name = cfg.pop("name")
    s = downhill.Schedule(name, lr=case["lrs"][0], **cfg)
    want = case["want_lr"][0]
    close(s.lrs(len(want)), want, rtol=1e-12)


def test_every_transformers_schedule_is_in_the_catalogue():
    names = {c["config"]["name"] for c in _transformers_cases()}
    listed = {s["name"] for s in sched_mod.CATALOG["schedules"] if s["reference"] == "transformers"}
    assert listed == names and len(listed) == 6
