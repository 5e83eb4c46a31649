"""Writes schedule_refs.json: PyTorch's lr (and momentum) sequences for every scheduler.

Run with the PyTorch venv:  /tmp/downhill-peers/bin/python make_schedule_refs.py
(it writes schedule_refs.json beside itself; the torch version is recorded there).
Each case: a ScheduleConfig (our names), the optimiser's lr/momentum, and
get_last_lr()[0] (and the group's momentum / betas[0]) after k = 0..N-1 scheduler.step() calls.
A config may resume (issue 29 item 7): `last_epoch` is passed to the constructor and
`initial_lr` is put into the param group first, as a resumed optimizer has it.
`groups`: the same over an optimiser with two param groups (each its own lr and momentum),
the configs using per-group lists (`base_lr = [a, b]`, `lr_lambda = [f, g]`, `min_lr`, …).
"""
import json
import math
import os
import platform
import warnings

import torch
from torch.optim import lr_scheduler as L

warnings.filterwarnings("ignore")


def make_opt(kind, lr, momentum):
    p = [torch.nn.Parameter(torch.zeros(1))]
    if kind == "adam":
        return torch.optim.Adam(p, lr=lr, betas=(momentum, 0.999))
    if kind == "none":
        return torch.optim.Adagrad(p, lr=lr)
    return torch.optim.SGD(p, lr=lr, momentum=momentum)


def mom(opt):
    g = opt.param_groups[0]
    if "betas" in g:
        return g["betas"][0]
    return g.get("momentum")


# lambda_lr / multiplicative_lr take `lr_lambda` as a formula in `epoch` (Downhill's expression
# syntax: `^` is the power); each is mirrored here by a Python lambda written by hand.
LAMBDAS = {
    "0.95^epoch": lambda epoch: 0.95 ** epoch,
    "1 / (1 + 0.1 * epoch)": lambda epoch: 1 / (1 + 0.1 * epoch),
    "0.5 * (1 + cos(3.141592653589793 * epoch / 40))": lambda epoch: 0.5 * (1 + math.cos(3.141592653589793 * epoch / 40)),
    "0.9^epoch": lambda epoch: 0.9 ** epoch,
    "0.95": lambda epoch: 0.95,
    "1 - 0.01 * epoch": lambda epoch: 1 - 0.01 * epoch,
    "0.97": lambda epoch: 0.97,
    "exp(-0.02 * epoch)": lambda epoch: math.exp(-0.02 * epoch),
}


def formula(src, var):
    """A Downhill formula in one variable as a Python function (`^` is the power)."""
    ns = {k: getattr(math, k) for k in ("sin", "cos", "tan", "exp", "sqrt", "tanh")}
    code = compile(src.replace("^", "**"), src, "eval")
    return lambda v: eval(code, {"__builtins__": {}}, dict(ns, **{var: v}))  # noqa: S307


def lam(src):
    """`lr_lambda`: one formula, or a list with one per group."""
    if isinstance(src, list):
        return [LAMBDAS[s] for s in src]
    return LAMBDAS[src]


def resume(opt, c):
    """Puts `initial_lr` (one value or one per group) into the param groups, as a resumed
    optimizer has it; returns the config without it."""
    c = dict(c)
    init = c.pop("initial_lr", None)
    if init is not None:
        vals = init if isinstance(init, list) else [init] * len(opt.param_groups)
        for g, v in zip(opt.param_groups, vals):
            g["initial_lr"] = v
    return c


