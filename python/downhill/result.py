"""``OptimizeResult``: SciPy's result type (a dict with attribute access), without SciPy."""

__all__ = ["OptimizeResult"]


class OptimizeResult(dict):
    """The result of ``downhill.minimize``, as ``scipy.optimize.OptimizeResult``.

    Keys (also attributes): ``x``, ``fun``, ``jac``, ``nit``, ``nfev``, ``njev``, ``status``,
    ``success``, ``message``, and Downhill's ``trajectory``, ``f_history``, ``lr``, ``momentum``,
    ``diverged_at``, ``method``, and ``function`` when ``fun`` was a built-in name or a
    formula (with its ``vars`` for a formula). ``.plot()`` draws the path on the contour (2-D
    built-ins and formulas) or the loss.
    """

    def plot(self, **options):
        """The run's picture as a ``downhill.plot.Figure`` (see ``downhill.plot.of``)."""
        from .plot import of

        return of(self, **options)

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError as e:
            raise AttributeError(name) from e

    __setattr__ = dict.__setitem__
    __delattr__ = dict.__delitem__

    def __dir__(self):
        return list(self.keys())

    def __repr__(self):
        if not self:
            return f"{type(self).__name__}()"
        width = max(map(len, self.keys())) + 1
        lines = []
        for k, v in self.items():
            text = repr(v)
            if hasattr(v, "shape") and getattr(v, "size", 0) > 8:
                text = f"array of shape {v.shape}"
            lines.append(f"{k.rjust(width)}: {text}")
        return "\n".join(lines)
