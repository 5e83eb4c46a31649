"""Writes transformers_schedule_refs.json: Hugging Face transformers' schedule functions
(`transformers.optimization.get_<name>`, each a torch `LambdaLR`) as lr sequences.

Run with the peer venv:  /tmp/downhill-peers/bin/python make_transformers_schedule_refs.py
(it writes transformers_schedule_refs.json beside itself; the transformers, torch and Python
versions are recorded there). Each case: a Downhill `[schedule]` config (name = the function's
name without `get_`, keys = its keyword arguments), the optimizer's lr(s), and
`get_last_lr()` after k = 0..N-1 `scheduler.step()` calls, for each param group. A case with
two `lrs` is an optimizer with two param groups: `SGD([{params}, {params, lr: lrs[1]}],
lr=lrs[0])`, so `optimizer.defaults["lr"]` (which the polynomial decay divides by) is lrs[0].
"""
import json
import os
import platform
import warnings

import torch
import transformers
from transformers import optimization as O

warnings.filterwarnings("ignore")  # get_wsd_schedule warns when both step counts are given

CASES = [
    # (label, config, lrs, steps)
    ("linear", {"name": "linear_schedule_with_warmup", "num_warmup_steps": 10, "num_training_steps": 100}, [0.1], 120),
    ("linear_no_warmup", {"name": "linear_schedule_with_warmup", "num_warmup_steps": 0, "num_training_steps": 50}, [0.3], 60),
    ("linear_warmup_past_end", {"name": "linear_schedule_with_warmup", "num_warmup_steps": 20, "num_training_steps": 10}, [0.05], 40),
    ("linear_two_groups", {"name": "linear_schedule_with_warmup", "num_warmup_steps": 7, "num_training_steps": 60}, [0.1, 0.02], 70),
    ("cosine", {"name": "cosine_schedule_with_warmup", "num_warmup_steps": 10, "num_training_steps": 100}, [0.1], 120),
    ("cosine_no_warmup", {"name": "cosine_schedule_with_warmup", "num_warmup_steps": 0, "num_training_steps": 50}, [0.7], 60),
    ("cosine_cycles_1_5", {"name": "cosine_schedule_with_warmup", "num_warmup_steps": 10, "num_training_steps": 100, "num_cycles": 1.5}, [0.1], 130),
    ("cosine_cycles_2", {"name": "cosine_schedule_with_warmup", "num_warmup_steps": 5, "num_training_steps": 60, "num_cycles": 2.0}, [0.01], 80),
    ("hard_restarts", {"name": "cosine_with_hard_restarts_schedule_with_warmup", "num_warmup_steps": 10, "num_training_steps": 100}, [0.1], 120),
    ("hard_restarts_3", {"name": "cosine_with_hard_restarts_schedule_with_warmup", "num_warmup_steps": 10, "num_training_steps": 100, "num_cycles": 3}, [0.1], 120),
    ("hard_restarts_no_warmup_2", {"name": "cosine_with_hard_restarts_schedule_with_warmup", "num_warmup_steps": 0, "num_training_steps": 50, "num_cycles": 2}, [0.2], 60),
    ("hard_restarts_0", {"name": "cosine_with_hard_restarts_schedule_with_warmup", "num_warmup_steps": 5, "num_training_steps": 40, "num_cycles": 0}, [0.1], 50),
    ("polynomial", {"name": "polynomial_decay_schedule_with_warmup", "num_warmup_steps": 10, "num_training_steps": 100}, [0.1], 120),
    ("polynomial_no_warmup_power_2", {"name": "polynomial_decay_schedule_with_warmup", "num_warmup_steps": 0, "num_training_steps": 50, "lr_end": 0.01, "power": 2.0}, [0.3], 60),
    ("polynomial_power_half", {"name": "polynomial_decay_schedule_with_warmup", "num_warmup_steps": 10, "num_training_steps": 100, "lr_end": 0.0, "power": 0.5}, [0.1], 120),
    ("polynomial_two_groups", {"name": "polynomial_decay_schedule_with_warmup", "num_warmup_steps": 5, "num_training_steps": 50, "lr_end": 1e-4, "power": 3.0}, [0.1, 0.03], 60),
    ("inverse_sqrt", {"name": "inverse_sqrt_schedule", "num_warmup_steps": 10}, [0.1], 120),
    ("inverse_sqrt_no_warmup", {"name": "inverse_sqrt_schedule", "num_warmup_steps": 0}, [0.1], 60),
    ("inverse_sqrt_timescale", {"name": "inverse_sqrt_schedule", "num_warmup_steps": 10, "timescale": 50}, [0.1], 120),
    ("inverse_sqrt_timescale_no_warmup", {"name": "inverse_sqrt_schedule", "num_warmup_steps": 0, "timescale": 3}, [0.1], 60),
    ("wsd", {"name": "wsd_schedule", "num_warmup_steps": 10, "num_decay_steps": 30, "num_training_steps": 100}, [0.1], 120),
    ("wsd_stable_no_warmup", {"name": "wsd_schedule", "num_warmup_steps": 0, "num_decay_steps": 20, "num_stable_steps": 30}, [0.1], 70),
    ("wsd_cosine_1sqrt_min", {"name": "wsd_schedule", "num_warmup_steps": 10, "num_decay_steps": 40, "num_training_steps": 100, "warmup_type": "cosine", "decay_type": "1-sqrt", "min_lr_ratio": 0.1}, [0.1], 120),
    ("wsd_1sqrt_linear", {"name": "wsd_schedule", "num_warmup_steps": 15, "num_decay_steps": 25, "num_training_steps": 80, "warmup_type": "1-sqrt", "decay_type": "linear", "min_lr_ratio": 0.05}, [0.2], 100),
    ("wsd_cycles_1_both_counts", {"name": "wsd_schedule", "num_warmup_steps": 5, "num_decay_steps": 30, "num_training_steps": 1000, "num_stable_steps": 10, "num_cycles": 1.0}, [0.1], 60),
    ("wsd_two_groups", {"name": "wsd_schedule", "num_warmup_steps": 8, "num_decay_steps": 20, "num_training_steps": 50, "min_lr_ratio": 0.2}, [0.1, 0.01], 60),
]


def sequence(config, lrs, steps):
    ps = [torch.nn.Parameter(torch.zeros(1)) for _ in lrs]
    groups = [{"params": [ps[0]]}] + [{"params": [p], "lr": lr} for p, lr in zip(ps[1:], lrs[1:])]
    opt = torch.optim.SGD(groups, lr=lrs[0])
    kwargs = {k: v for k, v in config.items() if k != "name"}
    sched = getattr(O, "get_" + config["name"])(opt, **kwargs)
    out = [[] for _ in lrs]
    for _ in range(steps):
        for g, lr in enumerate(sched.get_last_lr()):
            out[g].append(float(lr))
        opt.step()
        sched.step()
    return out


def main():
    cases = []
    for label, config, lrs, steps in CASES:
        cases.append({"name": label, "config": config, "lrs": lrs, "want_lr": sequence(config, lrs, steps)})
    doc = {
        "transformers": transformers.__version__,
        "torch": torch.__version__,
        "python": platform.python_version(),
        "cases": cases,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "transformers_schedule_refs.json")
    with open(path + ".tmp", "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    os.replace(path + ".tmp", path)
    print(f"wrote {len(cases)} cases to {path}")


if __name__ == "__main__":
    main()
