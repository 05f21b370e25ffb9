"""Tests for sequence-labelling metrics and scorers, checked against seqeval where it applies.

seqeval 1.2.2 is the reference: it is imported, not skipped when missing (the ``dev`` extra
installs it), so a run without it fails instead of passing on less.
"""

import math
import pickle
import warnings
from collections import Counter
from functools import partial

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from seqeval import scheme as seqeval_schemes
from seqeval.metrics import sequence_labeling, v1
from sklearn.base import BaseEstimator
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score, cross_validate

from sklearn_rnn.metrics import (
    entity_classification_report,
    entity_f1_score,
    entity_f1_scorer,
    entity_precision_recall_f1,
    get_entities,
    make_entity_f1_scorer,
    token_accuracy,
    token_accuracy_scorer,
)

AVERAGES = ["micro", "macro", "weighted"]

# Every UndefinedMetricWarning a test does not expect (and record) is a failure.
pytestmark = pytest.mark.filterwarnings("error::sklearn.exceptions.UndefinedMetricWarning")

# (y_true, y_pred) pairs over B/I/O tags only: valid in every scheme seqeval checks strictly.
BIO_CASES = {
    "i_after_o": ([["O", "I-PER", "I-PER", "O"]], [["O", "B-PER", "I-PER", "O"]]),
    "type_switch_inside": ([["B-PER", "I-PER", "I-PER"]], [["B-PER", "I-LOC", "I-PER"]]),
    "b_after_b": ([["B-PER", "B-PER", "O"]], [["B-PER", "I-PER", "O"]]),
    "b_after_b_other_type": ([["B-PER", "B-LOC"]], [["B-PER", "I-LOC"]]),
    "lone_i": ([["I-LOC"], ["O", "I-LOC", "O"]], [["I-LOC"], ["O", "B-LOC", "O"]]),
    "i_after_other_i": ([["I-PER", "I-LOC", "I-LOC"]], [["I-PER", "B-LOC", "I-LOC"]]),
    "boundaries": (
        [["B-PER"], ["O", "B-LOC"], ["I-ORG", "I-ORG", "O", "B-ORG"]],
        [["B-PER"], ["O", "I-LOC"], ["B-ORG", "I-ORG", "O", "I-ORG"]],
    ),
    "empty_predictions": ([["B-PER", "I-PER", "O"], ["B-LOC"]], [["O", "O", "O"], ["O"]]),
    "only_predictions": ([["O", "O"], ["O"]], [["B-PER", "I-PER"], ["I-MISC"]]),
    "all_o": ([["O", "O"], ["O"]], [["O", "O"], ["O"]]),
    "empty_sequence": ([[], ["B-PER"]], [[], ["B-PER"]]),
    "iob1_style": (
        [["I-PER", "I-PER", "B-PER", "I-PER", "O", "I-LOC"]],
        [["I-PER", "I-PER", "I-PER", "I-PER", "O", "I-LOC"]],
    ),
    "many_types": (
        [["B-PER", "I-PER", "O", "B-LOC", "O", "B-MISC", "I-MISC", "B-ORG"]],
        [["B-PER", "I-PER", "O", "B-ORG", "O", "B-MISC", "I-MISC", "I-ORG"]],
    ),
}
# Cases that use E- and S- tags as well.
BIOES_CASES = {
    "e_without_b": (
        [["O", "E-PER", "O"], ["I-PER", "E-PER"]],
        [["O", "S-PER", "O"], ["B-PER", "E-PER"]],
    ),
    "s_tags": ([["S-PER", "S-PER", "O", "S-LOC"]], [["B-PER", "E-PER", "O", "S-LOC"]]),
    "unclosed_b": ([["B-PER", "I-PER", "O"]], [["B-PER", "I-PER", "E-PER"]]),
    "e_then_i": ([["B-PER", "E-PER", "I-PER", "E-PER"]], [["B-PER", "E-PER", "B-PER", "E-PER"]]),
    "type_switch_at_e": ([["B-PER", "I-PER", "E-LOC"]], [["B-PER", "I-PER", "E-PER"]]),
    "b_then_s": ([["B-LOC", "S-LOC", "B-LOC", "E-LOC"]], [["S-LOC", "S-LOC", "B-LOC", "E-LOC"]]),
    "boundaries": ([["E-ORG"], ["B-ORG"], ["S-ORG"]], [["S-ORG"], ["S-ORG"], ["S-ORG"]]),
    "all_o": ([["O"]], [["O"]]),
}


