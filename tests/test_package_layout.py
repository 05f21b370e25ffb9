"""The package's shape: no import cycles, small files, parameters checked and documented."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest
from skorch import NeuralNet

import sklearn_rnn
from sklearn_rnn import RNNClassifier, RNNLanguageModel, RNNRegressor, RNNSeq2Seq, RNNTagger

PACKAGE = Path(sklearn_rnn.__file__).parent
ESTIMATORS = [RNNClassifier, RNNRegressor, RNNTagger, RNNSeq2Seq, RNNLanguageModel]


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _top_level_imports(path: Path) -> set[str]:
    """The sklearn_rnn modules a file imports when it is imported (not inside functions)."""
    tree = ast.parse(path.read_text())
    found = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith("sklearn_rnn"):
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("sklearn_rnn"))
    return found


def test_no_import_cycles():
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {
        name: {m for m in _top_level_imports(path) if m in modules and m != name}
        for name, path in modules.items()
    }
    # A package's __init__ re-exporting its own submodules is no cycle.
    graph["sklearn_rnn"] = set()
    for name in graph:
        graph[name] = {m for m in graph[name] if not (name.startswith(m + ".") and m != name)}

    def visit(name, stack):
        if name in stack:
            cycle = stack[stack.index(name) :] + [name]
            pytest.fail("import cycle: " + " -> ".join(cycle))
        for child in graph[name]:
            visit(child, stack + [name])

    for name in graph:
        visit(name, [])


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: e.__name__)
def test_every_constructor_argument_has_a_check(estimator):
    names = [
        name
        for name, p in inspect.signature(estimator.__init__).parameters.items()
        if name != "self" and p.kind is not p.VAR_KEYWORD
    ]
    assert [name for name in names if name not in estimator._constraints()] == []


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: e.__name__)
def test_documented_defaults_equal_the_signature(estimator):
    documented = dict(re.findall(r"^    (\w+) : .*default=(.+)$", estimator.__doc__, re.M))
    signature = inspect.signature(estimator.__init__).parameters
    params = [n for n, p in signature.items() if n != "self" and p.kind is not p.VAR_KEYWORD]
    assert sorted(documented) == sorted(params)
    for name in params:
        default = signature[name].default
        expected = f'"{default}"' if isinstance(default, str) else repr(default)
        if inspect.isclass(default):
            expected = f"torch.optim.{default.__name__}"
        assert documented[name] == expected, name


# The private skorch names the estimators override or rely on; a skorch release that
# renames one would silently change training, so this fails first.
SKORCH_INTERNALS = {
    "_step_optimizer": ["self", "step_fn"],
    "_set_training": ["self", "training"],
    "_get_param_names": ["self"],
    "_default_callbacks": None,
    "_modules": None,
    "_criteria": None,
    "_optimizers": None,
}


@pytest.mark.parametrize("name", sorted(SKORCH_INTERNALS))
def test_skorch_internals_the_library_overrides_still_exist(name):
    assert hasattr(NeuralNet, name)
    expected = SKORCH_INTERNALS[name]
    if expected is not None:
        assert list(inspect.signature(getattr(NeuralNet, name)).parameters) == expected
