"""Parameter groups of the rules whose packages keep ONE state for all groups (prodigy,
dadapt_adam, dadapt_sgd: one d), against the packages (``group_cases`` of lrfree_refs.json);
and sgld's groups, which draw independent noise streams."""

import json

import numpy as np
import pytest

from downhill import optim

from conftest import REFERENCE, close
from test_optim import cls_of, matrix_grad, split

GROUP_CASES = json.loads((REFERENCE / "lrfree_refs.json").read_text())["group_cases"]


def build(case, flat):
    """The package's construction: ``cls([{"params": [...], **own}, ...], **params)`` over
    views of ``flat``; a group at lr 0 gets it after construction (as a schedule sets it)."""
    views = split(flat, case["shapes"])
    groups, frozen = [], []
    for k, g in enumerate(case["groups"]):
        own = {key: v for key, v in g.items() if key != "tensors"}
        if own.get("lr") == 0.0:
            del own["lr"]
            frozen.append(k)
        groups.append({"params": [views[i] for i in g["tensors"]], **own})
    opt = cls_of(case["optimizer"])(groups, **case["params"])
    for k in frozen:
        opt.param_groups[k]["lr"] = 0.0
    return opt, views


@pytest.mark.parametrize("case", GROUP_CASES,
                         ids=lambda c: f"{c['optimizer']}-{c['function']}-{len(c['groups'])}")
def test_groups_share_one_d_as_the_packages(case):
    x = np.array(case["trajectory"][0])
    opt, views = build(case, x)
    grad = np.zeros_like(x)
    for want in case["trajectory"][1:]:
        grad[:] = matrix_grad(case["function"], x)
        opt.step(opt.params, split(grad, case["shapes"]))
        close(x, want)
    state = opt.state_dict()["state"]
    assert sorted(state) == [0] and state[0]["groups"] == len(case["groups"])


def test_different_lrs_are_a_value_error_naming_the_group():
    for cls in (optim.Prodigy, optim.DAdaptAdam, optim.DAdaptSGD):
        w, b = np.ones((2, 2)), np.ones(3)
        opt = cls([{"params": [w]}, {"params": [b], "lr": 0.5}])
        with pytest.raises(ValueError, match=r"param_groups\[1\]\.lr.*values of 0"):
            opt.step([w, b], [np.ones((2, 2)), np.ones(3)])
        assert np.array_equal(w, np.ones((2, 2)))
        opt.param_groups[1]["lr"] = 1.0
        opt.step([w, b], [np.ones((2, 2)), np.ones(3)])
        opt.param_groups[0]["lr"] = 0.25
        with pytest.raises(ValueError, match=r"param_groups\[0\]\.lr"):
            opt.step([w, b], [np.ones((2, 2)), np.ones(3)])
        opt.param_groups[0]["lr"] = 1.0
        with pytest.raises(ValueError, match="every group's arrays"):
            opt.step([w], [np.ones((2, 2))])


def test_shared_groups_resume_bit_for_bit():
    case = GROUP_CASES[0]

    def steps(opt, x, n):
        for _ in range(n):
            opt.step(opt.params, split(matrix_grad(case["function"], x), case["shapes"]))

    straight = np.array(case["trajectory"][0])
    steps(build(case, straight)[0], straight, 10)
    xs = np.array(case["trajectory"][0])
    first, _ = build(case, xs)
    steps(first, xs, 5)
    sd = first.state_dict()
    resumed, _ = build(case, xs)
    resumed.load_state_dict(sd)
    steps(resumed, xs, 5)
    assert np.array_equal(xs, straight)
    # A state_dict with one state per group (one d each, as before) is refused.
    old = {**sd, "state": {0: sd["state"][0], 1: sd["state"][0]}}
    with pytest.raises(ValueError, match="one state per parameter group"):
        build(case, np.array(case["trajectory"][0]))[0].load_state_dict(old)


def test_sgld_groups_draw_independent_noise():
    x, y = np.zeros(8), np.zeros(4)
    a, b = split(x, [(4,), (4,)])
    opt = optim.Sgld([{"params": [a]}, {"params": [b]}], lr=0.1, seed=5)
    alone = optim.Sgld([y], lr=0.1, seed=5)
    for _ in range(3):
        opt.step([a, b], [np.zeros(4), np.zeros(4)])
        alone.step([y], [np.zeros(4)])
    assert np.array_equal(a, y)  # group 0: the ungrouped stream, bit for bit
    assert np.all(a != b)  # group 1: another stream
