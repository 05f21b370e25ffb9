"""scikit-learn's own estimator checks, run over all five estimators where they apply.

A 2D numeric X is read as univariate series, one column per step. The checks run on
instances with a small network and enough epochs to fit sklearn's toy problems
(as scikit-learn's own suite raises ``max_iter`` for its iterative estimators).

The tagger and the sequence-to-sequence model take one target *sequence* per sample, so
the checks that fit on scikit-learn's ``y`` (one number per row) are expected to fail
with the estimators' own ``TypeError`` about ``y``; the checks of the API (cloning,
parameters, ``__init__``, tags, unfitted errors, bad ``X``) run as for the others. The
language model reads text and declares no 2D input, so scikit-learn runs only its
cloning check; ``test_api_checks_on_the_language_model`` runs the checks that need no data.
"""

import pytest
from conftest import TINY  # tests/ is on sys.path
from sklearn.base import clone
from sklearn.utils import estimator_checks
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_rnn import RNNClassifier, RNNLanguageModel, RNNRegressor, RNNSeq2Seq, RNNTagger

CHECKING_PARAMS = dict(hidden_size=32, max_epochs=30, lr=0.01, random_state=0)

# The checks that score a fit on sklearn's toy problems train long enough to pass with a
# margin: training accuracy 0.97 (binary) and 0.94 (3 classes) after 10 epochs where 0.83
# is asked; R^2 0.73 after 30 epochs where 0.5 is asked (0.47 after 15). The other checks
# test shapes, dtypes, errors, pickling and reproducibility, which 3 epochs show as well.
SCORED_CHECK_EPOCHS = {
    "check_classifiers_train": 10,
    "check_class_weight_classifiers": 10,
    "check_regressors_train": CHECKING_PARAMS["max_epochs"],
}
UNSCORED_CHECK_EPOCHS = 3

# Mini-batch training: weight 2 doubles a sample's gradient where repeating it puts it in
# two batches, so the two fits have equal expected gradients but are not the same model
# (scikit-learn expects the same failure of its SGD estimators). tests/test_sample_weight.py
# checks what does hold: all-ones weights give the unweighted model bit for bit.
EXPECTED_FAILED_CHECKS = {
    "check_sample_weight_equivalence_on_dense_data": (
        "stochastic mini-batch training: weights are not equivalent to repeated samples"
    ),
}

# torch's float32 GRU kernel on CPU rounds its gates differently for different batch sizes,
# so the float32 features that transform returns differ by up to ~3e-7 relative between a
# batch and its subset; predict and predict_proba stay invariant (the head runs in float64,
# tests/test_invariance.py). Only the GRU, the default cell, is affected.
GRU_EXPECTED_FAILED_CHECKS = {
    "check_methods_subset_invariance": (
        "transform of a GRU: float32 kernel rounding depends on the batch size (~3e-7)"
    ),
}


# The checks that fit on a y of one number (or one class) per row.
CHECKS_THAT_FIT_ONE_TARGET_PER_ROW = [
    "check_all_zero_sample_weights_error",
    "check_dict_unchanged",
    "check_dont_overwrite_parameters",
    "check_dtype_object",
    "check_estimators_dtypes",
    "check_estimators_fit_returns_self",
    "check_estimators_nan_inf",
    "check_estimators_overwrite_params",
    "check_estimators_pickle",
    "check_f_contiguous_array_estimator",
    "check_fit2d_1feature",
    "check_fit2d_1sample",
    "check_fit2d_predict1d",
    "check_fit_check_is_fitted",
    "check_fit_idempotent",
    "check_fit_score_takes_y",
    "check_methods_sample_order_invariance",
    "check_methods_subset_invariance",
    "check_n_features_in",
    "check_n_features_in_after_fitting",
    "check_pipeline_consistency",
    "check_positive_only_tag_during_fit",
    "check_readonly_memmap_input",
    "check_sample_weight_equivalence_on_dense_data",
    "check_sample_weights_list",
    "check_sample_weights_not_an_array",
    "check_sample_weights_not_overwritten",
    "check_sample_weights_pandas_series",
    "check_sample_weights_shape",
]
SEQUENCE_TARGET_FAILURES = {
    RNNTagger: (
        "y holds one label list per sequence (ragged 2D); the check fits on one number per "
        "row and fit rejects it with a TypeError naming y"
    ),
    RNNSeq2Seq: (
        "y holds one output sequence (a string or token list) per input; the check fits on "
        "one number per row and fit rejects it with a TypeError naming y"
    ),
}


def expected_failed_checks(estimator):
    reason = SEQUENCE_TARGET_FAILURES.get(type(estimator))
    if reason is not None:
        return dict.fromkeys(CHECKS_THAT_FIT_ONE_TARGET_PER_ROW, reason)
    if estimator.cell == "gru":
        return {**EXPECTED_FAILED_CHECKS, **GRU_EXPECTED_FAILED_CHECKS}
    return EXPECTED_FAILED_CHECKS


@parametrize_with_checks(
    [RNNClassifier(**CHECKING_PARAMS), RNNRegressor(**CHECKING_PARAMS)],
    expected_failed_checks=expected_failed_checks,
)
def test_estimator_checks(estimator, check):
    name = getattr(check, "func", check).__name__
    epochs = SCORED_CHECK_EPOCHS.get(name, UNSCORED_CHECK_EPOCHS)
    check(clone(estimator).set_params(max_epochs=epochs))


@parametrize_with_checks(
    [
        RNNTagger(**TINY[RNNTagger]),
        RNNSeq2Seq(**TINY[RNNSeq2Seq]),
        RNNLanguageModel(**TINY[RNNLanguageModel]),
    ],
    expected_failed_checks=expected_failed_checks,
)
def test_estimator_checks_on_sequence_targets_and_text(estimator, check):
    check(estimator)


# scikit-learn's checks of the estimator API that need no data (they run on the others
# through parametrize_with_checks).
API_CHECKS = [
    "check_estimator_repr",
    "check_estimator_tags_renamed",
    "check_valid_tag_types",
    "check_no_attributes_set_in_init",
    "check_parameters_default_constructible",
    "check_get_params_invariance",
    "check_set_params",
    "check_do_not_raise_errors_in_init_or_set_params",
    "check_mixin_order",
]


@pytest.mark.parametrize("check", API_CHECKS)
def test_api_checks_on_the_language_model(check):
    estimator = RNNLanguageModel(**TINY[RNNLanguageModel])
    getattr(estimator_checks, check)("RNNLanguageModel", estimator)