# seqeval's zero-division messages end with advice on a parameter our functions do not have.
ZERO_DIVISION_ADVICE = " Use `zero_division` parameter to control this behavior."


def undefined_warnings(func, *args, **kwargs):
    """``func(*args, **kwargs)`` and the messages of the UndefinedMetricWarnings it raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = func(*args, **kwargs)
    messages = [
        str(w.message).removesuffix(ZERO_DIVISION_ADVICE)
        for w in caught
        if issubclass(w.category, UndefinedMetricWarning)
    ]
    return result, messages


def seqeval_prf(y_true, y_pred, average, scheme=None):
    """seqeval's (precision, recall, f1) and warnings; strict mode when a scheme class is given."""
    if scheme is None:
        call = partial(sequence_labeling.precision_recall_fscore_support, y_true, y_pred)
    else:
        call = partial(v1.precision_recall_fscore_support, y_true, y_pred, scheme=scheme)
    (*scores, _support), messages = undefined_warnings(call, average=average)
    return tuple(scores), messages


def seqeval_f1(y_true, y_pred, average, scheme=None):
    """seqeval's F1 score and warnings; strict mode when a scheme class is given."""
    kwargs = {} if scheme is None else {"mode": "strict", "scheme": scheme}
    return undefined_warnings(sequence_labeling.f1_score, y_true, y_pred, average=average, **kwargs)


def assert_matches_seqeval(y_true, y_pred, scheme, mode, seqeval_scheme=None):
    """Scores and UndefinedMetricWarnings agree with seqeval's, for every ``average``."""
    ours_kwargs = {"scheme": scheme, "mode": mode}
    per_type, _ = undefined_warnings(
        entity_precision_recall_f1, y_true, y_pred, average=None, **ours_kwargs
    )
    for average in [*AVERAGES, None]:
        ours, our_messages = undefined_warnings(
            entity_precision_recall_f1, y_true, y_pred, average=average, **ours_kwargs
        )
        our_f1, our_f1_messages = undefined_warnings(
            entity_f1_score, y_true, y_pred, average=average, **ours_kwargs
        )
        theirs, their_messages = seqeval_prf(y_true, y_pred, average, seqeval_scheme)
        their_f1, their_f1_messages = seqeval_f1(y_true, y_pred, average, seqeval_scheme)
        if average == "macro" and not per_type:
            # Known difference: seqeval averages an empty array (nan); we return 0.0 and warn
            # as the micro average does.
            assert all(math.isnan(x) for x in (*theirs, their_f1))
            assert ours == (0.0, 0.0, 0.0) and our_f1 == 0.0
            theirs, their_messages = seqeval_prf(y_true, y_pred, "micro", seqeval_scheme)
            their_f1, their_f1_messages = seqeval_f1(y_true, y_pred, "micro", seqeval_scheme)
        elif average is None:
            assert len(theirs[0]) == len(ours) == len(our_f1)
            if ours:  # (3, n_types), types sorted like seqeval's
                np.testing.assert_allclose(np.array(list(ours.values())).T, theirs, atol=1e-12)
                np.testing.assert_allclose(list(our_f1.values()), their_f1, atol=1e-12)
        else:
            assert ours == pytest.approx(theirs, abs=1e-12), average
            assert our_f1 == pytest.approx(their_f1, abs=1e-12), average
        assert our_messages == their_messages, average
        assert our_f1_messages == their_f1_messages, average


def seqeval_scheme(name):
    return getattr(seqeval_schemes, name)


# ---------------------------------------------------------------------- entities