# Our config -> PyTorch constructor.
def build(opt, c):
    c = resume(opt, c)
    n = c["name"]
    kw = {k: v for k, v in c.items() if k != "name"}
    if n == "constant_lr":
        return L.ConstantLR(opt, **kw)
    if n == "linear_lr":
        return L.LinearLR(opt, **kw)
    if n == "step_lr":
        return L.StepLR(opt, **kw)
    if n == "multi_step_lr":
        return L.MultiStepLR(opt, **kw)
    if n == "exponential_lr":
        return L.ExponentialLR(opt, **kw)
    if n == "polynomial_lr":
        return L.PolynomialLR(opt, **kw)
    if n == "cosine_annealing_lr":
        return L.CosineAnnealingLR(opt, T_max=kw["t_max"], eta_min=kw.get("eta_min", 0.0),
                                   last_epoch=kw.get("last_epoch", -1))
    if n == "cosine_annealing_warm_restarts":
        return L.CosineAnnealingWarmRestarts(
            opt, T_0=kw["t_0"], T_mult=kw.get("t_mult", 1), eta_min=kw.get("eta_min", 0.0),
            last_epoch=kw.get("last_epoch", -1),
        )
    if n == "cyclic_lr":
        if "scale_fn" in kw:
            kw["scale_fn"] = formula(kw["scale_fn"], "x")
        return L.CyclicLR(opt, **kw)
    if n == "one_cycle_lr":
        if kw.get("last_epoch", -1) != -1:
            # A resumed optimizer still holds the keys this one-cycle wrote into its groups
            # (max_lr, min_lr, the momenta); its lr, momentum and initial_lr are the case's.
            saved = [(g["lr"], g.get("momentum"), g.get("betas"), g.get("initial_lr"))
                     for g in opt.param_groups]
            L.OneCycleLR(opt, **{k: v for k, v in kw.items() if k != "last_epoch"})
            for g, (lr, m, b, init) in zip(opt.param_groups, saved):
                g["lr"], g["initial_lr"] = lr, init
                if m is not None:
                    g["momentum"] = m
                if b is not None:
                    g["betas"] = b
        return L.OneCycleLR(opt, **kw)
    if n == "lambda_lr":
        return L.LambdaLR(opt, lam(kw["lr_lambda"]), last_epoch=kw.get("last_epoch", -1))
    if n == "multiplicative_lr":
        return L.MultiplicativeLR(opt, lam(kw["lr_lambda"]), last_epoch=kw.get("last_epoch", -1))
    if n == "sequential_lr":
        subs = [build(opt, s) for s in kw["schedulers"]]
        return L.SequentialLR(opt, subs, milestones=kw["milestones"],
                              last_epoch=kw.get("last_epoch", -1))
    if n == "chained_scheduler":
        subs = [build(opt, s) for s in kw["schedulers"]]
        return L.ChainedScheduler(subs)
    raise ValueError(n)


