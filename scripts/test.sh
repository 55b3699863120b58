#!/usr/bin/env bash
# Set up (if needed) and run every test: unit tests, property tests, and all notebooks under nbval,
# in quick mode (small graphs, few steps). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The JupyterLab browser test drives Debian's Chromium (no browser download). Install it where we can;
# elsewhere tests/test_browser.py skips with a hint (and fails under CI, where it must run).
if [ ! -x "${GEOMEM_CHROMIUM:-/usr/bin/chromium}" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing Debian's chromium for the browser test"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
        || echo "== could not install chromium: the browser test will skip (or fail under CI) and say why" >&2
fi
# The static site typesets formulas offline with Debian's MathJax 2 (scripts/build_site.py bundles it).
if [ ! -e "${GEOMEM_MATHJAX:-/usr/share/javascript/mathjax}/MathJax.js" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing Debian's libjs-mathjax for the offline site"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libjs-mathjax >/dev/null; } \
        || echo "== could not install libjs-mathjax: the site tests will fail and say why" >&2
fi
export GEOMEM_QUICK=1 MPLBACKEND=Agg
exec .venv/bin/python -m pytest "$@"
