"""Shared helpers of the Python test suite: paths and the committed reference data."""

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "crates" / "downhill" / "tests" / "reference"


def optim_refs():
    """The 2-D reference runs (``optim_refs.json``, PyTorch float64)."""
    return json.loads((REFERENCE / "optim_refs.json").read_text())


# The reference files of the packages whose semantics an optimiser follows (optax; prodigyopt
# and dadaptation; schedulefree), each written by its make_*_refs.py in the same case format.
PACKAGE_REFS = ["optax_refs.json", "lrfree_refs.json", "schedulefree_refs.json"]


def package_refs():
    """The packages' reference runs (``PACKAGE_REFS``, float64): 2-D functions and
    multi-tensor problems; the schedule-free ones also carry ``eval_trajectory``."""
    return [c for name in PACKAGE_REFS
            for c in json.loads((REFERENCE / name).read_text())["cases"]]


def polyak_refs():
    """The optax.polyak_sgd reference runs (``polyak_refs.json``, float64), each step given
    the loss f(x)."""
    return json.loads((REFERENCE / "polyak_refs.json").read_text())["cases"]


def _rust_floats(text):
    return [float(v) for v in re.findall(r"-?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|inf|NaN)", text)]


def matrix_refs():
    """The multi-tensor reference runs (``optim_matrix_refs.json`` if present, else the
    generated ``optim_matrix_refs.rs``)."""
    js = REFERENCE / "optim_matrix_refs.json"
    if js.exists():
        return json.loads(js.read_text())["cases"]
    text = (REFERENCE / "optim_matrix_refs.rs").read_text()
    cases = []
    for block in re.split(r"\n    MatrixCase \{", text)[1:]:
        optimizer = re.search(r'optimizer: "([^"]+)"', block).group(1)
        params = re.search(r'params: "((?:[^"\\]|\\.)*)"', block).group(1).replace('\\"', '"')
        function = re.search(r'function: "([^"]+)"', block).group(1)
        shapes = []
        for kind, dims in re.findall(r"Tensor::(Matrix|Vector)\(([^)]*)\)", block):
            shapes.append([int(d) for d in dims.split(",")])
        traj_text = re.search(r"trajectory: &\[(.*?)\n        \],", block, re.S).group(1)
        trajectory = [_rust_floats(row) for row in re.findall(r"&\[([^\]]*)\]", traj_text)]
        ax_m = re.search(r"ax: &\[([^\]]*)\]", block)
        ax = _rust_floats(ax_m.group(1)) if ax_m else []
        cases.append(dict(optimizer=optimizer, params=json.loads(params), function=function,
                          shapes=shapes, trajectory=trajectory, ax=ax))
    return cases


def schedule_refs():
    """The PyTorch schedule sequences (``schedule_refs.json`` if present, else the generated
    ``schedule_refs.rs``)."""
    js = REFERENCE / "schedule_refs.json"
    if js.exists():
        doc = json.loads(js.read_text())
        return doc["cases"] if isinstance(doc, dict) else doc
    text = (REFERENCE / "schedule_refs.rs").read_text()
    cases = []
    for block in re.split(r"\n    Case \{", text)[1:]:
        name = re.search(r'name: "([^"]+)"', block).group(1)
        config = re.search(r'config: r#"(.*?)"#', block, re.S).group(1)
        lr = float(re.search(r"\blr: ([^,]+),", block).group(1))
        m = re.search(r"momentum: (None|Some\(([^)]+)\))", block)
        momentum = None if m.group(1) == "None" else float(m.group(2))
        want_lr = _rust_floats(re.search(r"want_lr: &\[([^\]]*)\]", block).group(1))
        want_m = _rust_floats(re.search(r"want_momentum: &\[([^\]]*)\]", block).group(1))
        cases.append(dict(name=name, config=json.loads(config), lr=lr, momentum=momentum,
                          want_lr=want_lr, want_momentum=want_m))
    return cases


def close(got, want, rtol=1e-6, atol=1e-12):
    import numpy as np

    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    assert got.shape == want.shape, (got.shape, want.shape)
    err = np.abs(got - want)
    bad = err > rtol * np.abs(want) + atol
    assert not bad.any(), f"max rel err {np.max(err / np.maximum(np.abs(want), 1e-300))}: {got[bad][:5]} vs {want[bad][:5]}"


@pytest.fixture(scope="session")
def cli():
    """The `downhill` binary (from DOWNHILL_CLI, set by the cargo test that runs this suite, or
    on PATH); tests needing it are skipped without one."""
    path = os.environ.get("DOWNHILL_CLI") or shutil.which("downhill")
    if not path:
        pytest.skip("no downhill binary (run through `cargo test`, or put it on PATH)")
    return path


def run_cli(cli, toml_text, tmp_path):
    f = tmp_path / "run.toml"
    f.write_text(toml_text)
    out = subprocess.run([cli, "run", str(f), "--json"], capture_output=True, text=True)
    assert out.returncode in (0, 3), out.stderr
    return json.loads(out.stdout)


@contextlib.contextmanager
def sigint_after(delay=0.5):
    """Sends SIGINT to the main thread (as Ctrl-C does) `delay` seconds in; yields a list that
    receives the time it was sent (``time.perf_counter()``)."""
    main = threading.main_thread().ident
    sent = []

    def interrupt():
        time.sleep(delay)
        sent.append(time.perf_counter())
        signal.pthread_kill(main, signal.SIGINT)

    t = threading.Thread(target=interrupt)
    t.start()
    try:
        yield sent
    finally:
        t.join()