CASES = [
    ("constant_default", {"name": "constant_lr"}, "sgd", 0.1, 0.9, 50),
    ("constant_total_iters_0", {"name": "constant_lr", "factor": 0.5, "total_iters": 0}, "sgd", 0.1, 0.0, 50),
    ("linear_default", {"name": "linear_lr"}, "sgd", 0.1, 0.0, 50),
    ("linear_partial", {"name": "linear_lr", "start_factor": 0.25, "end_factor": 0.75, "total_iters": 20}, "sgd", 0.3, 0.0, 50),
    ("linear_total_iters_0", {"name": "linear_lr", "start_factor": 0.5, "total_iters": 0}, "sgd", 0.1, 0.0, 50),
    ("step", {"name": "step_lr", "step_size": 7, "gamma": 0.5}, "sgd", 0.1, 0.0, 60),
    ("multi_step_uneven", {"name": "multi_step_lr", "milestones": [5, 12, 13, 30], "gamma": 0.3}, "sgd", 0.1, 0.0, 50),
    ("exponential", {"name": "exponential_lr", "gamma": 0.95}, "sgd", 0.1, 0.0, 60),
    ("polynomial_power2", {"name": "polynomial_lr", "total_iters": 30, "power": 2.0}, "sgd", 0.1, 0.0, 50),
    ("polynomial_total_iters_0", {"name": "polynomial_lr", "total_iters": 0}, "sgd", 0.1, 0.0, 50),
    ("cosine", {"name": "cosine_annealing_lr", "t_max": 10, "eta_min": 0.001}, "sgd", 0.1, 0.0, 65),
    ("cosine_t_max_1", {"name": "cosine_annealing_lr", "t_max": 1}, "sgd", 0.1, 0.0, 50),
    ("warm_restarts_t_mult_2", {"name": "cosine_annealing_warm_restarts", "t_0": 5, "t_mult": 2, "eta_min": 0.01}, "sgd", 0.1, 0.0, 80),
    ("warm_restarts_t_mult_1", {"name": "cosine_annealing_warm_restarts", "t_0": 7}, "sgd", 0.05, 0.0, 50),
    ("cyclic_triangular_down_unset", {"name": "cyclic_lr", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 5}, "sgd", 0.5, 0.9, 60),
    ("cyclic_triangular2", {"name": "cyclic_lr", "base_lr": 0.001, "max_lr": 0.1, "step_size_up": 4, "step_size_down": 6, "mode": "triangular2", "base_momentum": 0.85, "max_momentum": 0.95}, "sgd", 0.5, 0.9, 60),
    ("cyclic_exp_range", {"name": "cyclic_lr", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 5, "mode": "exp_range", "gamma": 0.97}, "sgd", 0.5, 0.9, 60),
    ("cyclic_adam_betas", {"name": "cyclic_lr", "base_lr": 0.001, "max_lr": 0.006, "step_size_up": 3, "step_size_down": 2}, "adam", 0.001, 0.9, 50),
    ("cyclic_no_momentum", {"name": "cyclic_lr", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 6, "step_size_down": 0, "cycle_momentum": False}, "none", 0.01, None, 50),
    # issue 29 item 7: a custom scale_fn (a formula in x) with scale_mode
    ("cyclic_scale_fn_cycle", {"name": "cyclic_lr", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4, "scale_fn": "1/(2^(x - 1))", "scale_mode": "cycle"}, "sgd", 0.5, 0.9, 60),
    ("cyclic_scale_fn_iterations", {"name": "cyclic_lr", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 5, "step_size_down": 3, "scale_fn": "0.98^x", "scale_mode": "iterations"}, "sgd", 0.5, 0.9, 60),
    ("one_cycle_cos", {"name": "one_cycle_lr", "max_lr": 0.1, "total_steps": 60}, "sgd", 0.01, 0.9, 61),
    ("one_cycle_linear", {"name": "one_cycle_lr", "max_lr": 0.2, "total_steps": 50, "anneal_strategy": "linear", "div_factor": 10.0, "final_div_factor": 100.0}, "sgd", 0.01, 0.9, 51),
    ("one_cycle_three_phase", {"name": "one_cycle_lr", "max_lr": 0.1, "total_steps": 60, "three_phase": True}, "sgd", 0.01, 0.9, 61),
    ("one_cycle_three_phase_linear_adam", {"name": "one_cycle_lr", "max_lr": 0.01, "total_steps": 57, "pct_start": 0.25, "anneal_strategy": "linear", "three_phase": True}, "adam", 0.001, 0.9, 58),
    ("sequential_warmup_cosine", {"name": "sequential_lr", "schedulers": [{"name": "linear_lr", "start_factor": 0.1, "total_iters": 5}, {"name": "cosine_annealing_lr", "t_max": 20}], "milestones": [5]}, "sgd", 0.1, 0.0, 60),
    ("sequential_three", {"name": "sequential_lr", "schedulers": [{"name": "constant_lr", "factor": 0.5, "total_iters": 2}, {"name": "exponential_lr", "gamma": 0.9}, {"name": "step_lr", "step_size": 4, "gamma": 0.5}], "milestones": [3, 20]}, "sgd", 0.1, 0.0, 50),
    ("sequential_warm_restarts", {"name": "sequential_lr", "schedulers": [{"name": "exponential_lr", "gamma": 0.8}, {"name": "cosine_annealing_warm_restarts", "t_0": 4, "t_mult": 2}], "milestones": [6]}, "sgd", 0.1, 0.0, 50),
    ("sequential_cyclic", {"name": "sequential_lr", "schedulers": [{"name": "linear_lr", "start_factor": 0.2, "total_iters": 4}, {"name": "cyclic_lr", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 5}], "milestones": [8]}, "sgd", 0.1, 0.9, 50),
    ("chained_constant_exponential", {"name": "chained_scheduler", "schedulers": [{"name": "constant_lr", "factor": 0.5, "total_iters": 4}, {"name": "exponential_lr", "gamma": 0.9}]}, "sgd", 0.1, 0.0, 50),
    ("chained_linear_cosine", {"name": "chained_scheduler", "schedulers": [{"name": "linear_lr", "start_factor": 0.2, "total_iters": 6}, {"name": "cosine_annealing_lr", "t_max": 15, "eta_min": 0.001}]}, "sgd", 0.1, 0.0, 60),
    ("chained_exponential_multistep_polynomial", {"name": "chained_scheduler", "schedulers": [{"name": "exponential_lr", "gamma": 0.97}, {"name": "multi_step_lr", "milestones": [10, 25]}, {"name": "polynomial_lr", "total_iters": 40, "power": 0.5}]}, "sgd", 0.1, 0.0, 50),
    ("lambda_power", {"name": "lambda_lr", "lr_lambda": "0.95^epoch"}, "sgd", 0.1, 0.0, 60),
    ("lambda_inverse", {"name": "lambda_lr", "lr_lambda": "1 / (1 + 0.1 * epoch)"}, "sgd", 0.3, 0.0, 50),
    ("lambda_cosine_adam", {"name": "lambda_lr", "lr_lambda": "0.5 * (1 + cos(3.141592653589793 * epoch / 40))"}, "adam", 0.001, 0.9, 50),
    ("multiplicative_constant", {"name": "multiplicative_lr", "lr_lambda": "0.95"}, "sgd", 0.1, 0.0, 60),
    ("multiplicative_linear", {"name": "multiplicative_lr", "lr_lambda": "1 - 0.01 * epoch"}, "sgd", 0.1, 0.0, 50),
    ("sequential_linear_lambda", {"name": "sequential_lr", "schedulers": [{"name": "linear_lr", "start_factor": 0.1, "total_iters": 5}, {"name": "lambda_lr", "lr_lambda": "0.9^epoch"}], "milestones": [5]}, "sgd", 0.1, 0.0, 50),
    ("sequential_constant_multiplicative", {"name": "sequential_lr", "schedulers": [{"name": "constant_lr", "factor": 0.5, "total_iters": 3}, {"name": "multiplicative_lr", "lr_lambda": "0.97"}], "milestones": [4]}, "sgd", 0.1, 0.0, 50),
    ("chained_multiplicative_step", {"name": "chained_scheduler", "schedulers": [{"name": "multiplicative_lr", "lr_lambda": "exp(-0.02 * epoch)"}, {"name": "step_lr", "step_size": 10, "gamma": 0.5}]}, "sgd", 0.1, 0.0, 50),
    # issue 29 item 1: a chained_scheduler as SequentialLR's first scheduler (never jumped)
    ("sequential_chained_first", {"name": "sequential_lr", "schedulers": [{"name": "chained_scheduler", "schedulers": [{"name": "constant_lr", "factor": 0.1, "total_iters": 2}, {"name": "exponential_lr", "gamma": 0.9}]}, {"name": "step_lr", "step_size": 3, "gamma": 0.5}], "milestones": [6]}, "sgd", 0.1, 0.0, 50),
    ("sequential_chained_first_cosine", {"name": "sequential_lr", "schedulers": [{"name": "chained_scheduler", "schedulers": [{"name": "linear_lr", "start_factor": 0.2, "total_iters": 4}, {"name": "cosine_annealing_lr", "t_max": 10, "eta_min": 0.01}]}, {"name": "exponential_lr", "gamma": 0.95}, {"name": "constant_lr", "factor": 0.5, "total_iters": 5}], "milestones": [8, 20]}, "sgd", 0.1, 0.0, 50),
    ("chained_with_sequential", {"name": "chained_scheduler", "schedulers": [{"name": "sequential_lr", "schedulers": [{"name": "constant_lr", "factor": 0.25, "total_iters": 3}, {"name": "step_lr", "step_size": 5, "gamma": 0.5}], "milestones": [4]}, {"name": "exponential_lr", "gamma": 0.98}]}, "sgd", 0.1, 0.0, 50),
    # issue 29 item 7: resuming with last_epoch (initial_lr in the group, as torch requires);
    # the optimiser's lr is the lr the resumed run left, the first value that of last_epoch + 1
    ("resume_step", {"name": "step_lr", "step_size": 4, "gamma": 0.5, "last_epoch": 6, "initial_lr": 0.1}, "sgd", 0.05, 0.0, 50),
    ("resume_multi_step", {"name": "multi_step_lr", "milestones": [5, 12, 20], "gamma": 0.3, "last_epoch": 10, "initial_lr": 0.1}, "sgd", 0.03, 0.0, 50),
    ("resume_exponential", {"name": "exponential_lr", "gamma": 0.9, "last_epoch": 3, "initial_lr": 0.2}, "sgd", 0.1, 0.0, 50),
    ("resume_constant", {"name": "constant_lr", "factor": 0.5, "total_iters": 8, "last_epoch": 4, "initial_lr": 0.1}, "sgd", 0.05, 0.0, 50),
    ("resume_linear", {"name": "linear_lr", "start_factor": 0.2, "total_iters": 10, "last_epoch": 3, "initial_lr": 0.1}, "sgd", 0.044, 0.0, 50),
    ("resume_polynomial", {"name": "polynomial_lr", "total_iters": 30, "power": 2.0, "last_epoch": 7, "initial_lr": 0.1}, "sgd", 0.06, 0.0, 50),
    ("resume_cosine", {"name": "cosine_annealing_lr", "t_max": 20, "eta_min": 0.001, "last_epoch": 5, "initial_lr": 0.1}, "sgd", 0.086, 0.0, 50),
    ("resume_warm_restarts", {"name": "cosine_annealing_warm_restarts", "t_0": 5, "t_mult": 2, "eta_min": 0.01, "last_epoch": 7, "initial_lr": 0.1}, "sgd", 0.05, 0.0, 60),
    ("resume_warm_restarts_far", {"name": "cosine_annealing_warm_restarts", "t_0": 4, "last_epoch": 13, "initial_lr": 0.1}, "sgd", 0.05, 0.0, 50),
    ("resume_cyclic", {"name": "cyclic_lr", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 5, "last_epoch": 7, "initial_lr": 0.02}, "sgd", 0.04, 0.85, 60),
    ("resume_cyclic_triangular2", {"name": "cyclic_lr", "base_lr": 0.001, "max_lr": 0.1, "step_size_up": 4, "mode": "triangular2", "last_epoch": 9, "initial_lr": 0.001}, "sgd", 0.5, 0.9, 60),
    ("resume_one_cycle", {"name": "one_cycle_lr", "max_lr": 0.1, "total_steps": 100, "last_epoch": 20, "initial_lr": 0.004}, "sgd", 0.09, 0.9, 60),
    ("resume_one_cycle_three_phase_adam", {"name": "one_cycle_lr", "max_lr": 0.1, "total_steps": 80, "three_phase": True, "last_epoch": 10, "initial_lr": 0.004}, "adam", 0.05, 0.9, 51),
    ("resume_lambda", {"name": "lambda_lr", "lr_lambda": "0.95^epoch", "last_epoch": 5, "initial_lr": 0.1}, "sgd", 0.07, 0.0, 50),
    ("resume_multiplicative", {"name": "multiplicative_lr", "lr_lambda": "1 - 0.01 * epoch", "last_epoch": 5, "initial_lr": 0.1}, "sgd", 0.08, 0.0, 50),
    ("resume_sequential", {"name": "sequential_lr", "schedulers": [{"name": "linear_lr", "start_factor": 0.1, "total_iters": 5}, {"name": "exponential_lr", "gamma": 0.9}], "milestones": [5], "last_epoch": 2}, "sgd", 0.1, 0.0, 50),
    ("resume_sequential_initial_lr", {"name": "sequential_lr", "schedulers": [{"name": "constant_lr", "factor": 0.5, "total_iters": 3}, {"name": "step_lr", "step_size": 4, "gamma": 0.5}], "milestones": [8], "last_epoch": 4, "initial_lr": 0.2}, "sgd", 0.1, 0.0, 50),
    # initial_lr without last_epoch: torch's setdefault keeps the group's, the schedule's base
    ("initial_lr_fresh_exponential", {"name": "exponential_lr", "gamma": 0.9, "initial_lr": 0.5}, "sgd", 0.1, 0.0, 50),

]


