"""scikit-learn's own estimator checks, run over both estimators.

A 2D numeric X is read as univariate series, one column per step. The checks run on
instances with a small network and enough epochs to fit sklearn's toy problems
(as scikit-learn's own suite raises ``max_iter`` for its iterative estimators).
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_rnn import RNNClassifier, RNNRegressor

CHECKING_PARAMS = dict(hidden_size=32, max_epochs=30, lr=0.01, random_state=0)


@parametrize_with_checks(
    [RNNClassifier(**CHECKING_PARAMS), RNNRegressor(**CHECKING_PARAMS)],
    expected_failed_checks=lambda estimator: {},
)
def test_estimator_checks(estimator, check):
    check(estimator)
