"""The package's shape: imports point one way, one path per public name, parameters checked."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import re
import subprocess
import sys
from dataclasses import dataclass
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


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


@dataclass(frozen=True)
class Import:
    """One import statement's target, where it is written and whether it runs on import."""

    source: str  # the importing module
    target: str  # a module name, inside the package or not
    function: str | None  # the enclosing function, None at module level
    line: int


def _imports(module: str) -> list[Import]:
    """Every import a module runs, at module level and inside functions."""
    tree = ast.parse(MODULES[module].read_text())
    found = []

    def visit(node, function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, function or child.name)
                continue
            if isinstance(child, ast.If) and ast.unparse(child.test).endswith("TYPE_CHECKING"):
                continue  # for type checkers only: never runs
            targets = []
            if isinstance(child, ast.Import):
                targets = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom):
                assert child.level == 0, f"{module}:{child.lineno}: relative import"
                # ``from a.b import c`` imports a.b, and a.b.c when c is a module.
                targets = [child.module]
                targets += [f"{child.module}.{a.name}" for a in child.names]
                targets = [t for t in targets if t == child.module or t in MODULES]
            for target in targets:
                found.append(Import(module, target, function, child.lineno))
            visit(child, function)

    visit(tree, None)
    return found


def _runs(target: str, source: str) -> list[str]:
    """The package modules that importing ``target`` from ``source`` runs.

    Importing ``a.b.c`` runs ``a/__init__`` and ``a/b/__init__`` first; a module inside a
    package does not count its own enclosing packages (they are already being imported).
    """
    parts = target.split(".")
    names = [".".join(parts[: i + 1]) for i in range(len(parts))]
    return [n for n in names if n in MODULES and n != source and not source.startswith(n + ".")]


IMPORTS = {module: _imports(module) for module in MODULES}


def _edges(keep=lambda imp: True) -> dict[str, set[str]]:
    return {
        module: {t for imp in IMPORTS[module] if keep(imp) for t in _runs(imp.target, module)}
        for module in MODULES
    }


def _reachable(start: str, edges: dict[str, set[str]]) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(edges[name])
    return seen


def _external(modules: set[str], keep=lambda imp: True) -> set[str]:
    """The top-level names of the outside packages that ``modules`` import."""
    return {
        imp.target.split(".")[0]
        for m in modules
        for imp in IMPORTS[m]
        if keep(imp) and not imp.target.startswith("sklearn_rnn")
    }


def _inside(module: str, *packages: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


# -- torch-free parts ------------------------------------------------------------------

TORCH_FREE = ["sklearn_rnn.encoding", "sklearn_rnn.serving"] + (
    ["sklearn_rnn._targets"] if "sklearn_rnn._targets" in MODULES else []
)
# The one way from a torch-free module into torch: ``export_onnx`` reads the torch network,
# so serving imports its exporter inside that function, when a user exports.
TORCH_ENTRY = {("sklearn_rnn.serving", "export_onnx"): "export reads the torch network"}


def _torch_free_edge(imp: Import) -> bool:
    return (imp.source, imp.function) not in TORCH_ENTRY


def _torch_free_closure() -> set[str]:
    """What importing the torch-free packages (and calling them, but not export) runs."""
    edges = _edges(_torch_free_edge)
    return set().union(*(_reachable(root, edges) for root in TORCH_FREE))


# Modules of the torch-free folders that only ``export_onnx`` reaches (the exporter and the
# graph builder it uses): they are allowed torch.
EXPORT_ONLY = {
    "sklearn_rnn.serving._export",
    "sklearn_rnn.serving._export_generative",
    "sklearn_rnn.serving._graph",
    "sklearn_rnn.serving._language_model_graph",
    "sklearn_rnn.serving._seq2seq_graph",
}


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _inside(m, *TORCH_FREE)), ids=str)
def test_torch_free_modules_import_no_torch_statically(module):
    if module in EXPORT_ONLY:
        assert module not in _torch_free_closure()
        return
    reached = _reachable(module, _edges(_torch_free_edge))
    assert (
        sorted(m for m in reached if _external({m}, _torch_free_edge) & {"torch", "skorch"}) == []
    )


def test_torch_entries_exist():
    written = {(imp.source, imp.function) for m in MODULES for imp in IMPORTS[m]}
    assert set(TORCH_ENTRY) <= written


_WITHOUT_TORCH = """
import importlib.abc
import sys


class Blocked(importlib.abc.MetaPathFinder):
    # Not sys.modules["torch"] = None: scipy probes sys.modules["torch"] for tensors.
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("torch", "skorch"):
            raise ImportError(f"{name} is blocked")


sys.meta_path.insert(0, Blocked())
import numpy as np
from sklearn_rnn.encoding import ArrayEncoder, Vocabulary, word_shape, word_tokenize
from sklearn_rnn.serving import ONNXPredictor

encoded = ArrayEncoder().fit_encode(["a good film", "a bad one"])
assert encoded.lengths.tolist() == [3, 3], encoded.lengths
steps = ArrayEncoder().fit_encode([np.ones((4, 2)), np.zeros((2, 2))])
assert steps.values.shape == (6, 2), steps.values.shape
assert Vocabulary(["a", "b"]).encode(["b", "c"]).tolist() == [3, 1]
assert word_tokenize("Hi there!") == ["Hi", "there", "!"]
assert word_shape("Abc12") == "Xxxdd"
served = ONNXPredictor(sys.argv[1])
print(served.predict(["a good film", "unseen words"]).tolist())
assert not [m for m in sys.modules if m.split(".")[0] in ("torch", "skorch")]
"""


