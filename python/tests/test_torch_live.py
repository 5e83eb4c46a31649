"""Against a live PyTorch, when one is importable (skipped otherwise; CI never installs torch):
each optimiser class and each schedule on fresh random inputs, beyond the committed references."""

import numpy as np
import pytest

import downhill
from downhill import optim

torch = pytest.importorskip("torch")

CASES = [
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("Adam", {"lr": 0.01, "amsgrad": True}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.5, "centered": True}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01}),
    ("NAdam", {"lr": 0.01}),
    ("RAdam", {"lr": 0.01}),
    ("Adamax", {"lr": 0.01}),
    ("Adadelta", {"lr": 1.0}),
    ("Rprop", {"lr": 0.01}),
    ("ASGD", {"lr": 0.01}),
]


@pytest.mark.parametrize("name,kw", CASES, ids=[c[0] for c in CASES])
def test_matches_torch_on_random_data(name, kw):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((4, 5))
    grads = [rng.standard_normal((4, 5)) for _ in range(25)]
    p = torch.nn.Parameter(torch.tensor(x.copy(), dtype=torch.float64))
    topt = getattr(torch.optim, name)([p], foreach=False, **kw)
    mine = getattr(optim, name)(**kw)
    for g in grads:
        p.grad = torch.tensor(g, dtype=torch.float64)
        topt.step()
        mine.step(x, g.copy())
        # The project tolerance (NAdam and ASGD order a few float64 operations differently: ~2e-8).
        np.testing.assert_allclose(x, p.detach().numpy(), rtol=1e-6, atol=1e-12)


def test_schedules_match_torch():
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=0.1, momentum=0.9)
    s = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=50)
    want_lr, want_m = [], []
    for _ in range(50):
        want_lr.append(s.get_last_lr()[0])
        want_m.append(opt.param_groups[0]["momentum"])
        opt.step()
        s.step()
    mine = downhill.Schedule("OneCycleLR", lr=0.1, momentum=0.9, max_lr=1.0, total_steps=50)
    np.testing.assert_allclose(mine.lrs(50), want_lr, rtol=1e-12)
    np.testing.assert_allclose(mine.momenta(50), want_m, rtol=1e-12)
