"""Moré, Garbow & Hillstrom (1981) test problems as Downhill formulas.

Each problem is written once, as a formula string in Downhill's expression syntax
(`^` for powers, `exp sin cos atan2 sqrt`), over the variables x1..xn. The reference scripts
evaluate the same string with torch (`evaluate`, `value_and_grad`: autograd gives the exact
gradient SciPy is handed) and record it in their JSON, where the Rust tests compile it with
`downhill::expr::Expr`; so the problem the peer solves and the one Downhill solves are the
same text.
"""
import math

import torch

torch.set_default_dtype(torch.float64)


def _sum(terms):
    return " + ".join(f"({t})" for t in terms)


def _lit(v):
    r = repr(float(v))
    return r if "e" not in r else f"({r})"


def powell_badly_scaled():
    """MGH #3: f = (10⁴x₁x₂ − 1)² + (e^{−x₁} + e^{−x₂} − 1.0001)²."""
    return "(10000*x1*x2 - 1)^2 + (exp(-x1) + exp(-x2) - 1.0001)^2", [0.0, 1.0]


def helical_valley():
    """MGH #7 with θ = atan2(x₂, x₁)/(2π)."""
    theta = "atan2(x2, x1)/(2*3.141592653589793)"
    return (f"100*(x3 - 10*{theta})^2 + 100*(sqrt(x1^2 + x2^2) - 1)^2 + x3^2",
            [-1.0, 0.0, 0.0])


def meyer():
    """MGH #10: rᵢ = x₁·exp(x₂/(tᵢ + x₃)) − yᵢ, tᵢ = 45 + 5i, i = 1..16."""
    y = [34780, 28610, 23650, 19630, 16370, 13720, 11540, 9744, 8261, 7030, 6005, 5147,
         4427, 3820, 3307, 2872]
    terms = [f"(x1*exp(x2/({45 + 5 * i} + x3)) - {yi})^2" for i, yi in enumerate(y, 1)]
    return _sum(terms), [0.02, 4000.0, 250.0]


def brown_dennis():
    """MGH #16 (n = 4, m = 20): rᵢ = (x₁ + tᵢx₂ − e^{tᵢ})² + (x₃ + x₄ sin tᵢ − cos tᵢ)², tᵢ = i/5."""
    terms = []
    for i in range(1, 21):
        t = i / 5
        a = f"x1 + {_lit(t)}*x2 - {_lit(math.exp(t))}"
        b = f"x3 + {_lit(math.sin(t))}*x4 - {_lit(math.cos(t))}"
        terms.append(f"(({a})^2 + ({b})^2)^2")
    return _sum(terms), [25.0, 5.0, -5.0, -1.0]


def penalty_1(n=4):
    """MGH #23: f = 10⁻⁵ Σ(xᵢ − 1)² + (Σxᵢ² − ¼)², x₀ = (1, 2, …, n)."""
    a = " + ".join(f"(x{i} - 1)^2" for i in range(1, n + 1))
    b = " + ".join(f"x{i}^2" for i in range(1, n + 1))
    return f"0.00001*({a}) + ({b} - 0.25)^2", [float(i) for i in range(1, n + 1)]


PROBLEMS = {
    "powell_badly_scaled": powell_badly_scaled,
    "helical_valley": helical_valley,
    "meyer": meyer,
    "brown_dennis": brown_dennis,
    "penalty_1": penalty_1,
}


def problem(name):
    """(formula, variable names, x0) of the named problem."""
    formula, x0 = PROBLEMS[name]()
    return formula, [f"x{i}" for i in range(1, len(x0) + 1)], x0


_NS = {"exp": torch.exp, "sin": torch.sin, "cos": torch.cos, "sqrt": torch.sqrt,
       "atan2": torch.atan2, "ln": torch.log}


def evaluate(formula, names, x):
    """The formula at the tensor x (torch operations, so autograd differentiates it)."""
    ns = dict(_NS)
    ns.update({n: x[i] for i, n in enumerate(names)})
    return eval(formula.replace("^", "**"), {"__builtins__": {}}, ns)  # noqa: S307


def value_and_grad(formula, names):
    """f(x) and ∇f(x) as NumPy-friendly callables for SciPy (`jac=True`)."""
    def fg(x):
        t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        v = evaluate(formula, names, t)
        v.backward()
        return float(v.detach()), t.grad.numpy().copy()
    return fg
