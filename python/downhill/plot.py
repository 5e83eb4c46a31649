"""Figures: ``contour(fun, *results)``, ``loss(*results)``, ``schedule(schedule, n)``, and
``of(result)``, what a result's ``.plot()`` draws.

They are drawn in Rust by ``downhill-plot``, the crate the CLI draws its ``--plot`` figures
with (the same pictures, no matplotlib needed). A ``Figure`` shows inline in Jupyter
(``_repr_svg_``), and ``.save(path)`` writes ``.svg`` or ``.png`` by the extension.

A result is what ``minimize`` returns (an ``OptimizeResult``) or what a command returns (a
``CommandResult`` of ``run``, ``compare``, ``train``, ``sweep``, ``lr_find``, ``landscape``).
"""

import math

import numpy as np

from . import _core

__all__ = ["Figure", "contour", "loss", "of", "panels", "schedule"]


class Figure:
    """A figure: ``_repr_svg_`` for Jupyter, ``svg()``, ``png()`` and ``save(path)``."""

    def __init__(self, core):
        self._core = core

    def svg(self) -> str:
        """The SVG document."""
        return self._core.svg()

    def png(self) -> bytes:
        """The bytes of a PNG file."""
        return self._core.png()

    def save(self, path):
        """Writes the figure to ``path`` (``.svg`` or ``.png``), atomically; returns ``path``."""
        self._core.save(path)
        return path

    @property
    def size(self):
        """``(width, height)`` in pixels."""
        return self._core.size

    def resized(self, width, height):
        """The same figure at ``width × height`` pixels."""
        return Figure(self._core.resized(int(width), int(height)))

    def _repr_svg_(self):
        return self.svg()

    def __repr__(self):
        w, h = self.size
        return f"<downhill.plot.Figure {w}×{h}>"


def panels(*figures, cols=2):
    """Figures side by side, ``cols`` per row."""
    return Figure(_core.plot_panels([f._core for f in figures], int(cols)))


def _label(result, i):
    if "label" in result and isinstance(result["label"], str):
        return result["label"]
    method = result.get("method")
    if method is None and isinstance(result.get("optimizer"), dict):
        method = result["optimizer"].get("name")
    return str(method) if method is not None else f"run {i + 1}"


def _runs(results):
    """(label, result) of every run in ``results`` (a ``compare`` result gives each of its runs)."""
    out = []
    for r in results:
        if getattr(r, "command", None) == "compare":
            out.extend((_label(x, i), x) for i, x in enumerate(r["runs"]))
        elif getattr(r, "command", None) == "sweep":
            for p in r["points"]:
                out.append((_values(p["values"]), p["result"]))
        else:
            out.append((_label(r, len(out)), r))
    return out


def _values(v):
    if isinstance(v, np.ndarray):
        v = v.tolist()
    return ", ".join(f"{x:g}" if isinstance(x, float) else str(x) for x in v)


def _curve(r):
    """(x label, xs, ys) of one run's loss."""
    if r.get("f_history") is not None and len(r["f_history"]):
        ys = np.asarray(r["f_history"], dtype=float)
        return "step", np.arange(len(ys), dtype=float), ys
    if r.get("train_loss") is not None and len(r["train_loss"]):
        ys = np.asarray(r["train_loss"], dtype=float)
        if r.get("log_samples") is not None and len(r["log_samples"]) == len(ys):
            return "samples seen", np.asarray(r["log_samples"], dtype=float), ys
        return "logged point", np.arange(len(ys), dtype=float), ys
    raise ValueError("results: a result without a loss history (f_history or train_loss; "
                     'minimize with record="none" keeps none)')


def loss(*results, log=None, title="loss", labels=None):
    """The loss of each run against step (``f_history``) or logged point (``train_loss``), on a
    log axis when ``log`` (default: when every value is positive). ``labels`` replace the
    legend texts."""
    runs = _runs(results)
    if not runs:
        raise ValueError("results: give at least one result")
    series, xl = [], "step"
    for i, (label, r) in enumerate(runs):
        xl, xs, ys = _curve(r)
        if labels is not None:
            label = labels[i]
        series.append((str(label), xs.tolist(), ys.tolist()))
    if log is None:
        finite = [v for _, _, ys in series for v in ys if math.isfinite(v)]
        log = bool(finite) and min(finite) > 0
    return Figure(_core.plot_lines(series, title, xl, "loss", bool(log)))


def _path(r):
    t = r.get("trajectory")
    if t is None:
        raise ValueError('results: a result without a trajectory (minimize with record="all" or an integer)')
    t = np.asarray(t, dtype=float)
    if t.ndim != 2 or t.shape[1] != 2:
        raise ValueError(f"results: a contour shows 2-D paths; this trajectory has shape {t.shape}")
    return [(float(a), float(b)) for a, b in t]


def contour(fun, *results, x_range=None, y_range=None, log=None, levels=12, title=None,
            labels=None, x_label=None, y_label=None, vars=None):
    """A contour of ``fun`` with the trajectories of ``results`` on it.

    ``fun``: a built-in name, a formula in two variables (``vars``, default: in order of first
    use; they also label the axes), a callable ``f(x, y)`` or a grid ``(xs, ys, z)`` with
    ``z[j][i]`` at ``(xs[i], ys[j])``. The box is ``x_range × y_range``
    (default: the paths' box, padded); iso-lines are logarithmic when ``log`` (default: when
    the surface is valley-like, as Rosenbrock's)."""
    if isinstance(fun, tuple) and len(fun) == 3:
        xs, ys, z = (np.asarray(a, dtype=float) for a in fun)
        fun = (xs.tolist(), ys.tolist(), z.tolist())
    paths = []
    for i, (label, r) in enumerate(_runs(results)):
        paths.append((str(labels[i] if labels is not None else label), _path(r)))
    rng = lambda r: None if r is None else (float(r[0]), float(r[1]))  # noqa: E731
    if vars is not None:
        vars = [str(v) for v in vars]
    names = vars if vars is not None and len(vars) == 2 else ["x", "y"]
    x_label = names[0] if x_label is None else x_label
    y_label = names[1] if y_label is None else y_label
    return Figure(_core.plot_contour(fun, paths, rng(x_range), rng(y_range), log, int(levels), title,
                                     x_label, y_label, 1.0, vars))


