"""nbval settings for the notebooks (loaded with -p nbval_plugin from pyproject): compare printed text only (figures, HTML and widget views vary)."""


def pytest_collectstart(collector):
    if collector.fspath and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("text/html", "application/javascript", "stderr",
                                   "application/vnd.jupyter.widget-view+json", "image/svg+xml")


# Minutes per notebook for the README's course guide: with GEOMEM_TIMINGS=path, the summed duration of
# every notebook's cells (setup, call and teardown) is written there as JSON at the end of the session.
_SECONDS: dict = {}


def pytest_runtest_logreport(report):
    import os
    if os.environ.get("GEOMEM_TIMINGS") and ".ipynb" in report.nodeid:
        name = report.nodeid.split("::")[0]
        _SECONDS[name] = _SECONDS.get(name, 0.0) + report.duration


def pytest_sessionfinish(session):
    import json
    import os
    path = os.environ.get("GEOMEM_TIMINGS")
    if path and _SECONDS:
        with open(path, "w") as f:
            json.dump({k: round(v / 60, 2) for k, v in sorted(_SECONDS.items())}, f, indent=1)