@pytest.mark.parametrize(
    "seq", [s for cases in (BIO_CASES, BIOES_CASES) for p in cases.values() for y in p for s in y]
)
def test_get_entities_default_matches_seqeval(seq):
    assert get_entities(seq) == sequence_labeling.get_entities(seq)
    # In default mode the scheme does not change the chunking of B/I/E/S tags.
    assert (
        get_entities(seq, scheme="IOBES") == get_entities(seq, scheme="IOB1") == get_entities(seq)
    )


def test_get_entities_examples():
    assert get_entities(["B-PER", "I-PER", "O", "B-LOC"]) == [("PER", 0, 1), ("LOC", 3, 3)]
    assert get_entities(np.array(["O", "I-PER", "I-LOC"])) == [("PER", 1, 1), ("LOC", 2, 2)]
    assert get_entities([]) == []
    assert get_entities(["B", "I", "O"]) == [("_", 0, 1)]  # bare tags have type "_", as in seqeval
    assert get_entities(["B-PER", "I-PER"], mode="strict", scheme="BIO") == [("PER", 0, 1)]
    assert get_entities(["I-PER", "B-PER"], mode="strict", scheme="IOB1") == [
        ("PER", 0, 0),
        ("PER", 1, 1),
    ]
    assert get_entities(["B-PER", "I-PER", "O"], mode="strict", scheme="IOBES") == []
    assert get_entities(["U-PER", "B-LOC", "L-LOC"], mode="strict", scheme="BILOU") == [
        ("PER", 0, 0),
        ("LOC", 1, 2),
    ]
    # BILOU in default mode reads L- and U- as E- and S-.
    assert get_entities(["U-PER", "U-PER", "B-LOC", "L-LOC"], scheme="bilou") == [
        ("PER", 0, 0),
        ("PER", 1, 1),
        ("LOC", 2, 3),
    ]


# ---------------------------------------------------------------------- scores vs seqeval


@pytest.mark.parametrize(
    "case",
    list(BIO_CASES.values()) + list(BIOES_CASES.values()),
    ids=[f"bio-{k}" for k in BIO_CASES] + [f"bioes-{k}" for k in BIOES_CASES],
)
def test_default_mode_matches_seqeval(case):
    y_true, y_pred = case
    assert_matches_seqeval(y_true, y_pred, "IOB2", "default")


@pytest.mark.parametrize("scheme", ["IOB1", "IOB2"])
@pytest.mark.parametrize("case", BIO_CASES.values(), ids=BIO_CASES.keys())
def test_strict_bio_schemes_match_seqeval(case, scheme):
    y_true, y_pred = case
    assert_matches_seqeval(y_true, y_pred, scheme, "strict", seqeval_scheme(scheme))


@pytest.mark.parametrize(
    "case",
    list(BIO_CASES.values()) + list(BIOES_CASES.values()),
    ids=[f"bio-{k}" for k in BIO_CASES] + [f"bioes-{k}" for k in BIOES_CASES],
)
def test_strict_iobes_matches_seqeval(case):
    y_true, y_pred = case
    assert_matches_seqeval(y_true, y_pred, "IOBES", "strict", seqeval_scheme("IOBES"))


def test_strict_and_default_differ_where_expected():
    y_true = [["O", "B-PER", "I-PER", "O"]]
    y_pred = [["O", "I-PER", "I-PER", "O"]]
    assert entity_f1_score(y_true, y_pred) == 1.0
    assert entity_f1_score(y_true, y_pred, mode="strict") == 0.0


def label_pairs(prefixes, types="AB"):
    """Hypothesis strategy: (y_true, y_pred) with matching lengths over a small tag set."""
    tags = ["O"] + [f"{p}-{t}" for p in prefixes for t in types]

    def sequences(lengths):
        return st.tuples(
            *[st.lists(st.sampled_from(tags), min_size=n, max_size=n) for n in lengths]
        ).map(list)

    lengths = st.lists(st.integers(0, 6), min_size=1, max_size=4)
    return lengths.flatmap(lambda ns: st.tuples(sequences(ns), sequences(ns)))


