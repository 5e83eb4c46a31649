"""Reference trajectories of torch.optim.LBFGS on Rosenbrock from (-1.2, 1), float64.

Run: /tmp/downhill-peers/bin/python crates/downhill/tests/reference/make_lbfgs_refs.py
Prints, for each configuration, x after each step() call, the cumulative inner iterations
(state["n_iter"]) and closure evaluations (state["func_evals"]). The numbers are pasted
into crates/downhill/tests/lbfgs_reference.rs.
"""
import torch

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
