"""``downhill.lab()`` and ``downhill.tour()``."""

import json
import os
import urllib.request

import pytest

import downhill
from downhill import _core

apps = pytest.mark.skipif(not hasattr(_core, "lab"), reason="built without the `apps` feature (tour and lab)")


@apps
def test_lab_serves_the_catalog_and_stops():
    url = downhill.lab(port=0, display=False)
    assert url.startswith("http://127.0.0.1:") and not url.endswith(":0")
    with urllib.request.urlopen(url + "/api/catalog", timeout=10) as r:
        cat = json.loads(r.read())
    assert any(f["name"] == "rosenbrock" for f in cat["functions"])
    body = json.dumps({"problem": {"function": "sphere", "x0": [1.0, 2.0]},
                       "optimizer": {"name": "sgd", "lr": 0.25}, "run": {"steps": 2}}).encode()
    req = urllib.request.Request(url + "/api/run", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        assert json.loads(r.read())["x"] == downhill.run(json.loads(body)).x.tolist()
    downhill.lab_stop(url)
    with pytest.raises(OSError):
        urllib.request.urlopen(url + "/api/catalog", timeout=2)


@apps
def test_lab_on_a_bad_host_names_it():
    with pytest.raises(OSError, match="not an IP address"):
        downhill.lab(host="no such host", display=False)


@apps
def test_tour_into_an_unwritable_place_is_an_os_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(OSError, match="cannot create"):
        downhill.tour(blocker / "tour")


@apps
@pytest.mark.skipif(not os.environ.get("DOWNHILL_TOUR_TEST"),
                    reason="the whole tour takes minutes in a debug build; set DOWNHILL_TOUR_TEST=1")
def test_tour_writes_the_report(tmp_path):
    index = downhill.tour(tmp_path / "t")
    assert index.endswith("index.html") and os.path.exists(index)
    assert json.loads((tmp_path / "t" / "tour.json").read_text())["all_ok"]


@apps
@pytest.mark.skipif(not os.environ.get("DOWNHILL_TOUR_TEST"),
                    reason="the whole tour takes minutes in a debug build; set DOWNHILL_TOUR_TEST=1")
def test_tour_in_chinese(tmp_path):
    index = downhill.tour(tmp_path / "t", lang="zh")
    page = open(index, encoding="utf-8").read()
    assert '<html lang="zh-Hans">' in page


def test_tour_passes_its_language_to_the_cli(monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(_core, "tour", lambda out, lang: calls.append((out, lang)) or 0, raising=False)
    downhill.tour(tmp_path / "a")
    downhill.tour(tmp_path / "b", lang="zh")
    assert calls == [(os.fspath(tmp_path / "a"), "en"), (os.fspath(tmp_path / "b"), "zh")]
    with pytest.raises(ValueError, match="'fr' is not a language of the tour"):
        downhill.tour(tmp_path / "c", lang="fr")
    assert len(calls) == 2


def test_without_the_feature_the_functions_say_so(monkeypatch, tmp_path):
    for name in ("lab", "tour"):
        monkeypatch.delattr(_core, name, raising=False)
    with pytest.raises(RuntimeError, match="apps"):
        downhill.lab(display=False)
    with pytest.raises(RuntimeError, match="apps"):
        downhill.tour(tmp_path / "t")
