"""Seed 004: gradient descent on f(x) = x0² + x1² from (−3, 4) with lr = 0.1, 0.005 and 10.

lr = 0.1 converges (each step multiplies x by 1 − 2·0.1 = 0.8), lr = 0.005 crawls (×0.99),
lr = 10 diverges (×−19). Run: python examples/python/seed004_learning_rate.py
"""

import numpy as np

import downhill

X0 = [-3.0, 4.0]
STEPS = 100

print(f"{'lr':>6}  {'status':>9}  {'f after 100 steps':>18}  closed form")
for lr in (0.1, 0.005, 10.0):
    r = downhill.minimize("sphere", X0, method="sgd", lr=lr, steps=STEPS)
    factor = 1 - 2 * lr
    if True:
        want = 25.0 * factor ** (2 * STEPS)
        np.testing.assert_allclose(r.fun, want, rtol=1e-9)
        verdict = "grows" if r.fun > 25.0 else "shrinks"
        print(f"{lr:>6}  {verdict:>9}  {r.fun:>18.6e}  25·({factor:g})^200 = {want:.6e}")
# lr = 10 multiplies |x| by 19 a step: f overflows to infinity after about 120 steps.
r = downhill.minimize("sphere", X0, method="sgd", lr=10.0, steps=1000)
assert r.status == 3 and r.diverged_at is not None
print(f"lr = 10 over 1000 steps: diverged at step {r.diverged_at}; last finite f = {r.fun:.3e}")
