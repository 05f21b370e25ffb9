"""RNNLanguageModel: malformed input and parameters fail with errors that say what to do."""

import pytest
from conftest import tiny  # tests/ is on sys.path

from sklearn_rnn import RNNLanguageModel


@pytest.mark.parametrize(
    "X, error, match",
    [
        ([], ValueError, "empty corpus"),
        ("", ValueError, "too few for one training chunk"),
        ("abc", ValueError, r"X holds 3 tokens, too few for one training chunk of bptt=8"),
        ([1, 2, 3], TypeError, r"X\[0\] is a int"),
        (["ok", 5], TypeError, r"X\[1\] is a int"),
        ([["a", 1]], TypeError, "non-string token"),
        (b"bytes", TypeError, "must be a string"),
        (None, TypeError, "must be a string"),
    ],
)
def test_bad_corpus(X, error, match):
    with pytest.raises(error, match=match):
        tiny(RNNLanguageModel).fit(X)


@pytest.mark.parametrize(
    "param, value",
    [
        ("tokenizer", "bytes"),
        ("bptt", 0),
        ("cell", "transformer"),
        ("hidden_size", 0),
        ("dropout", 1.0),
        ("lowercase", "yes"),
        ("clip_grad_norm", -1.0),
        ("max_epochs", "auto"),
        ("lr", "auto"),  # "auto" means a choice by input kind, which a language model lacks
        ("hidden_size", "auto"),
        ("dropout", "auto"),
        ("lr_schedule", "linear"),
    ],
)
def test_bad_parameters(param, value):
    with pytest.raises(ValueError, match=f"Invalid value for parameter '{param}'"):
        tiny(RNNLanguageModel, **{param: value}).fit("some text long enough" * 3)


def test_unfitted_and_bad_prediction_input():
    from sklearn.exceptions import NotFittedError

    lm = tiny(RNNLanguageModel)
    for method in (lm.score, lm.predict_proba_next, lm.hidden_states):
        with pytest.raises(NotFittedError):
            method("text")
    with pytest.raises(NotFittedError):
        lm.sample(3)
    lm.fit("some text long enough" * 3)
    with pytest.raises(ValueError, match="no tokens to score"):
        lm.score([""])
    with pytest.raises(TypeError, match="must be a string"):
        lm.score(3.5)
    with pytest.raises(ValueError, match="fitted on text"):
        lm.score([["a", "b"]])


@pytest.mark.parametrize(
    "kwargs, name",
    [({"n_tokens": True}, "n_tokens"), ({"n_tokens": 3, "top_k": True}, "top_k")],
)
def test_sample_rejects_a_bool_where_it_takes_an_int(kwargs, name):
    lm = tiny(RNNLanguageModel).fit("some text long enough" * 3)
    with pytest.raises(ValueError, match=f"parameter '{name}'"):
        lm.sample(**kwargs)
