"""
Images as sequences: digits read row by row
===========================================

An 8x8 image of a handwritten digit is a sequence of 8 rows, each a step of 8 pixel
values. :class:`~sklearn_rnn.RNNClassifier` takes such data as an ``(n, T, F)`` array,
standardizes each feature with statistics learned in ``fit``, and trains a recurrent
network on it like any scikit-learn classifier. This runs offline on scikit-learn's own
digits in a few seconds.
"""

# %%
# The data: 1,797 digits as ``(n_images, 8 steps, 8 features)``
# ----------------------------------------------------------------
import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.metrics import ConfusionMatrixDisplay
from sklearn.model_selection import train_test_split

from sklearn_rnn import RNNClassifier, plot_history

X, y = load_digits(return_X_y=True)
X = X.reshape(-1, 8, 8)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
print(X_train.shape, X_test.shape)

# %%
# A GRU reading the rows top to bottom
# ------------------------------------
# ``early_stopping=True`` holds out a stratified 10 % of the training images, scores
# every epoch on it, and keeps the weights of the best epoch. Without it, the estimator
# trains on all of ``X`` (no hidden validation split).
clf = RNNClassifier(
    cell="gru",
    hidden_size=32,
    lr=0.01,
    max_epochs=10,
    early_stopping=True,
    patience=4,
    random_state=0,
)
clf.fit(X_train, y_train)
print(f"test accuracy: {clf.score(X_test, y_test):.3f}")

# %%
# Training curves
# ---------------
# :func:`~sklearn_rnn.plot_history` draws the losses per epoch from the estimator's
# skorch ``history``, and the validation accuracy on a second axis.
ax = plot_history(clf)
plt.show()

# %%
# Where it errs
# -------------
ConfusionMatrixDisplay.from_estimator(clf, X_test, y_test, colorbar=False)
plt.show()

# %%
# The fitted estimator is an ordinary scikit-learn estimator: the labels it saw, the
# number of features per step, and a ``predict_proba`` whose rows sum to one.
print(clf.classes_, clf.n_features_in_)
print(clf.predict_proba(X_test[:2]).round(2))