@settings(max_examples=150, deadline=None)
@given(pair=label_pairs("BIES"))
def test_property_default_mode_matches_seqeval(pair):
    assert_matches_seqeval(*pair, scheme="IOB2", mode="default")


@settings(max_examples=60, deadline=None)
@given(pair=label_pairs("BI"), scheme=st.sampled_from(["IOB1", "IOB2"]))
def test_property_strict_bio_matches_seqeval(pair, scheme):
    assert_matches_seqeval(
        *pair, scheme=scheme, mode="strict", seqeval_scheme=seqeval_scheme(scheme)
    )


@settings(max_examples=60, deadline=None)
@given(pair=label_pairs("BIES"))
def test_property_strict_iobes_matches_seqeval(pair):
    assert_matches_seqeval(*pair, "IOBES", "strict", seqeval_scheme("IOBES"))


@settings(max_examples=60, deadline=None)
@given(pair=label_pairs("BILU"))
def test_property_strict_bilou_matches_seqeval(pair):
    assert_matches_seqeval(*pair, "BILOU", "strict", seqeval_scheme("BILOU"))


@settings(max_examples=100, deadline=None)
@given(pair=label_pairs("BIES"), scheme=st.sampled_from(["IOB1", "IOB2", "IOBES", "BILOU"]))
def test_property_strict_entities_match_seqeval_tokens(pair, scheme):
    """Entity lists (not only scores) agree with seqeval's strict chunker, sequence by sequence."""
    allowed = {"IOB1": "BIO", "IOB2": "BIO", "IOBES": "BIESO", "BILOU": "BILOU"}[scheme]
    rename = {"E": "L", "S": "U"} if scheme == "BILOU" else {}
    for seq in pair[0]:
        seq = [rename.get(t[0], t[0]) + t[1:] for t in seq]
        seq = [t for t in seq if t[0] in allowed]
        expected = [
            (e.tag, e.start, e.end - 1)
            for e in seqeval_schemes.Tokens(seq, seqeval_scheme(scheme)).entities
        ]
        assert get_entities(seq, scheme=scheme, mode="strict") == expected


REPORT_CASES = {
    "mixed": tuple(
        a + b for a, b in zip(BIO_CASES["many_types"], BIO_CASES["boundaries"], strict=True)
    ),
    **{k: BIO_CASES[k] for k in ("empty_predictions", "only_predictions", "b_after_b_other_type")},
}


@pytest.mark.parametrize("mode", ["default", "strict"])
@pytest.mark.parametrize("case", REPORT_CASES.values(), ids=REPORT_CASES.keys())
def test_report_matches_seqeval(case, mode):
    y_true, y_pred = case
    scheme = seqeval_scheme("IOB2") if mode == "strict" else None
    ours, our_messages = undefined_warnings(entity_classification_report, y_true, y_pred, mode=mode)
    theirs, their_messages = undefined_warnings(
        sequence_labeling.classification_report,
        y_true,
        y_pred,
        output_dict=True,
        mode="strict" if scheme else None,
        scheme=scheme,
    )
    assert list(ours) == list(theirs)
    for name, row in ours.items():
        assert row == pytest.approx(theirs[name], abs=1e-12), name
        assert isinstance(row["support"], int)
    assert our_messages == their_messages


# ---------------------------------------------------------------------- our own API