def metrics(n):
    out = []
    for k in range(n):
        if k < 12:
            out.append(1.0 / (1 + k))
        else:
            out.append(0.08 + 0.002 * math.sin(1.7 * k) + (0.0 if k % 9 else -0.01))
    return out


PLATEAU = [
    ("plateau_default_min", {"patience": 3}, 0.1, 60),
    ("plateau_cooldown_abs", {"patience": 2, "cooldown": 3, "threshold": 0.001, "threshold_mode": "abs", "factor": 0.5, "min_lr": 0.002}, 0.1, 60),
    ("plateau_max", {"mode": "max", "patience": 1, "factor": 0.3, "eps": 1e-3}, 0.1, 60),
]


def sequences():
    """Every case: PyTorch's lr (and momentum) after k = 0..N-1 scheduler.step() calls."""
    out = []
    for name, cfg, kind, lr, m, n in CASES:
        opt = make_opt(kind, lr, m if m is not None else 0.0)
        s = build(opt, cfg)
        lrs, ms = [], []
        for k in range(n):
            lrs.append(s.get_last_lr()[0])
            ms.append(mom(opt))
            if k + 1 < n:
                opt.step()
                s.step()
        drives = cfg.get("cycle_momentum", True) and any(
            c in json.dumps(cfg) for c in ("cyclic_lr", "one_cycle_lr")
        )
        out.append({
            "name": name, "config": cfg, "lr": float(lr),
            "momentum": None if m is None else float(m),
            "want_lr": [float(v) for v in lrs],
            "want_momentum": [float(v) for v in ms] if drives else [],
        })
    return out


