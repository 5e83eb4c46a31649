"""The package itself: version, catalogue-derived names, stubs, threads, fork."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import downhill
from downhill import _core, _stubgen

from conftest import ROOT


def test_version():
    assert downhill.__version__ == _core.__version__
    assert downhill.__version__.count(".") == 2


def test_committed_stubs_match_the_generator():
    for path, text in _stubgen.render().items():
        committed = (ROOT / "python" / "downhill" / path).read_text()
        assert committed == text, f"python/downhill/{path} is stale: run `python -m downhill._stubgen`"


def test_stubs_name_every_class():
    text = _stubgen.render()["optim.pyi"]
    for e in downhill.optim.CATALOG:
        if e["kind"] == "first_order":
            assert f"class {downhill.optim.class_name(e)}(Optimizer)" in text


def test_set_num_threads_same_bits():
    out = []
    for n in (1, 2):
        downhill.set_num_threads(n)
        assert downhill.get_num_threads() == n
        r = downhill.minimize("rosenbrock", [-1.2, 1.0], method="adam", lr=0.01, steps=2000)
        x = np.linspace(-1, 1, 300_000)
        downhill.optim.Adam(lr=0.01).step(x, np.sin(x))
        out.append((r.x.tobytes(), r.f_history.tobytes(), x.tobytes()))
    assert out[0] == out[1]
    with pytest.raises(ValueError, match="n"):
        downhill.set_num_threads(0)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork")
def test_a_forked_child_steps_and_runs_sequentially():
    downhill.set_num_threads(2)
    x = np.linspace(-1, 1, 300_000)
    downhill.optim.Adam(lr=0.01).step(x, np.sin(x))  # the parent's pool is alive
    want = downhill.minimize("rosenbrock", [-1.2, 1.0], lr=0.01, steps=500).x
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        code = 1
        try:
            y = np.linspace(-1, 1, 300_000)
            downhill.optim.Adam(lr=0.01).step(y, np.sin(y))
            got = downhill.minimize("rosenbrock", [-1.2, 1.0], lr=0.01, steps=500).x
            ok = _core.in_forked_child() and downhill.get_num_threads() == 1 and np.array_equal(got, want)
            os.write(w, b"ok" if ok else b"bad")
            code = 0
        finally:
            os._exit(code)
    os.close(w)
    _, status = os.waitpid(pid, 0)
    assert os.read(r, 8) == b"ok" and status == 0
    assert not _core.in_forked_child()


def test_import_in_a_fresh_interpreter_prints_the_version():
    out = subprocess.run([sys.executable, "-c", "import downhill; print(downhill.__version__)"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == downhill.__version__
