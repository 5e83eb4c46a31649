"""``downhill.tour()`` writes the tour; ``downhill.lab()`` starts the web lab in a background
thread (both are the CLI's: ``downhill tour``, ``downhill lab``). They need the binding's cargo
feature ``apps``, off in the default wheel (it would take the wheel past 5 MB)."""

import os

from . import _core

__all__ = ["lab", "tour"]

_LABS = []


def _need(name):
    if not hasattr(_core, name):
        raise RuntimeError(f"downhill.{name}: this build of the package has no `apps` feature (it "
                           "links the CLI and the lab; the default wheel leaves it out): install with "
                           '`MATURIN_PEP517_ARGS="--features apps" pip install .`')


# The languages of the tour's page (``downhill tour --lang``).
_TOUR_LANGUAGES = ("en", "zh")


def tour(out="downhill-tour", lang="en"):
    """Runs every experiment of the five seed articles and writes ``OUT/index.html`` (one section
    per seed, each experiment's figure, numbers and a sentence), ``OUT/tour.json`` (every number,
    with the seed's expected value and a verdict) and ``OUT/figures/``, as ``downhill tour --out
    OUT --lang LANG`` does (its summary goes to the process's stdout). ``lang`` is the page's
    language: ``"en"`` (English) or ``"zh"`` (简体中文). Returns the path of ``index.html``;
    raises ``ValueError`` for another ``lang`` and ``RuntimeError`` when an experiment disagrees
    with its seed."""
    if lang not in _TOUR_LANGUAGES:
        raise ValueError(f"lang: {lang!r} is not a language of the tour; use one of {_TOUR_LANGUAGES}")
    _need("tour")
    out = os.fspath(out)
    code = _core.tour(out, lang)
    index = os.path.join(out, "index.html")
    if code != 0:
        raise RuntimeError(f"the tour found experiments that disagree with their seed: see {index}")
    return index


def _in_jupyter():
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    ip = get_ipython()
    return ip is not None and hasattr(ip, "kernel")


def lab(port=0, host="127.0.0.1", *, display=None, height=800):
    """Starts the lab (``downhill lab``) on ``host:port`` (port 0: a free one) in a background
    thread and returns its URL. In Jupyter (or with ``display=True``) it also shows the lab in an
    IFrame of ``height`` pixels. The server lives until ``downhill.lab_stop()`` or the end of the
    process."""
    _need("lab")
    server = _core.lab(host, int(port))
    _LABS.append(server)
    if display is None:
        display = _in_jupyter()
    if display:
        from IPython.display import IFrame, display as show

        show(IFrame(server.url, width="100%", height=int(height)))
    return server.url


def lab_stop(url=None):
    """Stops the lab serving at ``url`` (default: every lab this process started)."""
    for server in list(_LABS):
        if url is None or server.url == url:
            server.stop()
            _LABS.remove(server)
