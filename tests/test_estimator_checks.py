"""scikit-learn's own estimator checks, run over both estimators.

A 2D numeric X is read as univariate series, one column per step. The checks run on
instances with a small network and enough epochs to fit sklearn's toy problems
(as scikit-learn's own suite raises ``max_iter`` for its iterative estimators).
"""

from sklearn.base import clone
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_rnn import RNNClassifier, RNNRegressor

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


def expected_failed_checks(estimator):
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
