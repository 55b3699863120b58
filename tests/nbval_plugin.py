"""nbval settings for the notebooks (loaded with -p nbval_plugin from pyproject): compare printed text only (figures, HTML and widget views vary)."""


def pytest_collectstart(collector):
    if collector.fspath and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("text/html", "application/javascript", "stderr",
                                   "application/vnd.jupyter.widget-view+json", "image/svg+xml")
