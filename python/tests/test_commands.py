"""The commands as functions (``downhill.train``, ``run``, …): same output as the CLI's
``--json``, arrays as NumPy arrays, errors naming the key."""

import json
import pickle
import signal
import subprocess
import time

import numpy as np
import pytest

import downhill
from conftest import ROOT, close, sigint_after

EXAMPLES = ROOT / "examples"
DATA = ROOT / "python" / "tests" / "data"

TRAIN = {
    "data": {"source": "synthetic_linreg"},
    "model": {"kind": "linear"},
    "optimizer": {"name": "sgd", "lr": 0.2},
    "train": {"epochs": 3, "batch_size": 1, "log_interval": 10},
    "schedule": {"name": "multi_step_lr", "milestones": [2], "gamma": 0.1, "unit": "epoch"},
}

RUN = {
    "problem": {"function": "rosenbrock", "x0": [-1.2, 1.0]},
    "optimizer": {"name": "sgd", "lr": 1e-3, "momentum": 0.9},
    "run": {"steps": 2000},
}


def plain(v):
    """A converted result back to JSON values (arrays → lists, NaN → None), for comparison."""
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, np.ndarray):
        return plain(v.tolist())
    if isinstance(v, list):
        return [plain(x) for x in v]
    if isinstance(v, float) and np.isnan(v):
        return None
    return v


def assert_same(got, want, rtol=1e-12):
    """Equal JSON values (floats to ``rtol``: the reference may print them rounded)."""
    if isinstance(want, dict):
        assert isinstance(got, dict) and set(got) == set(want), (sorted(got), sorted(want))
        for k in want:
            assert_same(got[k], want[k], rtol)
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want)
        for a, b in zip(got, want):
            assert_same(a, b, rtol)
    elif isinstance(want, float) and not isinstance(got, bool):
        assert abs(got - want) <= rtol * abs(want) + 1e-300, (got, want)
    else:
        assert got == want, (got, want)


def cli_json(cli, command, path):
    out = subprocess.run([cli, command, str(path), "--json"], capture_output=True, text=True)
    assert out.returncode in (0, 3), out.stderr
    return json.loads(out.stdout)


def test_train_dict_equals_the_file_and_the_committed_cli_output():
    by_dict = downhill.train(TRAIN)
    by_path = downhill.train(EXAMPLES / "train.toml")
    assert by_dict.command == "train"
    assert plain(by_dict) == plain(by_path)
    want = json.loads((DATA / "train_expected.json").read_text())
    assert_same(plain(by_dict), want["output"])
    assert isinstance(by_dict.train_loss, np.ndarray) and by_dict.train_loss.dtype == np.float64
    assert by_dict.status == "completed"


def test_train_equals_downhill_train_json(cli):
    assert_same(plain(downhill.train(TRAIN)), cli_json(cli, "train", EXAMPLES / "train.toml"))


SMALL_LANDSCAPE = """[data]
source = "synthetic_linreg"
[model]
kind = "linear"
[optimizer]
name = "sgd"
lr = 0.1
[train]
epochs = 1
batch_size = 10
[landscape]
alpha_resolution = 4
surface_points = 5
"""


@pytest.mark.parametrize("command", ["run", "compare", "sweep", "lr_find", "landscape"])
def test_every_example_config_equals_the_cli(cli, command, tmp_path):
    path = EXAMPLES / f"{command}.toml"
    if command == "landscape":  # the example trains an MLP for 10 epochs: slow in a debug build
        path = tmp_path / "landscape.toml"
        path.write_text(SMALL_LANDSCAPE)
    got = plain(getattr(downhill, command)(path))
    want = cli_json(cli, command.replace("_", "-"), path)
    if command == "compare":  # wall times differ from run to run
        for r in got["runs"] + want["runs"]:
            r.pop("wall_time_s", None)
    assert_same(got, want)


def test_run_gives_the_x_of_minimize():
    r = downhill.run(RUN)
    m = downhill.minimize("rosenbrock", [-1.2, 1.0], method="sgd", lr=1e-3, momentum=0.9, steps=2000)
    assert np.array_equal(r.x, m.x)
    assert r.f == m.fun and r.steps == m.nit
    assert r.trajectory.shape == (2001, 2)
    assert np.array_equal(r.trajectory, m.trajectory)
    assert np.array_equal(r.f_history, m.f_history)


def test_run_of_a_formula_and_the_path_form(tmp_path):
    cfg = {"problem": {"expression": "(x - 1)^2 + 4*(y + 2)^2", "vars": ["x", "y"], "x0": [0.0, 0.0]},
           "optimizer": {"name": "adam", "lr": 0.1}, "run": {"steps": 300}}
    r = downhill.run(cfg)
    m = downhill.minimize("(x - 1)^2 + 4*(y + 2)^2", [0.0, 0.0], method="adam", lr=0.1, steps=300)
    assert np.array_equal(r.x, m.x)
    f = tmp_path / "c.toml"
    f.write_text('[problem]\nexpression = "(x - 1)^2 + 4*(y + 2)^2"\nvars = ["x", "y"]\nx0 = [0.0, 0.0]\n'
                 '[optimizer]\nname = "adam"\nlr = 0.1\n[run]\nsteps = 300\n')
    assert np.array_equal(downhill.run(f).x, m.x)
    assert np.array_equal(downhill.run(str(f)).x, m.x)