def plateau():
    """Reduce-on-plateau: the lr after each step(metric)."""
    out = []
    for name, kw, lr, n in PLATEAU:
        opt = make_opt("sgd", lr, 0.0)
        s = L.ReduceLROnPlateau(opt, **kw)
        ms = metrics(n)
        lrs = []
        for x in ms:
            opt.step()
            s.step(x)
            lrs.append(s.get_last_lr()[0])
        cfg = dict(kw)
        cfg["name"] = "reduce_lr_on_plateau"
        out.append({"name": name, "config": cfg, "lr": float(lr), "metrics": ms,
                    "want": [float(v) for v in lrs]})
    return out


# issue 29 item 7: per-group argument lists over an optimiser with two param groups
# (name, config, optimiser kind, [(lr, momentum) per group], n).
GROUPS = [
    ("groups_cyclic_base_max", {"name": "cyclic_lr", "base_lr": [0.01, 0.02], "max_lr": [0.1, 0.3], "step_size_up": 5}, "sgd", [(0.5, 0.9), (0.2, 0.8)], 60),
    ("groups_cyclic_scalar", {"name": "cyclic_lr", "base_lr": 0.01, "max_lr": [0.1, 0.05], "step_size_up": 3, "step_size_down": 4, "mode": "triangular2"}, "adam", [(0.001, 0.9), (0.002, 0.85)], 50),
    ("groups_one_cycle", {"name": "one_cycle_lr", "max_lr": [0.1, 0.4], "total_steps": 50}, "sgd", [(0.01, 0.9), (0.01, 0.9)], 51),
    ("groups_lambda", {"name": "lambda_lr", "lr_lambda": ["0.95^epoch", "1 / (1 + 0.1 * epoch)"]}, "sgd", [(0.1, 0.0), (0.3, 0.0)], 50),
    ("groups_multiplicative", {"name": "multiplicative_lr", "lr_lambda": ["0.97", "1 - 0.01 * epoch"]}, "sgd", [(0.1, 0.0), (0.2, 0.0)], 50),
    ("groups_step_own_lrs", {"name": "step_lr", "step_size": 5, "gamma": 0.5}, "sgd", [(0.1, 0.0), (0.02, 0.0)], 50),
    ("groups_resume_exponential", {"name": "exponential_lr", "gamma": 0.9, "last_epoch": 4, "initial_lr": [0.1, 0.4]}, "sgd", [(0.06, 0.0), (0.2, 0.0)], 50),
    ("groups_resume_cyclic", {"name": "cyclic_lr", "base_lr": [0.01, 0.001], "max_lr": [0.1, 0.01], "step_size_up": 4, "last_epoch": 6, "initial_lr": [0.05, 0.005]}, "sgd", [(0.04, 0.85), (0.004, 0.85)], 50),
    ("groups_sequential_lambda", {"name": "sequential_lr", "schedulers": [{"name": "linear_lr", "start_factor": 0.1, "total_iters": 5}, {"name": "lambda_lr", "lr_lambda": ["0.9^epoch", "0.95^epoch"]}], "milestones": [5]}, "sgd", [(0.1, 0.0), (0.05, 0.0)], 50),
]

