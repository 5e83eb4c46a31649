"""Seed 003: momentum vs plain gradient descent on an ill-conditioned quadratic.

From (−4, 2), lr = 0.01: heavy-ball momentum β = 0.9 reaches f < 1e-6 in far fewer steps than
plain GD, the speed-up seed 003 explains with the condition number.
Run: python examples/python/seed003_momentum.py
"""

import numpy as np

import downhill

X0, STEPS, LR = [-4.0, 2.0], 5000, 0.01
TARGET = 1e-6


def steps_to(res, target=TARGET):
    below = np.nonzero(res.f_history < target)[0]
    return int(below[0]) if below.size else None


gd = downhill.minimize("ill_conditioned", X0, method="sgd", lr=LR, steps=STEPS)
mom = downhill.minimize("ill_conditioned", X0, method="sgd", lr=LR, momentum=0.9, steps=STEPS)
a, b = steps_to(gd), steps_to(mom)
print(f"{'method':>16}  steps to f < {TARGET:g}   final f")
print(f"{'GD':>16}  {str(a):>20}   {gd.fun:.3e}")
print(f"{'momentum 0.9':>16}  {str(b):>20}   {mom.fun:.3e}")
assert b is not None and (a is None or b * 3 < a), (a, b)
print(f"momentum is {'more than ' if a is None else ''}{(a or STEPS) / b:.1f}x faster")