def test_compare_sweep_lr_find_shapes():
    c = downhill.compare(EXAMPLES / "compare.toml")
    assert [r["label"] for r in c.runs][1] == "heavy ball"
    assert c.runs[0]["trajectory"].shape[1] == 2
    s = downhill.sweep(EXAMPLES / "sweep.toml")
    assert len(s.points) >= 2 and isinstance(s.points[0]["result"], dict)
    lf = downhill.lr_find(EXAMPLES / "lr_find.toml")
    assert lf.lr.shape == lf.loss.shape and lf.suggested_lr > 0


def test_landscape_of_a_small_model():
    cfg = dict(TRAIN, landscape={"alpha_resolution": 4, "surface_points": 5})
    cfg["train"] = {"epochs": 1, "batch_size": 10}
    del cfg["schedule"]
    r = downhill.landscape(cfg)
    assert r.surface["train_loss"].shape == (5, 5)
    assert r.interpolation["alpha"].ndim == 1
    assert r.train["status"] == "completed"
    assert r.plot().size[0] > 0


def test_schedule_of_a_config():
    cfg = {"optimizer": {"name": "sgd", "lr": 0.1, "momentum": 0.9},
           "schedule": {"name": "step_lr", "step_size": 2, "gamma": 0.5}, "run": {"steps": 5}}
    s = downhill.schedule_table(cfg)
    close(s.lr, [0.1, 0.1, 0.05, 0.05, 0.025])
    assert len(downhill.schedule_table(cfg, steps=8).lr) == 8
    want = downhill.Schedule("step_lr", lr=0.1, step_size=2, gamma=0.5).lrs(8)
    assert np.array_equal(downhill.schedule_table(cfg, steps=8).lr, want)


def test_the_conversion_rule():
    t = downhill.commands.to_arrays
    assert t([]) == [] and t([None, None]) == [None, None]
    a = t([1, None, 2.5])
    assert a.dtype == np.float64 and np.isnan(a[1])
    assert t([[1, 2], [3, 4]]).shape == (2, 2)
    assert isinstance(t([[1, 2], [3]]), list)
    assert t(["a", 1]) == ["a", 1] and t([True, False]) == [True, False]
    assert t({"x": [1, 2]})["x"].tolist() == [1.0, 2.0]


def test_relative_data_paths_resolve_against_the_file(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20, 2))
    y = x @ np.array([1.0, -2.0]) + 0.5
    sub = tmp_path / "cfg"
    sub.mkdir()
    np.save(sub / "x.npy", x)
    np.save(sub / "y.npy", y)
    (sub / "t.toml").write_text('[data]\nsource = "npy"\npath = "x.npy"\ntarget_path = "y.npy"\n'
                                '[model]\nkind = "linear"\n[optimizer]\nname = "sgd"\nlr = 0.1\n'
                                '[train]\nepochs = 2\nbatch_size = 4\n')
    monkeypatch.chdir(tmp_path)  # not the file's folder
    r = downhill.train("cfg/t.toml")
    assert r.status == "completed"
    absolute = {"data": {"source": "npy", "path": str(sub / "x.npy"), "target_path": str(sub / "y.npy")},
                "model": {"kind": "linear"}, "optimizer": {"name": "sgd", "lr": 0.1},
                "train": {"epochs": 2, "batch_size": 4}}
    assert plain(downhill.train(absolute)) == plain(r)


def test_a_bad_key_names_it_dict_and_file(tmp_path):
    bad = dict(RUN, optimizer={"name": "sgd", "lr": -1.0})
    with pytest.raises(ValueError, match=r"^\[optimizer\] key `lr`"):
        downhill.run(bad)
    with pytest.raises(ValueError, match=r"`lrr`"):
        downhill.run(dict(RUN, optimizer={"name": "sgd", "lrr": 0.1}))
    with pytest.raises(ValueError, match=r"`epochz`"):
        downhill.train(dict(TRAIN, train={"epochz": 3}))
    f = tmp_path / "bad.toml"
    f.write_text('[problem]\nfunction = "rosenbrock"\nx0 = [-1.2, 1.0]\n[optimizer]\nname = "sgd"\nlr = -1\n[run]\nsteps = 1\n')
    with pytest.raises(ValueError, match=rf"^{f}:6:1: \[optimizer\] key `lr`"):
        downhill.run(f)
    with pytest.raises(ValueError, match="missing table"):
        downhill.run({"optimizer": {"name": "sgd"}})
    with pytest.raises(ValueError, match=r"^\[run\] key `steps`: None has no TOML form"):
        downhill.run(dict(RUN, run={"steps": None}))
    with pytest.raises(ValueError, match=r"^\[optimizers\]\[1\] key `lr`: None"):
        downhill.compare({"problem": RUN["problem"], "optimizers": [{"name": "sgd"}, {"name": "sgd", "lr": None}]})
    with pytest.raises(TypeError, match="config"):
        downhill.run(42)
    with pytest.raises(FileNotFoundError):
        downhill.run(tmp_path / "absent.toml")


def test_results_pickle_and_read_as_attributes():
    r = downhill.run(RUN)
    back = pickle.loads(pickle.dumps(r))
    assert back.command == "run" and np.array_equal(back.x, r.x)
    assert "trajectory" in dir(r) and repr(r).startswith("<run result")


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="needs pthread_kill")
def test_ctrl_c_interrupts_a_training_within_0_2_s():
    cfg = dict(TRAIN, train={"epochs": 100_000, "batch_size": 1})
    del cfg["schedule"]
    with sigint_after() as sent:
        with pytest.raises(KeyboardInterrupt):
            downhill.train(cfg)
        waited = time.perf_counter() - sent[0]
    assert waited < 0.2, waited
