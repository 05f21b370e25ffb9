#!/usr/bin/env bash
# Install the project with everything its tests need, then run the full test suite.
# README's test command and what CI (.ci/run) runs; arguments are passed on to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

# The small CPU build of torch first; an unpinned torch would pull a multi-GB CUDA build.
python -m pip install --quiet torch==2.13.0
# The dev extra holds the test tools and seqeval, the reference the metric tests compare with.
python -m pip install --quiet -e ".[dev]"

python -m pytest "$@"
