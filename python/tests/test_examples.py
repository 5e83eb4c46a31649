"""The example scripts under examples/python/ run and check their seed's claims."""

import subprocess
import sys

import pytest

from conftest import ROOT

SCRIPTS = sorted((ROOT / "examples" / "python").glob("*.py"))


def test_there_are_three_seed_scripts():
    assert len(SCRIPTS) >= 3


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_example_script_runs(script):
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.strip()


def test_the_notebook_runs():
    """Every code cell of examples/python/tour.ipynb, in order, in one namespace."""
    import json

    nb = json.loads((ROOT / "examples" / "python" / "tour.ipynb").read_text())
    ns = {}
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            exec(compile("".join(cell["source"]), "tour.ipynb", "exec"), ns)