GROUP_PLATEAU = [
    ("groups_plateau_min_lr", {"patience": 2, "factor": 0.5, "min_lr": [0.01, 0.002]}, [0.1, 0.05], 60),
]


def make_group_opt(kind, groups):
    ps = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr, **(
        {"betas": (m, 0.999)} if kind == "adam" else {"momentum": m})} for lr, m in groups]
    return torch.optim.Adam(ps) if kind == "adam" else torch.optim.SGD(ps)


def group_mom(opt):
    return [g["betas"][0] if "betas" in g else g.get("momentum") for g in opt.param_groups]


def group_sequences():
    """Two param groups: each group's lr (and momentum) after k = 0..N-1 scheduler.step()."""
    out = []
    for name, cfg, kind, groups, n in GROUPS:
        opt = make_group_opt(kind, groups)
        s = build(opt, cfg)
        lrs, ms = [], []
        for k in range(n):
            lrs.append([float(v) for v in s.get_last_lr()])
            ms.append([float(v) for v in group_mom(opt)])
            if k + 1 < n:
                opt.step()
                s.step()
        drives = cfg.get("cycle_momentum", True) and cfg["name"] in ("cyclic_lr", "one_cycle_lr")
        out.append({
            "name": name, "config": cfg,
            "groups": [{"lr": float(lr), "momentum": float(m)} for lr, m in groups],
            "want_lr": [list(col) for col in zip(*lrs)],
            "want_momentum": [list(col) for col in zip(*ms)] if drives else [],
        })
    for name, kw, lrs0, n in GROUP_PLATEAU:
        opt = make_group_opt("sgd", [(lr, 0.0) for lr in lrs0])
        s = L.ReduceLROnPlateau(opt, **kw)
        ms = metrics(n)
        lrs = []
        for x in ms:
            opt.step()
            s.step(x)
            lrs.append([float(v) for v in s.get_last_lr()])
        cfg = dict(kw)
        cfg["name"] = "reduce_lr_on_plateau"
        out.append({
            "name": name, "config": cfg,
            "groups": [{"lr": float(lr), "momentum": 0.0} for lr in lrs0],
            "metrics": ms,
            "want_lr": [list(col) for col in zip(*lrs)],
            "want_momentum": [],
        })
    return out


def main():
    doc = {
        "generated_by": "crates/downhill/tests/reference/make_schedule_refs.py (do not edit by hand)",
        "torch": torch.__version__,
        "python": platform.python_version(),
        "cases": sequences(),
        "plateau": plateau(),
        "groups": group_sequences(),
    }
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schedule_refs.json")
    with open(out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {len(doc['cases'])} + {len(doc['plateau'])} + {len(doc['groups'])} cases to {out}")


main()
