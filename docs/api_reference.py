"""The API reference, generated from the package: every public name gets a page.

``conf.py`` calls :func:`write_api_page` before Sphinx reads the sources, so a name added
to ``sklearn_rnn.__all__`` or to a public module (one whose name has no leading
underscore) appears in the reference without editing any page. A module's public names
are its ``__all__`` when it has one, else the classes and functions it defines whose
names have no leading underscore. A name re-exported from the top-level package is
documented once, under ``sklearn_rnn``.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

PACKAGE = "sklearn_rnn"

#: A line under a module's docstring on the reference page (the docstring itself is shown).
SUMMARIES = {
    PACKAGE: "The estimators and the functions most programs need, in one import.",
}


def public_modules() -> list[str]:
    """``sklearn_rnn`` and its public submodules and subpackages, in name order."""
    package = importlib.import_module(PACKAGE)
    names = [
        f"{PACKAGE}.{info.name}"
        for info in pkgutil.iter_modules(package.__path__)
        if not info.name.startswith("_")
    ]
    return [PACKAGE, *sorted(names)]


def _public_names(module) -> list[str]:
    if hasattr(module, "__all__"):
        return [name for name in module.__all__ if not name.startswith("_")]
    return sorted(
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and (inspect.isclass(value) or inspect.isfunction(value))
        and getattr(value, "__module__", None) == module.__name__
    )


def public_api() -> list[tuple[str, list[str]]]:
    """``(module, names)`` for every public module with something left to document.

    A name's object is documented under the first module that exports it, so a class
    re-exported by the top-level package (or by a subpackage's ``__init__``) gets one page.
    """
    seen: set[int] = set()
    sections = []
    for module_name in public_modules():
        module = importlib.import_module(module_name)
        names = []
        for name in _public_names(module):
            value = getattr(module, name)
            # Strings and numbers are not unique objects; only classes/functions dedupe.
            key = id(value) if inspect.isclass(value) or callable(value) else None
            if key is not None and key in seen:
                continue
            if key is not None:
                seen.add(key)
            names.append(name)
        if names:
            sections.append((module_name, names))
    return sections


def api_page() -> str:
    """The reStructuredText of the API reference page."""
    lines = [
        ".. This page is written by docs/api_reference.py at every build: do not edit.",
        "",
        ".. _api:",
        "",
        "=============",
        "API reference",
        "=============",
        "",
        "Every public name of the package, one page each, generated from its docstring.",
        "",
    ]
    for module_name, names in public_api():
        title = f":mod:`{module_name}`"
        lines += [
            title,
            "=" * len(title),
            "",
            f".. automodule:: {module_name}",
            "   :no-members:",
            "   :no-index:",
            "",
            SUMMARIES.get(module_name, ""),
            "",
            f".. currentmodule:: {module_name}",
            "",
            ".. autosummary::",
            "   :toctree: generated/",
            "   :template: autosummary/entry.rst",
            "",
            *(f"   {name}" for name in names),
            "",
        ]
    return "\n".join(lines)


def write_api_page(path: str | Path) -> bool:
    """Write the page to ``path`` when its text changed; return whether it was written."""
    path = Path(path)
    text = api_page()
    if path.is_file() and path.read_text() == text:
        return False  # an unchanged file keeps Sphinx's incremental build valid
    path.write_text(text)
    return True
