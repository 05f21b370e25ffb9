"""
Tagging every token
===================

:class:`~sklearn_rnn.RNNTagger` labels each step of a sequence: ``X`` is a list of token
lists and ``y`` a list of tag lists of the same lengths, as in sklearn-crfsuite. Here
the task is part-of-speech tagging on sentences from a small grammar, where the same
word ("book", "run", "saw") is a noun in one sentence and a verb in another, so the tagger
has to read its neighbours. A bidirectional LSTM reads each sentence both ways, and
``crf=True`` adds a linear-chain CRF whose Viterbi decoding returns the best tag
sequence as a whole. ``pos_tagging.py`` trains the same model on UD English-EWT.
"""

# %%
# Sentences and their tags
# ------------------------
import numpy as np

from sklearn_rnn import RNNTagger
from sklearn_rnn.metrics import token_accuracy

rng = np.random.RandomState(0)
WORDS = {
    "DET": ["the", "a", "every"],
    "ADJ": ["old", "red", "quiet", "big"],
    "NOUN": ["book", "run", "saw", "dog", "table", "park"],
    "VERB": ["book", "run", "saw", "likes", "sees"],
    "ADP": ["in", "near", "under"],
}
TEMPLATES = [
    ["DET", "NOUN", "VERB", "DET", "NOUN"],
    ["DET", "ADJ", "NOUN", "VERB", "DET", "NOUN", "ADP", "DET", "NOUN"],
    ["DET", "NOUN", "ADP", "DET", "ADJ", "NOUN", "VERB", "DET", "NOUN"],
]


def sentence():
    tags = TEMPLATES[rng.randint(len(TEMPLATES))]
    return [str(rng.choice(WORDS[tag])) for tag in tags], list(tags)


data = [sentence() for _ in range(400)]
X = [words for words, _ in data]
y = [tags for _, tags in data]
X_train, X_test, y_train, y_test = X[:300], X[300:], y[:300], y[300:]
print(list(zip(X_train[0], y_train[0], strict=True)))

# %%
# Train and score
# ---------------
# ``score`` is the token accuracy (the share of tags right, over all tokens).
tagger = RNNTagger(
    hidden_size=32, embedding_dim=16, char_embedding_dim=0, crf=True, max_epochs=6,
    lr=0.01, random_state=0,
)  # fmt: skip
tagger.fit(X_train, y_train)
predicted = tagger.predict(X_test)
print(f"token accuracy: {token_accuracy(y_test, predicted):.3f}")

# %%
# One word, two tags
# ------------------
for words in (["the", "dog", "saw", "a", "book"], ["the", "saw", "sees", "a", "run"]):
    print(list(zip(words, tagger.predict([words])[0], strict=True)))

# %%
# Per-token probabilities
# -----------------------
# ``predict_proba`` returns one ``(T_i, n_tags)`` array per sentence; with a CRF these
# are its exact marginals. Columns follow ``classes_``.
proba = tagger.predict_proba([["the", "saw", "sees", "a", "run"]])[0]
print(tagger.classes_)
print(proba.round(2))
