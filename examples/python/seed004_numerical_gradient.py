"""Seed 004: the numerical gradient. A Python objective without its gradient is descended with
central differences (h = 1e-4); on a smooth function the path follows the exact one closely,
and on Rosenbrock L-BFGS with a Python gradient agrees with the built-in.
Run: python examples/python/seed004_numerical_gradient.py
"""

import numpy as np

import downhill


def rosen(x):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


exact = downhill.minimize("rosenbrock", [-1.2, 1.0], method="adam", lr=0.01, steps=500)
numeric = downhill.minimize(rosen, [-1.2, 1.0], method="adam", lr=0.01, steps=500)
gap = np.max(np.abs(exact.trajectory - numeric.trajectory))
print(f"Adam, 500 steps: exact gradient x = {exact.x}, central differences x = {numeric.x}")
print(f"largest gap along the path: {gap:.2e}  ({numeric.message})")
assert gap < 1e-4 and "central differences" in numeric.message

lb = downhill.minimize(lambda x: (rosen(x), np.array([
    -2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2), 200 * (x[1] - x[0] ** 2)])),
    [-1.2, 1.0], method="L-BFGS-B", jac=True, steps=100, tol=1e-10)
print(f"L-BFGS-B with a Python gradient: x = {lb.x}, nfev = {lb.nfev}, {lb.message}")
# SciPy's own L-BFGS-B tests (pgtol, factr) end it within ~1e-5 of the minimum, as SciPy's do
np.testing.assert_allclose(lb.x, [1.0, 1.0], atol=1e-5)
