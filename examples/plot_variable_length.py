"""
Series of different lengths, and why padding is harmless
========================================================

Real sequences rarely share one length. Pass them as a list of ``(T_i, F)`` arrays: the
estimator groups sequences of similar length into a batch, pads each batch only to its
own longest member, and masks the padding everywhere it could matter (the last step is
read at each sequence's own end, mean/max pooling skips padded steps, the backward
direction of a bidirectional layer starts at each sequence's real last step). So a
sequence's prediction does not depend on what else is in its batch. This example checks
that, on noisy sine waves of 20 to 100 steps whose frequency is to be classified.
"""

# %%
# Ragged data: one ``(T_i, 1)`` array per series
# ----------------------------------------------
import matplotlib.pyplot as plt
import numpy as np

from sklearn_rnn import RNNClassifier

rng = np.random.RandomState(0)


def make_series(n):
    """Sine waves of random length and phase: slow (label 0) or fast (label 1)."""
    X, y = [], []
    for _ in range(n):
        label = rng.randint(2)
        length = rng.randint(20, 101)
        frequency = (0.05, 0.12)[label] * rng.uniform(0.8, 1.2)
        t = np.arange(length)
        wave = np.sin(2 * np.pi * frequency * t + rng.uniform(0, 2 * np.pi))
        X.append((wave + 0.3 * rng.randn(length))[:, None])
        y.append(label)
    return X, np.array(y)


X_train, y_train = make_series(200)
X_test, y_test = make_series(100)
print([len(x) for x in X_train[:8]])

fig, ax = plt.subplots(figsize=(7, 3), layout="constrained")
for series, label in zip(X_train[:4], y_train[:4], strict=True):
    ax.plot(series[:, 0], label=("slow", "fast")[label])
ax.set_xlabel("step")
ax.legend(ncols=4, loc="upper center", bbox_to_anchor=(0.5, 1.2), frameon=False)
plt.show()

# %%
# Train on the ragged list as it is
# ---------------------------------
clf = RNNClassifier(
    cell="gru", bidirectional=True, hidden_size=16, lr=0.01, max_epochs=8, random_state=0
)
clf.fit(X_train, y_train)
print(f"test accuracy: {clf.score(X_test, y_test):.3f}")

# %%
# The same prediction alone or in any batch
# -----------------------------------------
# Predict each test series on its own, then all together in one call (batches of mixed
# lengths, padded), then in reversed order: the probabilities agree to float precision.
alone = np.vstack([clf.predict_proba([x]) for x in X_test])
together = clf.predict_proba(X_test)
reversed_order = clf.predict_proba(X_test[::-1])[::-1]
print("largest difference, alone vs together:", np.abs(alone - together).max())
print("largest difference, reversed order:   ", np.abs(alone - reversed_order).max())

# %%
# Pass the sequences at their real lengths (a ragged list), not padded by hand: zeros
# appended to a series are steps of data to the estimator, which cannot tell them from
# real values.
