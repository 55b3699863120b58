#!/usr/bin/env bash
# Set up (if needed) and run every test: unit tests, property tests, and all notebooks under nbval,
# in quick mode (small graphs, few steps). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export GEOMEM_QUICK=1 MPLBACKEND=Agg
exec .venv/bin/python -m pytest "$@"
