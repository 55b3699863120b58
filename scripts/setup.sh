#!/usr/bin/env bash
# Set up geomem in ./.venv with the pinned versions the notebooks were executed with.
# Idempotent: a second run only checks that everything is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "geomem needs Python >= 3.11 (found: $("$PY" --version 2>&1)). Set PYTHON=/path/to/python3.11+." >&2
    exit 1
fi
if [ ! -x .venv/bin/python ]; then
    echo "== creating .venv with $("$PY" --version)"
    "$PY" -m venv .venv
fi
echo "== installing geomem and its pinned dependencies (requirements/constraints.txt)"
# torch is pinned to 2.13.0; on Linux without a GPU add --extra-index-url for the CPU wheels (see README).
.venv/bin/python -m pip install --quiet --disable-pip-version-check \
    -c requirements/constraints.txt -e ".[notebooks,test,browser]" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
# JupyterLab from .venv asks no "get notified about Jupyter news?" question and checks for no updates: the
# collection's defaults for its own JupyterLab (a user's own settings still win).
mkdir -p .venv/share/jupyter/lab/settings
cat > .venv/share/jupyter/lab/settings/overrides.json <<'JSON'
{"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}}
JSON
.venv/bin/python -c "import torch, geomem_utils; print('== ready: geomem_utils', geomem_utils.__version__, '| torch', torch.__version__)"
