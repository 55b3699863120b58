#!/usr/bin/env bash
# Set up (if needed) and open the collection in JupyterLab (default mode: the full-size experiments).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/jupyter lab --LabApp.news_url= --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
    notebooks/00_welcome.ipynb "$@"
