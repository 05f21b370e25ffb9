"""scikit-learn's estimator checks on default instances (only ``random_state`` set).

The checks that score a fit on scikit-learn's toy problems are the ones a default that
trains too little fails (``check_regressors_train`` did with a fixed 10 epochs); they run
in the default suite. The whole set of checks on default instances of all five estimators
(with the expected failures of ``tests/test_estimator_checks.py``) is ``slow``;
``tests/test_estimator_checks.py`` runs all of them on short fits in the default run.
"""

import pytest
from sklearn.utils.estimator_checks import (
    check_class_weight_classifiers,
    check_classifiers_train,
    check_regressors_train,
    parametrize_with_checks,
)
from test_estimator_checks import expected_failed_checks  # tests/ is on sys.path

from sklearn_rnn import RNNClassifier, RNNLanguageModel, RNNRegressor, RNNSeq2Seq, RNNTagger


@pytest.mark.parametrize(
    "check",
    [check_classifiers_train, check_class_weight_classifiers],
    ids=lambda check: check.__name__,
)
def test_default_classifier_learns_the_toy_problems(check):
    check("RNNClassifier", RNNClassifier(random_state=0))


def test_default_regressor_learns_the_toy_problem():
    check_regressors_train("RNNRegressor", RNNRegressor(random_state=0))


@pytest.mark.slow
@parametrize_with_checks(
    [
        RNNClassifier(random_state=0),
        RNNRegressor(random_state=0),
        RNNTagger(random_state=0),
        RNNSeq2Seq(random_state=0),
        RNNLanguageModel(random_state=0),
    ],
    expected_failed_checks=expected_failed_checks,
)
def test_all_checks_on_default_instances(estimator, check):
    check(estimator)
