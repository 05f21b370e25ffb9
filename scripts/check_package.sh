#!/usr/bin/env bash
# Build the sdist and the wheel and check their metadata as a package index would
# (twine check --strict: the long description must render). What CI runs after the docs.
set -euo pipefail
cd "$(dirname "$0")/.."

python -m pip install --quiet build twine
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
# A setuptools warning (such as the deprecated license table) fails the check.
python -m build --outdir "$out/dist" . > "$out/build.log" 2>&1 \
    || { cat "$out/build.log"; exit 1; }
# (byte-compiling is off where PYTHONDONTWRITEBYTECODE is set: not a problem of the package)
if grep -E -i "warning|deprecat" "$out/build.log" | grep -v "byte-compiling is disabled"; then
    echo "check_package: python -m build printed warnings (above)"; exit 1
fi
python -m twine check --strict "$out"/dist/*
