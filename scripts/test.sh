#!/usr/bin/env bash
# Install the project with everything its tests need, then run the test suite: by default
# every test but those marked slow (pyproject.toml); `bash scripts/test.sh -m slow` runs those.
# README's test command and CI's first step (.ci/run); arguments are passed on to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

# torch pinned first, so the tests run on the version they were measured with. Which build
# that is depends on where pip looks: the CPU wheel where pip is pointed at one (PyTorch's
# CPU index, or a local wheel folder as on this project's CI machines), the CUDA build from
# pypi.org on Linux (several GB).
python -m pip install --quiet torch==2.13.0
# The dev extra holds the test tools and seqeval, the reference the metric tests compare with.
python -m pip install --quiet -e ".[dev]"

# Two workers (pytest-xdist, in the dev extra): the suite's small fits run side by side on
# CI's two cores; -n 0 as an argument runs it serially.
python -m pytest -n 2 "$@"
