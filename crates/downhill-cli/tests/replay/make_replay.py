#!/usr/bin/env python3
"""Train-vs-torch replay references for parameter groups and EMA (issue 14).

Writes `data.csv` (40 rows, 3 features, a smooth target; floats printed with repr, so the CSV
round-trips exactly) and, from Downhill's own initial parameters in `init.json`, the torch
float64 replay of every case of `cases.toml` into `refs.json` (with the torch version).

`init.json` is what `downhill train init.toml --json` prints (SGD with lr 0: the parameters
after one epoch are the initial ones); the test checks that it still is. Regenerate:

    cargo run -p downhill-cli -- train crates/downhill-cli/tests/replay/init.toml --json \
        > crates/downhill-cli/tests/replay/init.json
    /tmp/downhill-peers/bin/python crates/downhill-cli/tests/replay/make_replay.py
"""
import json
import os

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
torch.set_default_dtype(torch.float64)

rng = np.random.RandomState(14)
X = rng.uniform(-1.0, 1.0, size=(40, 3))
y = np.sin(X[:, 0]) + 0.5 * X[:, 1] * X[:, 2] - 0.3 * X[:, 2]
with open(os.path.join(HERE, "data.csv"), "w") as f:
    f.write("a,b,c,y\n")
    for row, t in zip(X, y):
        f.write(",".join(repr(float(v)) for v in list(row) + [t]) + "\n")
# Read back exactly as Downhill reads it.
X = torch.tensor(X)
y = torch.tensor(y)

if not os.path.exists(os.path.join(HERE, "init.json")):
    raise SystemExit("wrote data.csv; now write init.json (see the docstring) and rerun")
with open(os.path.join(HERE, "init.json")) as f:
    layers = json.load(f)["params"]["layers"]


def model():
    """The MLP 3 → 4 (tanh) → 1 (linear head) with Downhill's initial parameters."""
    return {
        "layers.0.W": torch.tensor(layers[0]["W"], requires_grad=True),
        "layers.0.b": torch.tensor(layers[0]["b"], requires_grad=True),
        "layers.1.W": torch.tensor(layers[1]["W"], requires_grad=True),
        "layers.1.b": torch.tensor(layers[1]["b"], requires_grad=True),
    }


def loss_of(p):
    h = torch.tanh(X @ p["layers.0.W"].T + p["layers.0.b"])
    z = (h @ p["layers.1.W"].T + p["layers.1.b"])[:, 0]
    return (0.5 * (z - y) ** 2).mean()


def flat(p):
    """Downhill's layout: per layer W (row-major), then b."""
    return [float(v) for k in ["layers.0.W", "layers.0.b", "layers.1.W", "layers.1.b"]
            for v in p[k].detach().reshape(-1)]


EPOCHS = 25


def train(make_opt, make_sched=None, ema_decay=None):
    p = model()
    opt = make_opt(p)
    sched = make_sched(opt) if make_sched else None
    ema = None
    if ema_decay is not None:
        holder = torch.nn.ParameterList([torch.nn.Parameter(v) for v in p.values()])
        ema = torch.optim.swa_utils.AveragedModel(
            holder, multi_avg_fn=torch.optim.swa_utils.get_ema_multi_avg_fn(ema_decay))
        # AveragedModel deep-copies; keep it updated from the live tensors.
    losses = [loss_of(p).item()]
    lrs = []
    for _ in range(EPOCHS):
        lrs.append([g["lr"] for g in opt.param_groups])
        opt.zero_grad()
        loss_of(p).backward()
        opt.step()
        if sched:
            sched.step()
        if ema is not None:
            cur = torch.nn.ParameterList([torch.nn.Parameter(v.detach()) for v in p.values()])
            ema.update_parameters(cur)
        losses.append(loss_of(p).item())
    out = {"last_params": flat(p), "train_loss": losses, "lr": lrs}
    if ema is not None:
        names = list(p.keys())
        avg = {n: t for n, t in zip(names, ema.module)}
        out["params"] = flat(avg)
    else:
        out["params"] = flat(p)
    return out


W = ["layers.0.W", "layers.1.W"]
B = ["layers.0.b", "layers.1.b"]
refs = {
    "torch": torch.__version__,
    "epochs": EPOCHS,
    # AdamW, weight decay 0.1, biases in a group with lr 0.05 and no decay.
    "adamw_bias_group": train(lambda p: torch.optim.AdamW(
        [{"params": [p[k] for k in W]},
         {"params": [p[k] for k in B], "lr": 0.05, "weight_decay": 0.0}],
        lr=0.01, weight_decay=0.1)),
    # SGD momentum 0.9 + StepLR(5, 0.5); the first layer in a group with lr 0.05.
    "sgd_step_lr_groups": train(
        lambda p: torch.optim.SGD(
            [{"params": [p["layers.1.W"], p["layers.1.b"]]},
             {"params": [p["layers.0.W"], p["layers.0.b"]], "lr": 0.05}],
            lr=0.1, momentum=0.9),
        lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=5, gamma=0.5)),
    # One-cycle with momentum cycling over two SGD groups: its scalar max_lr and momenta give
    # both groups the same values, whatever their own lr.
    "sgd_one_cycle_groups": train(
        lambda p: torch.optim.SGD(
            [{"params": [p["layers.1.W"], p["layers.1.b"]]},
             {"params": [p["layers.0.W"], p["layers.0.b"]], "lr": 0.05}],
            lr=0.1, momentum=0.9),
        lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=0.2, total_steps=30)),
    # SGD lr 0.2 with an EMA of decay 0.8 (AveragedModel + get_ema_multi_avg_fn).
    "sgd_ema": train(lambda p: torch.optim.SGD(list(p.values()), lr=0.2), ema_decay=0.8),
}
with open(os.path.join(HERE, "refs.json"), "w") as f:
    json.dump(refs, f, indent=1)
print("wrote refs.json with torch", torch.__version__)
