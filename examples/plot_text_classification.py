"""
Text classification in a grid search
====================================

:class:`~sklearn_rnn.RNNClassifier` takes plain strings: it tokenizes them, builds a
vocabulary in ``fit`` (unknown words at predict time map to one unknown id), and learns
word embeddings together with the recurrent network. Because every hyperparameter is a
plain constructor argument, :class:`~sklearn.model_selection.GridSearchCV` searches them
as it would for any scikit-learn model. The data here is a small hand-made set of
product reviews, so the example runs offline in seconds; ``sentiment_mr.py`` trains the
same kind of model on 10,662 movie reviews.
"""

# %%
# A small review data set
# -----------------------
# Each review mixes a few neutral words with one or two words that carry its label.
import numpy as np
from sklearn.model_selection import GridSearchCV, train_test_split

from sklearn_rnn import RNNClassifier

rng = np.random.RandomState(0)
positive = ["great", "excellent", "lovely", "reliable", "superb", "sturdy"]
negative = ["awful", "broken", "flimsy", "useless", "poor", "disappointing"]
neutral = ["the", "a", "product", "it", "arrived", "was", "quite", "and", "box", "really"]


def review(words):
    tokens = list(rng.choice(neutral, size=rng.randint(3, 9)))
    for word in rng.choice(words, size=rng.randint(1, 3)):
        tokens.insert(rng.randint(len(tokens) + 1), word)
    return " ".join(tokens)


texts = [review(positive) for _ in range(150)] + [review(negative) for _ in range(150)]
labels = ["positive"] * 150 + ["negative"] * 150
X_train, X_test, y_train, y_test = train_test_split(
    texts, labels, test_size=0.3, stratify=labels, random_state=0
)
print(X_train[:3])

# %%
# Search the recurrent cell
# -------------------------
# ``pooling="auto"`` reads text with max pooling over the words (series with the last
# step); the grid compares a SimpleRNN, an LSTM and a GRU with 3-fold cross-validation.
search = GridSearchCV(
    RNNClassifier(hidden_size=16, embedding_dim=16, lr=0.01, max_epochs=6, random_state=0),
    {"cell": ["rnn", "lstm", "gru"]},
    cv=3,
)
search.fit(X_train, y_train)
for params, score in zip(
    search.cv_results_["params"], search.cv_results_["mean_test_score"], strict=True
):
    print(f"{params['cell']:<5} cross-validated accuracy {score:.3f}")
print("best:", search.best_params_, f"test accuracy {search.score(X_test, y_test):.3f}")

# %%
# Predict new text
# ----------------
# ``classes_`` holds the labels as given (any hashable type), in sorted order; the
# columns of ``predict_proba`` follow it. "fantastic" was never seen in training.
best = search.best_estimator_
new = ["the box arrived broken", "a superb product", "fantastic and sturdy"]
print(best.classes_)
print(best.predict(new))
print(best.predict_proba(new).round(3))

# %%
# Save and load without pickle
# ----------------------------
# :meth:`~sklearn_rnn.RNNClassifier.save` writes a zip of safetensors weights and JSON
# (vocabulary, labels, parameters); :func:`sklearn_rnn.load` rebuilds the estimator,
# which predicts exactly as the original.
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

import sklearn_rnn  # noqa: E402

with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "reviews.sklearn_rnn"
    best.save(path)
    loaded = sklearn_rnn.load(path)
np.testing.assert_array_equal(loaded.predict_proba(new), best.predict_proba(new))
print(type(loaded).__name__, "loaded; same probabilities")
