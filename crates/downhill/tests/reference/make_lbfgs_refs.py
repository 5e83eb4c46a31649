"""Reference trajectories of torch.optim.LBFGS on Rosenbrock from (-1.2, 1), float64.

Run: /tmp/downhill-peers/bin/python crates/downhill/tests/reference/make_lbfgs_refs.py
Prints, for each configuration, x after each step() call, the cumulative inner iterations
(state["n_iter"]) and closure evaluations (state["func_evals"]). The numbers are pasted
into crates/downhill/tests/lbfgs_reference.rs.

It also writes lbfgs_refs.json (torch's version recorded): on Moré-Garbow-Hillstrom problems
(mgh.py, each a formula the Rust test compiles), step(closure) is called until a call ends by
one of LBFGS's own tests rather than its max_iter / max_eval budget (tolerance_grad: the
gradient's max norm at the end is <= tolerance_grad; else tolerance_change), recording the
number of calls, n_iter, func_evals (the closure calls), x and f there.
"""
import json
import os
import platform

import torch

import mgh

torch.set_default_dtype(torch.float64)


def rosenbrock(x):
    return 100.0 * (x[1] - x[0] ** 2) ** 2 + (1.0 - x[0]) ** 2


def run(calls, **kw):
    x = torch.tensor([-1.2, 1.0], requires_grad=True)
    opt = torch.optim.LBFGS([x], **kw)

    def closure():
        opt.zero_grad()
        loss = rosenbrock(x)
        loss.backward()
        return loss

    print(f"# LBFGS({kw})")
    for k in range(calls):
        opt.step(closure)
        st = opt.state[opt._params[0]]
        f = rosenbrock(x).item()
        print(
            f"step {k + 1}: x = [{x[0].item()!r}, {x[1].item()!r}], f = {f!r}, "
            f"n_iter = {st['n_iter']}, func_evals = {st['func_evals']}"
        )


print(f"# torch {torch.__version__}")
run(5)
run(3, line_search_fn="strong_wolfe")
run(5, lr=0.5, max_iter=7, history_size=3)
run(4, lr=0.5, max_iter=10, history_size=4, line_search_fn="strong_wolfe")
# a tight evaluation budget: the line search runs out of evaluations (max_ls reached)
run(4, max_iter=6, max_eval=3, line_search_fn="strong_wolfe")
run(3, lr=2.0, tolerance_change=1e-3, line_search_fn="strong_wolfe")


# (problem, LBFGS keyword arguments): ended by LBFGS's own tests.
STOPS = [
    ("penalty_1", {}),
    ("brown_dennis", {}),
    ("brown_dennis", {"line_search_fn": "strong_wolfe"}),
    ("meyer", {}),
    ("meyer", {"line_search_fn": "strong_wolfe"}),
    ("helical_valley", {"line_search_fn": "strong_wolfe"}),
]


def run_to_stop(name, kw, max_calls=5000):
    formula, names, x0 = mgh.problem(name)
    x = torch.tensor(x0, requires_grad=True)
    opt = torch.optim.LBFGS([x], **kw)
    d = opt.defaults

    def closure():
        opt.zero_grad()
        loss = mgh.evaluate(formula, names, x)
        loss.backward()
        return loss

    reason = None
    for k in range(max_calls):
        st = opt.state[opt._params[0]]
        n0, e0 = st.get("n_iter", 0), st.get("func_evals", 0)
        opt.step(closure)
        st = opt.state[opt._params[0]]
        dn, de = st["n_iter"] - n0, st["func_evals"] - e0
        if dn == 0 or (dn < d["max_iter"] and de < d["max_eval"]):
            with torch.enable_grad():
                xg = x.detach().clone().requires_grad_(True)
                mgh.evaluate(formula, names, xg).backward()
            small = xg.grad.abs().max().item() <= d["tolerance_grad"]
            reason = "tolerance_grad" if small else "tolerance_change"
            break
    assert reason, f"{name} {kw}: no stop in {max_calls} calls"
    return {
        "problem": name, "formula": formula, "vars": names, "x0": x0, "options": kw,
        "calls": k + 1, "n_iter": st["n_iter"], "func_evals": st["func_evals"],
        "stopped_by": reason, "x": x.detach().tolist(),
        "f": mgh.evaluate(formula, names, x.detach()).item(),
    }


doc = {
    "generated_by": "crates/downhill/tests/reference/make_lbfgs_refs.py (do not edit by hand)",
    "torch": torch.__version__,
    "python": platform.python_version(),
    "stops": [run_to_stop(n, kw) for n, kw in STOPS],
}
for c in doc["stops"]:
    print(f"{c['problem']:16s} {json.dumps(c['options']):34s} calls={c['calls']:3d} "
          f"n_iter={c['n_iter']:4d} func_evals={c['func_evals']:4d} {c['stopped_by']} f={c['f']:.6e}")
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "lbfgs_refs.json"), "w") as fh:
    json.dump(doc, fh, indent=1)
    fh.write("\n")
