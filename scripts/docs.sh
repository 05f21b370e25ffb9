#!/usr/bin/env bash
# Build the documentation as CI does: install the docs extra, then Sphinx with warnings as
# errors (a broken docstring fails), running the gallery's short examples. Offline is fine:
# inventories of other projects that cannot be fetched are skipped (docs/conf.py).
# Arguments are passed on to sphinx-build (e.g. -D plot_gallery=0 to skip the examples).
set -euo pipefail
cd "$(dirname "$0")/.."

python -m pip install --quiet -e ".[docs]"
# One torch thread: the gallery's networks are tiny, and other jobs may share the cores.
OMP_NUM_THREADS=1 MPLBACKEND=Agg python -m sphinx -W --keep-going -b html "$@" docs docs/_build/html
echo "docs: open docs/_build/html/index.html"
