"""``downhill.plot``: figures from results, inline SVG, .svg and .png files."""

import numpy as np
import pytest

import downhill
from downhill import plot

PNG = b"\x89PNG\r\n\x1a\n"


def adam(fun="rosenbrock", **kw):
    return downhill.minimize(fun, [-1.2, 1.0], method="adam", lr=0.02, steps=200, **kw)


def test_contour_of_two_runs_is_an_svg_and_a_png(tmp_path):
    a, b = adam(), downhill.minimize("rosenbrock", [-1.2, 1.0], method="sgd", lr=1e-3, steps=200)
    fig = plot.contour("rosenbrock", a, b)
    svg = fig._repr_svg_()
    assert svg.startswith("<svg") and "adam" in svg and "sgd" in svg
    assert fig.save(tmp_path / "c.svg") == tmp_path / "c.svg"
    assert (tmp_path / "c.svg").read_text().startswith("<svg")
    fig.save(str(tmp_path / "c.png"))
    assert (tmp_path / "c.png").read_bytes()[:8] == PNG
    assert fig.png()[:8] == PNG
    assert repr(fig).startswith("<downhill.plot.Figure")


def test_contour_of_a_formula_a_callable_and_a_grid():
    r = adam("(x - 1)^2 + 4*(y + 2)^2")
    assert plot.contour("(x - 1)^2 + 4*(y + 2)^2", r).svg().startswith("<svg")
    assert plot.contour(lambda x, y: (x - 1) ** 2 + 4 * (y + 2) ** 2, r, x_range=(-2, 2),
                        y_range=(-3, 2), log=False, labels=["mine"]).svg().count("mine") >= 1
    xs = np.linspace(-2, 2, 5)
    z = np.add.outer(xs ** 2, xs ** 2)
    assert plot.contour((xs, xs, z), x_range=(-2, 2), y_range=(-2, 2)).svg().startswith("<svg")


def test_an_exception_in_a_contour_callable_reaches_the_caller():
    def f(x, y):
        raise ZeroDivisionError("inside")

    with pytest.raises(ZeroDivisionError, match="inside"):
        plot.contour(f, adam())


def test_loss_and_schedule_figures():
    assert plot.loss(adam(), adam("sphere")).svg().startswith("<svg")
    s = downhill.Schedule("OneCycleLR", lr=0.1, max_lr=0.1, total_steps=100, momentum=0.9)
    assert plot.schedule(s, 100).svg().startswith("<svg")
    assert plot.panels(plot.loss(adam()), plot.schedule(s, 100)).size[0] > plot.loss(adam()).size[0]


def test_every_result_has_plot():
    assert adam().plot().svg().startswith("<svg")  # the contour of a 2-D built-in
    assert downhill.minimize("sphere", [1.0, 2.0, 3.0], lr=0.1, steps=20).plot().svg().startswith("<svg")
    train = downhill.train({"data": {"source": "synthetic_linreg"}, "model": {"kind": "linear"},
                            "optimizer": {"name": "sgd", "lr": 0.1}, "train": {"epochs": 2, "batch_size": 8}})
    assert train.plot().svg().startswith("<svg")
    run = downhill.run({"problem": {"function": "rosenbrock", "x0": [-1.2, 1.0]},
                        "optimizer": {"name": "adam", "lr": 0.02}, "run": {"steps": 100}})
    assert run.plot().svg().startswith("<svg")
    from conftest import ROOT

    for cmd, name in [("compare", "compare"), ("sweep", "sweep"), ("lr_find", "lr_find")]:
        r = getattr(downhill, cmd)(ROOT / "examples" / f"{name}.toml")
        assert r.plot().svg().startswith("<svg"), cmd
    sched = downhill.schedule_table({"optimizer": {"name": "sgd", "lr": 0.1},
                               "schedule": {"name": "step_lr", "step_size": 3}}, steps=10)
    assert sched.plot().svg().startswith("<svg")


def test_bad_figure_input():
    with pytest.raises(ValueError, match="without a trajectory"):
        plot.contour("rosenbrock", adam(record="f"))
    with pytest.raises(ValueError, match="2-D"):
        plot.contour("sphere", downhill.minimize("sphere", [1.0, 2.0, 3.0], lr=0.1, steps=5))
    with pytest.raises(ValueError, match="two variables"):
        plot.contour("x + y + z", adam())
    with pytest.raises(ValueError, match=r"\.svg or \.png"):
        plot.loss(adam()).save("figure.pdf")
    with pytest.raises(ValueError, match="at least one"):
        plot.loss()
