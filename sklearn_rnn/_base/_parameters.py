"""The hyperparameter table: one check per constructor argument of every estimator.

``fit`` runs :func:`check_hyperparameters` first, so a wrong value fails at once with a
``ValueError`` naming the parameter; ``tests/test_parameters.py`` checks that every
constructor argument of every estimator has a row here.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping

import numpy as np

from sklearn_rnn._base._training_budget import has_lr_scheduler
from sklearn_rnn.encoding._validation import _is_integer, _is_real


def _one_of(*options):
    def check(value):
        return value in options, f"one of {list(options)}"

    return check


def int_at_least(low: int, none_ok: bool = False):
    def check(value):
        ok = (none_ok and value is None) or (_is_integer(value) and value >= low)
        return ok, f"an int >= {low}" + (" or None" if none_ok else "")

    return check


def real_in(low: float, high: float, high_inclusive: bool, none_ok: bool = False):
    def check(value):
        if none_ok and value is None:
            return True, ""
        ok = (
            _is_real(value) and low <= value and (value <= high if high_inclusive else value < high)
        )
        bracket = "]" if high_inclusive else ")"
        return ok, f"a float in [{low}, {high}{bracket}" + (" or None" if none_ok else "")

    return check


def positive_real(none_ok: bool = False):
    def check(value):
        ok = (none_ok and value is None) or (_is_real(value) and value > 0 and np.isfinite(value))
        return ok, "a positive float" + (" or None" if none_ok else "")

    return check


def _bool():
    def check(value):
        return isinstance(value, (bool, np.bool_)), "True or False"

    return check


def _auto_or(check_other):
    """Accept ``"auto"`` or whatever ``check_other`` accepts."""

    def check(value):
        if isinstance(value, str) and value == "auto":
            return True, ""
        ok, expected = check_other(value)
        return ok, f'"auto" or {expected}'

    return check


def _wide_ngrams(value):
    """None, 1 (words) or 2 (words and word pairs); not True, not 2.0."""
    return value is None or (_is_integer(value) and value in (1, 2)), "1, 2 or None"


def _conv_blocks(value):
    """None, or a non-empty sequence of (filters, width) pairs of ints >= 1."""

    def is_block(block):
        return (
            isinstance(block, (tuple, list))
            and len(block) == 2
            and all(_is_integer(n) for n in block)
            and min(block) >= 1
        )

    ok = value is None or (
        isinstance(value, (tuple, list)) and len(value) > 0 and all(map(is_block, value))
    )
    return ok, "None or a non-empty sequence of (filters, width) pairs of ints >= 1"


def _tokenizer(value):
    return value in ("word", "char", "whitespace") or callable(value), (
        "'word', 'char', 'whitespace' or a callable str -> list[str]"
    )


def _random_state(value):
    ok = value is None or (_is_integer(value) and value >= 0)
    return ok or isinstance(value, np.random.RandomState), (
        "None, a non-negative int or a numpy RandomState"
    )


def _optimizer(value):
    import torch

    ok = inspect.isclass(value) and issubclass(value, torch.optim.Optimizer)
    return ok, "a torch.optim.Optimizer subclass, e.g. torch.optim.Adam"


def _module(value):
    import torch

    ok = value is None or (
        isinstance(value, torch.nn.Module)
        or (inspect.isclass(value) and issubclass(value, torch.nn.Module))
    )
    return ok, "None or a torch.nn.Module subclass (or instance)"


def _callbacks(value):
    from skorch.callbacks import Callback

    def is_callback(item):
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            item = item[1]
        return isinstance(item, Callback) or (inspect.isclass(item) and issubclass(item, Callback))

    ok = value is None or (isinstance(value, (list, tuple)) and all(map(is_callback, value)))
    return ok, "None or a list of skorch callbacks (or (name, callback) pairs)"


def _device(value):
    import torch

    return isinstance(value, (str, torch.device)), "a device name such as 'cpu' or 'cuda'"


def _embeddings(value):
    ok = (
        value is None
        or isinstance(value, Mapping)
        or (isinstance(value, tuple) and len(value) == 2)
        or (hasattr(value, "key_to_index") and hasattr(value, "vectors"))
    )
    return ok, "None, a mapping token -> vector, a (vectors, tokens) pair or gensim KeyedVectors"


def _class_weight(value):
    return value is None or value == "balanced" or isinstance(value, Mapping), (
        "None, 'balanced' or a dict {label: weight}"
    )


# One row per hyperparameter shared by the estimators: name -> checker.
HYPERPARAMETER_CHECKS: dict[str, Callable] = {
    "cell": _one_of("rnn", "lstm", "gru"),
    "hidden_size": _auto_or(int_at_least(1)),
    "num_layers": int_at_least(1),
    "bidirectional": _bool(),
    "dropout": _auto_or(real_in(0.0, 1.0, high_inclusive=False)),
    "pooling": _one_of("auto", "last", "mean", "max"),
    "conv_blocks": _auto_or(_conv_blocks),
    "wide_ngrams": _auto_or(_wide_ngrams),
    "naive_bayes": _auto_or(real_in(0.0, 1000.0, high_inclusive=True)),
    "embedding_dim": int_at_least(1),
    "tokenizer": _tokenizer,
    "lowercase": _bool(),
    "max_vocab": int_at_least(1, none_ok=True),
    "min_freq": int_at_least(1),
    "max_len": int_at_least(1, none_ok=True),
    "standardize": _bool(),
    "clip_grad_norm": positive_real(none_ok=True),
    "lr": _auto_or(positive_real()),
    "lr_schedule": _one_of("auto", "constant", "cosine"),
    "max_epochs": _auto_or(int_at_least(0)),
    "batch_size": int_at_least(1),
    "bptt": int_at_least(1),
    "early_stopping": _auto_or(_bool()),
    "tol": real_in(0.0, float("inf"), high_inclusive=False),
    "n_iter_no_change": int_at_least(1, none_ok=True),
    "validation_fraction": real_in(0.0, 1.0, high_inclusive=False),
    "patience": int_at_least(1),
    "class_weight": _class_weight,
    "random_state": _random_state,
    "scale_target": _bool(),
    "char_embedding_dim": int_at_least(0),
    "shape_embedding_dim": int_at_least(0),
    "crf": _bool(),
    "single_bias": _bool(),
    "freeze_embeddings": _bool(),
    "sparse_embeddings": _bool(),
    "word_dropout": real_in(0.0, 1.0, high_inclusive=False),
    "embeddings": _embeddings,
    "optimizer": _optimizer,
    "module": _module,
    "callbacks": _callbacks,
    "warm_start": _bool(),
    "distributed": _auto_or(_bool()),
    "verbose": int_at_least(0),
    "progress_bar": _bool(),
    "device": _device,
    "target_tokenizer": _one_of("char", "whitespace"),
    "beam_size": int_at_least(1),
    "max_output_len": int_at_least(1, none_ok=True),
}

# skorch parameters the library sets itself; passing them would be silently ignored.
FIXED_SKORCH_PARAMETERS = {
    "train_split": "use early_stopping=True and validation_fraction to hold data out",
    "iterator_train": "batches are built by the library; set batch_size",
    "iterator_valid": "batches are built by the library; set batch_size",
    "dataset": "the library encodes X itself",
    "predict_nonlinearity": "predict_proba applies the right nonlinearity itself",
    "use_caching": "the library's callbacks reuse the validation outputs already",
    "compile": "torch.compile is not supported",
    "torch_load_kwargs": "use sklearn_rnn.load or pickle to load a model",
}


def check_hyperparameters(estimator, constraints: Mapping[str, Callable]) -> None:
    """Validate every constructor argument of ``estimator`` and its skorch-routed ones.

    ``constraints`` maps each constructor argument to its check (the class's merged
    ``_parameter_constraints``).
    """
    names = [n for n in inspect.signature(type(estimator).__init__).parameters if n != "self"]
    for name in names:
        if name not in constraints:
            continue  # **kwargs
        value = getattr(estimator, name)
        ok, expected = constraints[name](value)
        if not ok:
            raise ValueError(
                f"Invalid value for parameter {name!r}: expected {expected}, got {value!r}."
            )
    _check_routed_parameters(estimator)
    if getattr(estimator, "lr_schedule", None) == "cosine" and has_lr_scheduler(
        estimator.callbacks
    ):
        raise ValueError(
            "Invalid value for parameter 'lr_schedule': 'cosine' would fight the LRScheduler "
            "in callbacks over the learning rate; set lr_schedule='auto' or 'constant' to let "
            "the callback schedule it."
        )
    if getattr(estimator, "early_stopping", False) is True and not (
        0 < estimator.validation_fraction < 1
    ):
        raise ValueError(
            "Invalid value for parameter 'validation_fraction': expected a float in (0, 1) "
            f"when early_stopping=True, got {estimator.validation_fraction!r}."
        )


def _check_routed_parameters(estimator) -> None:
    """Reject skorch parameters the library would ignore; ``callbacks="disable"`` too."""
    routed = [k for k in vars(estimator) if k in estimator._params_to_validate]
    for key in routed:
        prefix = key.split("__")[0]
        if prefix in FIXED_SKORCH_PARAMETERS:
            raise ValueError(
                f"Invalid parameter {key!r}: sklearn_rnn sets {prefix!r} itself "
                f"({FIXED_SKORCH_PARAMETERS[prefix]})."
            )
