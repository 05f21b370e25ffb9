"""The training core all estimators share, and the sequence-estimator layer on top of it.

Private: the estimators (:class:`~sklearn_rnn.RNNClassifier` and the others) are the public
face of what lives here.
"""