def schedule(schedule, n, title=None):
    """The lr (and momentum) of a ``downhill.Schedule`` over ``n`` steps; also takes what
    ``downhill.schedule_table(config)`` returns (then ``n`` may be None)."""
    if hasattr(schedule, "lrs"):
        lr = schedule.lrs(int(n))
        m = schedule.momenta(int(n))
    else:
        lr, m = schedule["lr"], schedule.get("momentum")
        if n is not None:
            lr = lr[: int(n)]
            m = None if m is None else m[: int(n)]
    m = None if m is None or len(m) == 0 else np.asarray(m, dtype=float).tolist()
    return Figure(_core.plot_schedule(np.asarray(lr, dtype=float).tolist(), m))


def _run_figure(r, options):
    fun = r.get("function") or r.get("expression")
    t = r.get("trajectory")
    if fun is not None and t is not None and np.ndim(t) == 2 and np.shape(t)[1] == 2:
        return contour(fun, r, vars=r.get("vars"), **options)
    return loss(r, **options)


def _lr_find(r, options):
    lr = np.asarray(r["lr"], dtype=float)
    series = [("smoothed loss", np.log10(lr).tolist(), np.asarray(r["loss"], dtype=float).tolist())]
    if r.get("batch_loss") is not None and len(r["batch_loss"]) == len(lr):
        series.append(("batch loss", np.log10(lr).tolist(), np.asarray(r["batch_loss"], dtype=float).tolist()))
    s = r.get("suggested_lr")
    v = [(f"suggested lr = {s:.3g}", math.log10(s))] if s and s > 0 and math.isfinite(s) else []
    return Figure(_core.plot_lines(series, options.get("title", "lr range test"), "log₁₀ lr", "loss",
                                   False, v))


def _landscape(r, options):
    figs = []
    i = r["interpolation"]
    series = [("train", np.asarray(i["alpha"]).tolist(), np.asarray(i["train_loss"]).tolist())]
    if i.get("val_loss") is not None and len(i["val_loss"]):
        series.append(("validation", np.asarray(i["alpha"]).tolist(), np.asarray(i["val_loss"]).tolist()))
    figs.append(Figure(_core.plot_lines(series, "loss along (1 − α)·θ₀ + α·θ₁", "α", "loss")))
    s = r.get("surface")
    if s is not None and len(s.get("a", [])) and len(s.get("b", [])):
        z = np.asarray(s["train_loss"], dtype=float)
        grid = (np.asarray(s["a"]).tolist(), np.asarray(s["b"]).tolist(), z.tolist())
        paths = []
        if s.get("trajectory") is not None:
            paths = [("trajectory", [(float(a), float(b)) for a, b in np.asarray(s["trajectory"])])]
        a, b = s["a"], s["b"]
        figs.append(Figure(_core.plot_contour(grid, paths, (float(a[0]), float(a[-1])),
                                              (float(b[0]), float(b[-1])), None, 12,
                                              "training loss around θ₁", "δ", "η")))
    return figs[0] if len(figs) == 1 else panels(*figs, cols=len(figs))


def _sweep(r, options):
    pts = r["points"]
    vals = [p["values"] for p in pts]
    one_d = all(isinstance(v, np.ndarray) and v.shape == (1,) for v in vals)
    metric = []
    for p in pts:
        res = p["result"]
        m = res.get("f", res.get("final_train_loss"))
        metric.append(float("nan") if m is None or not np.isscalar(m) else float(m))
    if one_d and pts:
        xs = [float(v[0]) for v in vals]
        finite = [m for m in metric if math.isfinite(m)]
        log = bool(finite) and min(finite) > 0
        return Figure(_core.plot_lines([("final loss", xs, metric)], options.get("title", "sweep"),
                                       "swept value", "final loss", log))
    return loss(r, **options)


def of(result, **options):
    """The natural picture of a result (what ``result.plot()`` draws): a run on a 2-D function
    → its contour with the path, otherwise the loss; ``compare`` → every run; ``train`` →
    the training loss; ``sweep`` → the final loss against a single swept value, or every
    point's loss; ``lr_find`` → loss against log₁₀ lr with the suggestion; ``landscape`` → the
    interpolation beside the surface; ``schedule`` → lr (and momentum) against step."""
    command = getattr(result, "command", None)
    if command is None or command == "run":
        return _run_figure(result, options)
    if command == "compare":
        fun = result.get("function") or result.get("expression")
        runs = result["runs"]
        if fun is not None and runs and all(np.shape(r.get("trajectory"))[1:] == (2,) for r in runs):
            return contour(fun, result, vars=result.get("vars"), **options)
        return loss(result, **options)
    if command == "train":
        return loss(result, title=options.pop("title", "training"), **options)
    if command == "sweep":
        return _sweep(result, options)
    if command == "lr_find":
        return _lr_find(result, options)
    if command == "landscape":
        return _landscape(result, options)
    if command == "schedule":
        return schedule(result, None)
    raise ValueError(f"no figure for a `{command}` result")
