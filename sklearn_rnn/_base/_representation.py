"""``transform``: a fitted classifier or regressor as a feature extractor.

The features are the pooled sequence vector that the output head reads (the recurrent
core's outputs reduced by ``pooling``, and the convolution branch's average), taken from
the one prediction loop with a hook on the head, so ``module_.head(transform(X))`` is the
network's output on ``X``.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from sklearn_rnn._base._training import in_input_order
from sklearn_rnn.nn._networks import OutputHead


class PooledRepresentationMixin(ClassNamePrefixFeaturesOutMixin, TransformerMixin):
    """``transform`` and ``get_feature_names_out`` of the pooled (one vector per sequence)
    estimators, mixed into :class:`RNNClassifier` and :class:`RNNRegressor`."""

    def transform(self, X) -> np.ndarray:
        """The pooled representation of each sequence: the vector the output head reads.

        ``hidden_size`` features (``2 * hidden_size`` when bidirectional: forward, then
        backward): the last recurrent layer's outputs pooled over each sequence's real
        steps as ``pooling`` says; with ``conv_blocks``, followed by the last block's
        filters averaged over the real steps. Like ``predict``, a sequence's features do not
        depend on its batch. Names from :meth:`get_feature_names_out`, e.g.
        ``rnnclassifier0``.

        Parameters
        ----------
        X : sequences
            The same kind of input as in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples, n_features_out)
            The float64 features (the network's float32 values, exactly); ``module_.head``
            applied to them gives the logits (classifier) or scaled predictions (regressor),
            to which a classifier's wide n-gram branch (``wide_ngrams``, text) adds its scores.

        Examples
        --------
        >>> from sklearn.linear_model import LogisticRegression
        >>> from sklearn_rnn import RNNClassifier
        >>> texts, labels = ["a great film", "a dull film", "great", "dull"] * 8, [1, 0] * 16
        >>> clf = RNNClassifier(hidden_size=8, bidirectional=False, max_epochs=5, lr=0.01,
        ...                     random_state=0)
        >>> features = clf.fit(texts, labels).transform(texts)
        >>> features.shape, clf.get_feature_names_out()[:2].tolist()
        ((32, 8), ['rnnclassifier0', 'rnnclassifier1'])
        >>> LogisticRegression().fit(features, labels).score(features, labels)
        1.0
        """
        check_is_fitted(self)
        head = self._output_head()
        captured = []  # the current batch's head input

        def keep_input(module, args):
            captured[:] = [args[0]]

        handle = head.register_forward_pre_hook(keep_input)
        try:
            parts = [(rows, captured[-1].cpu()) for rows, _, _ in self._outputs_by_batch(X)]
        finally:
            handle.remove()
        return in_input_order(parts).double().numpy()

    @property
    def _n_features_out(self) -> int:
        # What get_feature_names_out counts; an AttributeError before fit ("not fitted").
        if "module_" not in vars(self):
            raise AttributeError("_n_features_out")
        return self._output_head().linear.in_features

    def _output_head(self) -> OutputHead:
        head = getattr(self.module_, "head", None)
        if not isinstance(head, OutputHead):
            raise AttributeError(
                f"transform reads the input of the network's output head (an OutputHead as "
                f"module_.head); the module {type(self.module_).__name__} has none."
            )
        return head