def test_encoding_and_serving_work_with_torch_blocked(tmp_path):
    pytest.importorskip("onnx")
    clf = RNNClassifier(hidden_size=4, max_epochs=1, random_state=0)
    clf.fit(["a good film", "a bad one", "good", "bad"], [1, 0, 1, 0])
    clf.export_onnx(tmp_path / "model.onnx")
    result = subprocess.run(
        [sys.executable, "-c", _WITHOUT_TORCH, str(tmp_path / "model.onnx")],
        capture_output=True,
        text=True,
        cwd=PACKAGE.parent,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == str(clf.predict(["a good film", "unseen words"]).tolist())


# -- networks and estimators -----------------------------------------------------------

ESTIMATOR_MODULES = [
    "sklearn_rnn._base",
    "sklearn_rnn.classifier",
    "sklearn_rnn.regressor",
    "sklearn_rnn.tagger",
    "sklearn_rnn.seq2seq",
    "sklearn_rnn.language_model",
    "sklearn_rnn.persistence",
    "sklearn_rnn.serving",
]


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _inside(m, "sklearn_rnn.nn")))
def test_networks_import_no_estimator(module):
    reached = _reachable(module, _edges())
    assert sorted(m for m in reached if _inside(m, *ESTIMATOR_MODULES)) == []


# The estimators' documented calls into persistence and serving, (module, function): each
# imports inside the function, and is the only import edge allowed to close a cycle.
# The value: whether it closes one today, and why the import is lazy.
LAZY_CALLS = {
    ("sklearn_rnn._base._training", "save"): (
        True,
        "persistence imports every estimator, to rebuild the one a file names",
    ),
    ("sklearn_rnn._base._training", "export_onnx"): (
        True,
        "the exporter needs the optional onnx extra, and reads the networks of the estimators",
    ),
}


def test_estimators_reach_persistence_and_serving_only_through_their_lazy_calls():
    found = {
        (imp.source, imp.function, imp.target)
        for module in MODULES
        if not _inside(module, "sklearn_rnn.persistence", "sklearn_rnn.serving")
        for imp in IMPORTS[module]
        if _inside(imp.target, "sklearn_rnn.persistence", "sklearn_rnn.serving")
    }
    assert sorted(f for f in found if (f[0], f[1]) not in LAZY_CALLS) == []
    assert {(source, function) for source, function, _ in found} == set(LAZY_CALLS)


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    done: set[str] = set()

    def visit(name, stack):
        if name in stack:
            return stack[stack.index(name) :] + [name]
        if name in done:
            return None
        for child in sorted(edges[name]):
            if found := visit(child, stack + [name]):
                return found
        done.add(name)
        return None

    for name in sorted(edges):
        if found := visit(name, []):
            return found
    return None


def test_no_import_cycles_counting_imports_inside_functions():
    edges = _edges(lambda imp: (imp.source, imp.function) not in LAZY_CALLS)
    assert _cycle(edges) is None


def test_lazy_calls_close_the_cycles_they_say():
    # The allow-list stays exact: an entry whose import is gone or no longer closes a
    # cycle (or newly does) fails here.
    edges = _edges()
    for (source, function), (closes, _) in LAZY_CALLS.items():
        targets = {
            t
            for imp in IMPORTS[source]
            if imp.function == function
            for t in _runs(imp.target, source)
        }
        assert targets, (source, function)
        assert any(source in _reachable(t, edges) for t in targets) == closes, (source, function)


def test_top_level_holds_at_most_25_entries():
    entries = [p.name for p in PACKAGE.iterdir() if p.name != "__pycache__"]
    assert len(entries) <= 25, sorted(entries)


def test_one_import_path_per_public_name():
    api_reference = _api_reference()
    exported: dict[int, list[str]] = {}
    for module_name in api_reference.public_modules():
        module = importlib.import_module(module_name)
        for name in api_reference._public_names(module):
            value = getattr(module, name)
            if inspect.isclass(value) or inspect.isfunction(value):
                exported.setdefault(id(value), []).append(f"{module_name}.{name}")
    # The top-level package re-exports a few names of its subpackages: that one re-export
    # is the documented path, so a name may appear under sklearn_rnn and one subpackage.
    twice = [
        paths
        for paths in exported.values()
        if len([p for p in paths if p.rsplit(".", 1)[0] != "sklearn_rnn"]) > 1
    ]
    assert twice == []


def _api_reference():
    spec = importlib.util.spec_from_file_location(
        "api_reference", PACKAGE.parent / "docs" / "api_reference.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
