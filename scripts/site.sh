#!/usr/bin/env bash
# Set up (if needed) and build the static HTML reader in site/ (open site/index.html).
#   bash scripts/site.sh               execute every notebook in default mode, then export
#   bash scripts/site.sh --quick       execute in quick mode (~3 minutes on 2 cores)
#   bash scripts/site.sh --no-execute  export the stored outputs (seconds)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python scripts/build_site.py "$@"