def test_precision_recall_f1_values():
    y_true = [["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "O"]]
    y_pred = [["B-PER", "I-PER", "O", "O"], ["B-ORG", "B-ORG"]]
    assert entity_precision_recall_f1(y_true, y_pred) == pytest.approx((2 / 3, 2 / 3, 2 / 3))
    with pytest.warns(UndefinedMetricWarning, match="no predicted samples"):  # LOC
        per_type = entity_precision_recall_f1(y_true, y_pred, average=None)
    assert per_type == {"LOC": (0.0, 0.0, 0.0), "ORG": (0.5, 1.0, 2 / 3), "PER": (1.0, 1.0, 1.0)}
    assert entity_f1_score(y_true, y_pred, average=None) == {"LOC": 0.0, "ORG": 2 / 3, "PER": 1.0}
    assert entity_f1_score(y_true, y_pred, average="macro") == pytest.approx((0 + 2 / 3 + 1) / 3)
    assert entity_f1_score(y_true, y_true) == 1.0


PRECISION_UNDEFINED = (
    "Precision and F-score are ill-defined and being set to 0.0 due to no predicted samples."
)
RECALL_UNDEFINED = "Recall and F-score are ill-defined and being set to 0.0 due to no true samples."
F1_UNDEFINED = "F-score is ill-defined and being set to 0.0 due to no true nor predicted samples."


def warning_messages(func, *args, **kwargs):
    """The result of ``func`` and its warnings' messages; it must raise a warning."""
    with pytest.warns(UndefinedMetricWarning) as record:
        result = func(*args, **kwargs)
    assert all(w.filename == __file__ for w in record)  # they point at the caller
    return result, [str(w.message) for w in record]


def test_zero_division_warns_and_gives_zero():
    precision, recall = PRECISION_UNDEFINED, RECALL_UNDEFINED
    zeros = (0.0, 0.0, 0.0)
    # No entity at all.
    assert warning_messages(entity_precision_recall_f1, [["O"]], [["O"]]) == (
        zeros,
        [precision, recall],
    )
    for average in ("micro", "macro"):  # macro: seqeval gives nan, we 0.0 and warn as micro
        assert warning_messages(entity_f1_score, [["O"]], [["O"]], average=average) == (
            0.0,
            [F1_UNDEFINED],
        )
    report, messages = warning_messages(entity_classification_report, [["O"]], [["O"]])
    assert messages == [precision, recall] * 2  # micro avg, then macro avg
    assert report["micro avg"] == report["macro avg"] == report["weighted avg"]
    assert report["micro avg"] == {"precision": 0.0, "recall": 0.0, "f1-score": 0.0, "support": 0}
    # No predicted entity, no true entity; one type ("due to"), or some of several types.
    assert warning_messages(entity_precision_recall_f1, [["B-PER"]], [["O"]]) == (
        zeros,
        [precision],
    )
    assert warning_messages(
        entity_precision_recall_f1, [["O"]], [["B-PER"]], average="weighted"
    ) == (zeros, [recall])
    assert warning_messages(
        entity_precision_recall_f1, [["B-PER", "O"]], [["O", "B-LOC"]], average=None
    ) == (
        {"LOC": zeros, "PER": zeros},
        [m.replace("due to", "in labels with") for m in (precision, recall)],
    )


def test_zero_division_silent_where_seqeval_is():
    """seqeval's f1_score warns only of an F1 with neither true nor predicted entities, and a
    weighted average over no entity at all is 0.0 without a warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert entity_f1_score([["B-PER"]], [["O"]]) == 0.0
        assert entity_f1_score([["O"]], [["B-PER"]], average=None) == {"PER": 0.0}
        assert entity_f1_score([["O"]], [["O"]], average="weighted") == 0.0
        assert entity_precision_recall_f1([["O"]], [["O"]], average="weighted") == (0.0,) * 3
        assert entity_precision_recall_f1([["O"]], [["O"]], average=None) == {}
        assert entity_f1_scorer(Echo(), [["B-PER"]], [["O"]]) == 0.0


def test_scorer_warns_like_entity_f1_score():
    with pytest.warns(UndefinedMetricWarning) as record:
        assert entity_f1_scorer(Echo(), [["O"]], [["O"]]) == 0.0
    assert [str(w.message) for w in record] == [F1_UNDEFINED]


def test_report_layout():
    with pytest.warns(UndefinedMetricWarning, match="no predicted samples"):  # LOC
        report = entity_classification_report([["B-PER", "O", "B-LOC"]], [["B-PER", "O", "O"]])
    assert list(report) == ["LOC", "PER", "micro avg", "macro avg", "weighted avg"]
    assert report["LOC"] == {"precision": 0.0, "recall": 0.0, "f1-score": 0.0, "support": 1}
    assert report["macro avg"]["recall"] == 0.5 and report["micro avg"]["support"] == 2


def test_entities_never_cross_sequences():
    """An entity at the end of one sequence does not continue into the next one."""
    y_true = [["O", "B-PER"], ["I-PER", "O"]]
    assert entity_precision_recall_f1(y_true, [["O", "B-PER"], ["O", "O"]]) == (1.0, 0.5, 2 / 3)


def test_numpy_and_tuple_inputs():
    y_true = [np.array(["B-PER", "I-PER", "O"]), np.array(["B-LOC"])]
    y_pred = (("B-PER", "I-PER", "O"), ["O"])
    assert entity_f1_score(y_true, y_pred) == pytest.approx(2 / 3)
    assert token_accuracy(y_true, y_pred) == 0.75
    assert token_accuracy(np.array([[1, 2], [3, 4]]), [[1, 2], [3, 0]]) == 0.75


def test_token_accuracy():
    assert token_accuracy([["a", "b"], ["c"]], [["a", "x"], ["c"]]) == pytest.approx(2 / 3)
    assert token_accuracy([[], ["c"]], [[], ["d"]]) == 0.0
    assert token_accuracy([[0, 1, 1]], [[0, 1, 1]]) == 1.0


def test_inputs_are_not_modified():
    y_true = [["B-PER", "I-PER"], ["O"]]
    y_pred = [["B-PER", "O"], ["O"]]
    before = pickle.dumps((y_true, y_pred))
    entity_classification_report(y_true, y_pred, mode="strict")
    token_accuracy(y_true, y_pred)
    assert pickle.dumps((y_true, y_pred)) == before


# ---------------------------------------------------------------------- errors


def test_token_accuracy_errors():
    with pytest.raises(ValueError, match=r"y_pred has 1 sequences but y_true has 2"):
        token_accuracy([["a"], ["b"]], [["a"]])
    with pytest.raises(ValueError, match=r"y_pred\[1\] has 2 labels but y_true\[1\] has 1"):
        token_accuracy([["a"], ["b"]], [["a"], ["b", "c"]])
    with pytest.raises(ValueError, match="y_true contains no labels"):
        token_accuracy([[], []], [[], []])
    with pytest.raises(ValueError, match="y_true is empty"):
        token_accuracy([], [])
    with pytest.raises(
        TypeError, match=r"y_true must be a sequence of label sequences.*y_true\[0\]"
    ):
        token_accuracy(["a", "b"], [["a"], ["b"]])
    with pytest.raises(TypeError, match="y_pred must be a sequence of label sequences"):
        token_accuracy([["a"]], "a")


def test_entity_metric_errors():
    y = [["B-PER", "O"]]
    with pytest.raises(ValueError, match=r"y_pred\[0\] has 1 labels"):
        entity_f1_score(y, [["B-PER"]])
    with pytest.raises(ValueError, match="scheme must be one of"):
        entity_f1_score(y, y, scheme="IOE9")
    with pytest.raises(ValueError, match="mode must be one of"):
        entity_f1_score(y, y, mode="lenient")
    with pytest.raises(ValueError, match="average must be one of"):
        entity_f1_score(y, y, average="samples")
    with pytest.raises(ValueError, match=r"label 'E-PER' is not a valid tag for scheme='IOB2'"):
        entity_f1_score(y, [["B-PER", "E-PER"]], mode="strict")
    with pytest.raises(ValueError, match=r"label 'U-PER'"):
        get_entities(["U-PER"])
    with pytest.raises(ValueError, match=r"label 'PER'"):
        get_entities(["PER"])
    with pytest.raises(ValueError, match=r"label 'B_PER'"):
        get_entities(["B_PER"])
    with pytest.raises(ValueError, match=r"label ''"):
        get_entities([""])
    with pytest.raises(TypeError, match="must be strings"):
        entity_f1_score([[1, 0]], [[1, 0]])
    with pytest.raises(TypeError, match="seq must be a sequence of tags"):
        get_entities("B-PER")
    with pytest.raises(ValueError, match="for a scorer"):
        make_entity_f1_scorer(average=None)
    with pytest.raises(ValueError, match="scheme must be one of"):
        make_entity_f1_scorer(scheme="XYZ")


# ---------------------------------------------------------------------- scikit-learn scorers


class Echo(BaseEstimator):
    """A stand-in tagger that predicts its input."""

    def predict(self, X):
        return X


class LookupTagger(BaseEstimator):
    """Tags each token with its most frequent training label; unseen tokens get `fallback`."""

    def __init__(self, fallback="O", lowercase=False):
        self.fallback = fallback
        self.lowercase = lowercase

    def _key(self, token):
        return token.lower() if self.lowercase else token

    def fit(self, X, y):
        counts = {}
        for tokens, labels in zip(X, y, strict=True):
            for token, label in zip(tokens, labels, strict=True):
                counts.setdefault(self._key(token), Counter())[label] += 1
        self.table_ = {token: c.most_common(1)[0][0] for token, c in counts.items()}
        return self

    def predict(self, X):
        return [[self.table_.get(self._key(t), self.fallback) for t in tokens] for tokens in X]


def toy_ner():
    """Ragged token lists with IOB2 tags, where lower-casing helps a lookup tagger."""
    X, y = [], []
    names = ["Ada", "Alan", "Grace", "Linus"]
    places = ["Paris", "Oslo", "Lima", "Rome"]
    for i in range(12):
        name, place = names[i % 4], places[(i + 1) % 4]
        if i % 3 == 0:
            X.append(["meet", name, name.upper(), "in", place])
            y.append(["O", "B-PER", "I-PER", "O", "B-LOC"])
        elif i % 3 == 1:
            X.append([place.lower(), "is", "home"])
            y.append(["B-LOC", "O", "O"])
        else:
            X.append(["ask", name.lower()])
            y.append(["O", "B-PER"])
    return X, y


def test_scorers_are_ordinary_sklearn_scorers():
    X, y = toy_ner()
    tagger = LookupTagger().fit(X, y)
    y_pred = tagger.predict(X)
    assert token_accuracy_scorer(tagger, X, y) == token_accuracy(y, y_pred)
    assert entity_f1_scorer(tagger, X, y) == entity_f1_score(y, y_pred)
    strict = make_entity_f1_scorer(scheme="BIO", mode="strict", average="macro")
    assert strict(tagger, X, y) == entity_f1_score(y, y_pred, mode="strict", average="macro")
    for scorer in (token_accuracy_scorer, entity_f1_scorer, strict):
        assert pickle.loads(pickle.dumps(scorer))(tagger, X, y) == scorer(tagger, X, y)


def test_cross_val_score_with_ragged_y():
    X, y = toy_ner()
    cv = KFold(3)
    scores = cross_val_score(LookupTagger(), X, y, scoring=token_accuracy_scorer, cv=cv)
    expected, expected_f1 = [], []
    for train, test in cv.split(X):
        tagger = LookupTagger().fit([X[i] for i in train], [y[i] for i in train])
        y_test, y_pred = [y[i] for i in test], tagger.predict([X[i] for i in test])
        expected.append(token_accuracy(y_test, y_pred))
        expected_f1.append(entity_f1_score(y_test, y_pred))
    np.testing.assert_allclose(scores, expected)
    results = cross_validate(
        LookupTagger(), X, y, cv=cv, scoring={"acc": token_accuracy_scorer, "f1": entity_f1_scorer}
    )
    np.testing.assert_allclose(results["test_acc"], expected)
    np.testing.assert_allclose(results["test_f1"], expected_f1)  # each fold's own F1


def test_grid_search_with_entity_f1_scorer():
    X, y = toy_ner()
    search = GridSearchCV(
        LookupTagger(),
        {"lowercase": [False, True], "fallback": ["O", "B-PER"]},
        scoring=entity_f1_scorer,
        cv=KFold(3),
    )
    search.fit(X, y)
    assert search.best_params_ == {"fallback": "O", "lowercase": True}
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.score(X, y) == entity_f1_score(y, search.predict(X))
