"""Sphinx configuration of the sklearn_rnn documentation.

Build with ``make -C docs html`` (warnings are errors); see ``scripts/docs.sh``.
"""

from __future__ import annotations

import inspect
import os
import sys
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # api_reference.py

import api_reference  # noqa: E402
import torch  # noqa: E402

import sklearn_rnn  # noqa: E402

# The gallery trains small networks in this process: one thread is as fast for them, and
# stays fast on a busy machine, where two threads fight for the cores.
torch.set_num_threads(1)

project = "sklearn_rnn"
author = "The sklearn_rnn developers"
copyright = "2026, The sklearn_rnn developers"  # noqa: A001
version = release = sklearn_rnn.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_design",
    "myst_parser",  # CHANGELOG.md, included by changelog.rst
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "**.ipynb_checkpoints", "*.md"]
source_suffix = {".rst": "restructuredtext"}
root_doc = "index"
default_role = "literal"  # `x` in a page is code, not a guessed cross-reference

# -- API reference ---------------------------------------------------------------------
# The reference page lists every public name of the installed package (api_reference.py);
# autosummary writes one page per name from its docstring.
api_reference.write_api_page(HERE / "api.rst")
autosummary_generate = True
autosummary_imported_members = True
autodoc_default_options = {"member-order": "groupwise"}
autodoc_typehints = "none"  # numpydoc's Parameters sections say the types

numpydoc_show_class_members = False  # the entry template lists the members
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = True
numpydoc_xref_ignore = {
    "of", "or", "and", "shape", "default", "optional", "like", "in", "any", "int,",
    "n_samples", "n_classes", "n_features", "n_outputs", "n", "T", "F", "k", "B", "H",
}  # fmt: skip
# numpydoc's own aliases for these are :ref:/:term: links, which warn when the Python or
# NumPy inventory is missing (offline); class links are left as plain text instead.
numpydoc_xref_aliases = {
    **{name: name for name in ("int", "float", "str", "list", "tuple", "dict", "None")},
    **{name: name for name in ("True", "False", "callable", "bool")},
    "string": "str",
    "boolean": "bool",
    "iterable": "collections.abc.Iterable",
    "sequence": "collections.abc.Sequence",
    "generator": "collections.abc.Generator",
    "array-like": "numpy.typing.ArrayLike",
    "array_like": "numpy.typing.ArrayLike",
    "scalar": "numbers.Number",
    "ndarray": "numpy.ndarray",
    "DataFrame": "pandas.DataFrame",
    "Series": "pandas.Series",
    "Tensor": "torch.Tensor",
    "Module": "torch.nn.Module",
    "Axes": "matplotlib.axes.Axes",
    "RandomState": "numpy.random.RandomState",
    "estimator": "sklearn.base.BaseEstimator",
}

# An estimator's page documents the methods a user calls. The skorch extension points it
# overrides (get_loss, get_iterator, initialize_*, ...) are documented by skorch.
USER_API = {"fit", "partial_fit", "predict", "predict_proba", "get_params", "set_params"}


def _skip_skorch_extension_points(app, what, name, obj, skip, options):
    from skorch import NeuralNet
    from skorch.callbacks import Callback

    skorch_names = {*dir(NeuralNet), *inspect.signature(NeuralNet.__init__).parameters}
    if what != "class" or name in USER_API or name not in skorch_names:
        return None
    # The class defining the member: callbacks and networks share hook names with
    # NeuralNet (on_epoch_end, forward) and keep them.
    owner = getattr(obj, "__qualname__", "").rpartition(".")[0]
    cls = getattr(sys.modules.get(getattr(obj, "__module__", None) or ""), owner, None)
    if isinstance(cls, type) and issubclass(cls, (Callback, torch.nn.Module)):
        return None
    return True


def setup(app):
    app.connect("autodoc-skip-member", _skip_skorch_extension_points)


# -- Cross-links to other projects ------------------------------------------------------
# Their inventories are downloaded once into _build/intersphinx and read from there. Where
# one cannot be fetched (offline CI), its links are left out, silently: Sphinx's own
# fetch failure is a warning that no setting suppresses, and warnings fail the build.
INVENTORIES = {
    "python": "https://docs.python.org/3",
    "numpy": "https://numpy.org/doc/stable",
    "pandas": "https://pandas.pydata.org/docs",
    "sklearn": "https://scikit-learn.org/stable",
    "skorch": "https://skorch.readthedocs.io/en/stable",
    "torch": "https://docs.pytorch.org/docs/stable",
    "matplotlib": "https://matplotlib.org/stable",
}
OFFLINE = os.environ.get("SKLEARN_RNN_DOCS_OFFLINE", "") not in ("", "0")


def _local_inventories() -> dict[str, tuple[str, str]]:
    cache = HERE / "_build" / "intersphinx"
    cache.mkdir(parents=True, exist_ok=True)
    mapping, missing = {}, []
    for name, url in INVENTORIES.items():
        local = cache / f"{name}.inv"
        if not local.is_file() and not OFFLINE:
            try:
                with urllib.request.urlopen(f"{url}/objects.inv", timeout=5) as response:
                    local.write_bytes(response.read())
            except OSError:
                pass
        if local.is_file():
            mapping[name] = (url, str(local))
        else:
            missing.append(name)
    if missing:
        print(f"intersphinx: no inventory for {', '.join(missing)}; their links are left out")
    return mapping


intersphinx_mapping = _local_inventories()

# -- Gallery ----------------------------------------------------------------------------
# examples/plot_*.py run at every build (small data, seconds each) and show their output
# and figures; the scripts on public datasets need downloads and minutes of training, so
# they are shown with the results of a full run written in their text, not executed.
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py",
    "within_subsection_order": "gallery_order.RunFirst",
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_memory": False,
    "doc_module": ("sklearn_rnn",),
    "backreferences_dir": "generated/backreferences",
    "matplotlib_animations": False,
    "min_reported_time": 1,
}

# -- HTML -------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sklearn_rnn {release}"
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {"index": [], "changelog": []}
html_static_path = ["_static"]
html_css_files = ["custom.css"]  # long API names wrap in the right sidebar
html_show_sourcelink = False
