"""The documentation and the package metadata, as a reader and a package index see them.

CI builds the site itself (``scripts/docs.sh``, warnings as errors); these tests check the
parts a build does not: that every public name gets a reference page, that every example
can be rendered by the gallery, and that the metadata an index shows is complete.
"""

from __future__ import annotations

import importlib
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


@pytest.fixture(scope="module")
def api_reference():
    sys.path.insert(0, str(DOCS))
    try:
        return importlib.import_module("api_reference")
    finally:
        sys.path.remove(str(DOCS))


def _exported_objects(module_name: str) -> dict[str, object]:
    """What a user can import from a public module (``__all__``, else its own classes and
    functions), computed here independently of docs/api_reference.py."""
    module = importlib.import_module(module_name)
    if hasattr(module, "__all__"):
        names = [n for n in module.__all__ if not n.startswith("_")]
    else:
        names = [
            n
            for n, v in vars(module).items()
            if not n.startswith("_")
            and (inspect.isclass(v) or inspect.isfunction(v))
            and v.__module__ == module_name
        ]
    return {f"{module_name}.{n}": getattr(module, n) for n in names}


def test_every_public_name_has_a_reference_page(api_reference):
    import sklearn_rnn

    documented = {
        id(getattr(importlib.import_module(module), name))
        for module, names in api_reference.public_api()
        for name in names
    }
    modules = ["sklearn_rnn"] + [
        f"sklearn_rnn.{p.stem if p.is_file() else p.name}"
        for p in Path(sklearn_rnn.__file__).parent.iterdir()
        if not p.name.startswith("_") and (p.suffix == ".py" or (p / "__init__.py").is_file())
    ]
    missing = [
        path
        for module in modules
        for path, value in _exported_objects(module).items()
        if (inspect.isclass(value) or callable(value)) and id(value) not in documented
    ]
    assert missing == []
    # The estimators are documented under the top-level package, once.
    sections = dict(api_reference.public_api())
    assert {"RNNClassifier", "RNNRegressor", "RNNTagger", "load"} <= set(sections["sklearn_rnn"])
    assert "RNNClassifier" not in sections.get("sklearn_rnn.classifier", [])


def test_api_page_lists_each_name_once_under_its_module(api_reference):
    page = api_reference.api_page()
    entries = re.findall(r"^   (\w+)$", page, flags=re.MULTILINE)
    assert len(entries) == sum(len(names) for _, names in api_reference.public_api())
    assert ".. automodule:: sklearn_rnn.datasets" in page
    assert "   fetch_ucr" in page


def test_docstrings_render_without_doubled_quotes(api_reference):
    # A docstring written as "''text''" renders with the quotes: help() and the reference
    # pages show ''text''. Checked on the public names and their classes' own members.
    doubled = []
    for module, names in api_reference.public_api():
        for name in names:
            value = getattr(importlib.import_module(module), name)
            members = [(name, value)]
            if inspect.isclass(value):
                members += [(f"{name}.{attr}", m) for attr, m in vars(value).items()]
            for path, member in members:
                if isinstance(member, (property, staticmethod, classmethod)) or callable(member):
                    doc = getattr(member, "__doc__", None) or ""
                    if doc.lstrip().startswith("''") or doc.rstrip().endswith("''"):
                        doubled.append(f"{module}.{path}")
    assert doubled == []


def _project() -> dict:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


EXAMPLES = sorted((ROOT / "examples").glob("*.py"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_has_a_gallery_title(path):
    """sphinx-gallery renders a script only when its docstring starts with an RST title:
    a line, then a line of ``=`` at least as long (and the docs build fails otherwise)."""
    doc = path.read_text().split('"""')[1].strip("\n").splitlines()
    assert len(doc) >= 2 and doc[0].strip(), f"{path.name}: empty docstring"
    assert set(doc[1]) == {"="} and len(doc[1]) >= len(doc[0]), (
        f"{path.name}: put a line of '=' as long as the first line under it, e.g.\n"
        f"{doc[0]}\n{'=' * len(doc[0])}"
    )


def test_gallery_examples_need_no_download():
    """The examples the docs build runs (plot_*.py) use built-in or generated data."""
    for path in (ROOT / "examples").glob("plot_*.py"):
        text = path.read_text()
        assert "fetch_" not in text and "data_dir" not in text, path.name


def test_package_metadata():
    project = _project()
    assert project["license"] == "BSD-3-Clause"  # an SPDX expression, not the old table
    assert (ROOT / "LICENSE").read_text().startswith("BSD 3-Clause License")
    assert project["authors"] and project["classifiers"]
    # An SPDX expression and a License :: classifier together are an error for setuptools.
    assert not [c for c in project["classifiers"] if c.startswith("License ::")]
    assert {"plot", "examples", "dask", "docs", "dev"} <= set(project["optional-dependencies"])


def test_long_description_has_no_relative_links():
    """A package index shows the long description away from the repository: a relative
    link there leads nowhere."""
    text = (ROOT / _project()["readme"]).read_text()
    targets = re.findall(r"\]\(([^)]+)\)", text) + re.findall(r'href="([^"]+)"', text)
    assert [t for t in targets if not re.match(r"https?://", t)] == []


@pytest.mark.slow
def test_docs_build_without_warnings(tmp_path):
    """The pages (without running the gallery) build with warnings as errors."""
    pytest.importorskip("sphinx")
    pytest.importorskip("sphinx_gallery")
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html", "-q",
         "-D", "plot_gallery=0", "-d", str(tmp_path / "doctrees"), str(DOCS),
         str(tmp_path / "html")],
        capture_output=True, text=True,
        env={**os.environ, "SKLEARN_RNN_DOCS_OFFLINE": "1", "MPLBACKEND": "Agg"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "html" / "generated" / "sklearn_rnn.RNNClassifier.html").is_file()
