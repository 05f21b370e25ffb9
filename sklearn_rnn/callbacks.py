"""Small skorch callbacks the estimators add by default."""

from __future__ import annotations

import math

import torch
from skorch.callbacks import Callback, EarlyStopping, ProgressBar

from sklearn_rnn._base._batches import IGNORE_INDEX
from sklearn_rnn._base._sample_weight import SAMPLE_WEIGHT
from sklearn_rnn.exceptions import TrainingDivergedError

# Documented: the callbacks whose effect a user sees (an error, a stop, a learning-rate
# schedule). The others are importable here but are internal details of training.
__all__ = ["CosineLearningRate", "DivergenceGuard", "EarlyStoppingByScore"]


class DivergenceGuard(Callback):
    """Stop training with a clear error as soon as a training loss is not finite.

    Examples
    --------
    >>> from sklearn_rnn import RNNRegressor
    >>> X = torch.linspace(0, 1, 24).reshape(8, 3, 1).numpy()
    >>> reg = RNNRegressor(hidden_size=4, max_epochs=1, random_state=0).fit(X, X.sum((1, 2)))
    >>> guard = dict(reg.callbacks_)["divergence_guard"]  # one of the default callbacks
    >>> try:
    ...     guard.on_batch_end(reg, training=True, loss=torch.tensor(float("inf")))
    ... except TrainingDivergedError as exc:
    ...     print(str(exc).split(".")[0])
    Training diverged: the loss became inf in epoch 1
    """

    def on_batch_end(self, net, batch=None, training=False, loss=None, **kwargs):
        if not training or loss is None:
            return
        value = float(loss.detach())
        if not math.isfinite(value):
            epoch = len(net.history)
            raise TrainingDivergedError(
                f"Training diverged: the loss became {value} in epoch {epoch}. Try a smaller "
                f"learning rate (lr={getattr(net, 'lr_', net.lr)!r} now) or gradient clipping "
                f"(clip_grad_norm={net.clip_grad_norm!r} now; e.g. clip_grad_norm=1.0). The "
                "estimator was left unfitted."
            )


class ValidAccuracy(Callback):
    """Record ``valid_acc``, the accuracy on the validation batches, each epoch.

    Works from the predictions the validation step already computed, so it costs
    no extra forward pass. Per-step targets equal to the ignore index (padding)
    are not counted; multilabel indicator rows count as right when every label is
    (subset accuracy, as ``score``); with sample weights, each sample counts with
    its weight.

    Examples
    --------
    >>> from sklearn_rnn import RNNClassifier
    >>> clf = RNNClassifier(hidden_size=4, max_epochs=2, early_stopping=True,
    ...                     validation_fraction=0.25, random_state=0)
    >>> clf = clf.fit(["good", "bad", "good film", "bad film"] * 2, [1, 0, 1, 0] * 2)
    >>> isinstance(dict(clf.callbacks_)["valid_acc"], ValidAccuracy)  # added by early_stopping
    True
    >>> len(clf.history[:, "valid_acc"])  # one value per epoch
    2
    """

    def on_epoch_begin(self, net, **kwargs):
        self.correct_ = 0
        self.total_ = 0

    def on_batch_end(self, net, batch=None, training=False, y_pred=None, **kwargs):
        if training or y_pred is None:
            return
        y_true = batch[1].to(y_pred.device)
        if y_true.is_floating_point():  # multilabel indicator rows (B, n_labels)
            right = ((y_pred > 0) == (y_true > 0.5)).all(-1)  # (B,)
            real = torch.ones_like(right)
        else:
            right = y_pred.argmax(-1) == y_true  # (B,) or (B, T)
            real = y_true != IGNORE_INDEX
        weights = batch[0].get(SAMPLE_WEIGHT) if isinstance(batch[0], dict) else None
        if weights is None:
            self.correct_ += int((right & real).sum())
            self.total_ += int(real.sum())
            return
        weights = weights.to(y_pred.device).reshape(-1, *[1] * (real.dim() - 1))
        self.correct_ += float((weights * (right & real)).sum())
        self.total_ += float((weights * real).sum())

    def on_epoch_end(self, net, dataset_valid=None, **kwargs):
        if self.total_:
            net.history.record("valid_acc", self.correct_ / self.total_)


class ValidR2(Callback):
    """Record ``valid_r2``, the R² of the validation predictions, each epoch.

    Computed from the validation step's outputs (no extra forward pass), per target
    column and averaged, as scikit-learn's ``r2_score`` does (weighted by the sample
    weights when the fit has them). R² does not change under the estimator's internal
    target scaling.

    Examples
    --------
    >>> from sklearn_rnn import RNNRegressor
    >>> X = torch.linspace(0, 1, 24).reshape(8, 3, 1).numpy()
    >>> reg = RNNRegressor(hidden_size=4, max_epochs=2, early_stopping=True,
    ...                    validation_fraction=0.25, random_state=0)
    >>> reg = reg.fit(X, X.sum((1, 2)))
    >>> isinstance(dict(reg.callbacks_)["valid_r2"], ValidR2)  # added by early_stopping
    True
    >>> len(reg.history[:, "valid_r2"])  # one value per epoch
    2
    """

    def on_epoch_begin(self, net, **kwargs):
        self.sums_ = None

    def on_batch_end(self, net, batch=None, training=False, y_pred=None, **kwargs):
        if training or y_pred is None:
            return
        y_true = batch[1].to(y_pred.device).double()
        y_pred = y_pred.double().reshape(y_true.shape)
        weights = batch[0].get(SAMPLE_WEIGHT) if isinstance(batch[0], dict) else None
        if weights is None:
            weights = torch.ones(len(y_true), dtype=y_true.dtype, device=y_true.device)
        weights = weights.to(y_true).reshape(-1, *[1] * (y_true.dim() - 1))
        # Per column: weighted n, sum y, sum y^2, sum of squared errors.
        sums = torch.stack(
            [
                (weights * torch.ones_like(y_true)).sum(0),
                (weights * y_true).sum(0),
                (weights * y_true**2).sum(0),
                (weights * (y_true - y_pred) ** 2).sum(0),
            ]
        )
        self.sums_ = sums if self.sums_ is None else self.sums_ + sums

    def on_epoch_end(self, net, dataset_valid=None, **kwargs):
        if self.sums_ is None:
            return
        n, total, squares, errors = self.sums_
        spread = squares - total**2 / n
        r2 = torch.where(spread > 0, 1 - errors / spread.clamp_min(1e-300), torch.zeros_like(n))
        net.history.record("valid_r2", float(r2.mean()))


class GradientClipping(Callback):
    """Scale all gradients down so their joint L2 norm is at most ``max_norm``.

    Like ``torch.nn.utils.clip_grad_norm_``, but also for the sparse gradients of an
    embedding trained with ``sparse_embeddings=True``.

    Examples
    --------
    >>> layer = torch.nn.Linear(2, 1)
    >>> (100 * layer(torch.ones(1, 2)).sum()).backward()  # gradient norm 173.2
    >>> GradientClipping(max_norm=1.0).on_grad_computed(None, layer.named_parameters())
    >>> round(float(torch.cat([p.grad.flatten() for p in layer.parameters()]).norm()), 4)
    1.0
    """

    def __init__(self, max_norm: float):
        self.max_norm = max_norm

    def on_grad_computed(self, net, named_parameters, **kwargs):
        params = [p for _, p in named_parameters if p.grad is not None]
        if not params:
            return
        squares = []
        for param in params:
            if param.grad.is_sparse:
                param.grad = param.grad.coalesce()  # repeated rows would be counted twice
                squares.append(param.grad._values().pow(2).sum())
            else:
                squares.append(param.grad.pow(2).sum())
        total = torch.stack(squares).sum().sqrt()
        scale = (self.max_norm / (total + 1e-6)).clamp(max=1.0)
        for param in params:
            param.grad.mul_(scale)


class CosineLearningRate(Callback):
    """Lower the learning rate along a half cosine when ``lr_schedule_="cosine"``.

    The rate goes from its set value to 0 over the fit's ``max_epochs_`` epochs.
    The number of training batches is counted when the first epoch begins; optimizer
    step ``s`` of ``S`` takes the rate ``lr * (1 + cos(pi * s / S)) / 2``, and each
    epoch's last rate is recorded in the history as ``lr``. Every ``fit`` call starts
    again at ``lr``, which is also where the rates are left afterwards. Large steps early
    find the basin, small ones late settle in it: what a budget of a few hundred steps
    needs (measured in ``benchmarks/baselines.py``). With ``"constant"`` it does nothing.

    Examples
    --------
    >>> from sklearn_rnn import RNNRegressor
    >>> X = torch.linspace(0, 1, 24).reshape(8, 3, 1).numpy()
    >>> reg = RNNRegressor(hidden_size=4, max_epochs=4, batch_size=4, random_state=0)
    >>> reg = reg.fit(X, X.sum((1, 2)))  # 4 epochs of 2 batches: 8 steps
    >>> reg.lr_schedule_, [round(lr / reg.lr_, 3) for lr in reg.history[:, "lr"]]
    ('cosine', [0.962, 0.691, 0.309, 0.038])
    """

    def on_train_begin(self, net, **kwargs):
        self.total_steps_, self.step_ = None, 0
        self.base_lrs_ = [[group["lr"] for group in opt.param_groups] for opt in _optimizers(net)]

    def on_epoch_begin(self, net, dataset_train=None, **kwargs):
        if net.lr_schedule_ != "cosine" or self.total_steps_ is not None:
            return
        if dataset_train is not None:
            batches = len(net.get_iterator(dataset_train, training=True))  # draws nothing
            self.total_steps_ = max(1, net.max_epochs_ * batches)

    def on_batch_begin(self, net, batch=None, training=False, **kwargs):
        if not training or self.total_steps_ is None:
            return
        progress = min(self.step_, self.total_steps_) / self.total_steps_
        self._scale(net, 0.5 * (1.0 + math.cos(math.pi * progress)))
        self.step_ += 1

    def on_epoch_end(self, net, **kwargs):
        if self.total_steps_ is not None:
            net.history.record("lr", _optimizers(net)[0].param_groups[0]["lr"])

    def _scale(self, net, factor: float) -> None:
        for opt, base_lrs in zip(_optimizers(net), self.base_lrs_, strict=True):
            for group, base in zip(opt.param_groups, base_lrs, strict=True):
                group["lr"] = base * factor

    def on_train_end(self, net, **kwargs):
        if self.total_steps_ is not None:
            self._scale(net, 1.0)  # the next fit (warm_start, partial_fit) starts from lr


def _optimizers(net) -> list:
    return [getattr(net, name + "_") for name in net._optimizers]


class EarlyStoppingByScore(EarlyStopping):
    """Stop when validation scores stop improving, and keep the best epoch's weights.

    skorch's :class:`~skorch.callbacks.EarlyStopping` on the first of ``scores``; an
    epoch that only ties the best value of one score is better when the next score is
    better (validation accuracy plateaus in steps while the validation loss still falls).

    Parameters
    ----------
    scores : sequence of (history key, lower is better) pairs
        The scores to compare, the later ones breaking ties of the earlier.
    patience : int, default=5
        Epochs without improvement before training stops.

    Examples
    --------
    >>> from sklearn_rnn import RNNClassifier
    >>> clf = RNNClassifier(hidden_size=4, max_epochs=3, early_stopping=True,
    ...                     validation_fraction=0.25, random_state=0)
    >>> clf = clf.fit(["good", "bad", "good film", "bad film"] * 2, [1, 0, 1, 0] * 2)
    >>> stopper = dict(clf.callbacks_)["early_stopping"]
    >>> stopper.monitor, 1 <= stopper.best_epoch_ <= 3
    ('valid_acc', True)
    """

    def __init__(self, scores, patience: int = 5):
        self.scores = scores
        (monitor, lower_is_better), *_ = scores
        super().__init__(
            monitor=monitor, patience=patience, lower_is_better=lower_is_better, load_best=True
        )

    def on_train_begin(self, net, **kwargs):
        super().on_train_begin(net, **kwargs)
        self.best_scores_ = None

    def on_epoch_end(self, net, **kwargs):
        self._current_ = [net.history[-1, key] for key, _ in self.scores]
        super().on_epoch_end(net, **kwargs)

    def on_train_end(self, net, **kwargs):
        if not net.history:  # max_epochs=0: no epoch to compare or restore
            return
        super().on_train_end(net, **kwargs)

    def _is_score_improved(self, score):
        if super()._is_score_improved(score):
            return True
        if self.best_scores_ is None or score != self.best_scores_[0]:
            return False
        # A tie on the first score: the first later score that differs decides.
        for (_, lower_is_better), now, best in zip(
            self.scores[1:], self._current_[1:], self.best_scores_[1:], strict=True
        ):
            if now != best:
                return now < best if lower_is_better else now > best
        return False

    def _calc_new_threshold(self, score):
        self.best_scores_ = list(self._current_)
        return super()._calc_new_threshold(score)


class TrainingLossPlateau(EarlyStopping):
    """Stop when the training loss has stopped falling (``tol``/``n_iter_no_change``).

    The convergence test of scikit-learn's ``MLPClassifier``: training ends once the
    training loss has not improved on its best value by at least ``tol`` for
    ``n_iter_no_change`` consecutive epochs. Used when nothing is held out for
    validation, so that a generous epoch budget does not train on after convergence.

    Parameters
    ----------
    tol : float
        The least improvement of the training loss that counts.
    n_iter_no_change : int
        Epochs without such an improvement before training stops.

    Examples
    --------
    >>> from sklearn_rnn import RNNClassifier
    >>> clf = RNNClassifier(hidden_size=4, max_epochs=200, tol=0.5, n_iter_no_change=2,
    ...                     random_state=0).fit(["good", "bad"] * 4, [1, 0] * 4)
    >>> len(clf.history) < 200  # the loss cannot fall by 0.5 for long
    True
    """

    def __init__(self, tol: float, n_iter_no_change: int):
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        super().__init__(
            monitor="train_loss",
            patience=n_iter_no_change,
            threshold=tol,
            threshold_mode="abs",
            lower_is_better=True,
            load_best=False,
        )


class EpochProgressBar(ProgressBar):
    r"""skorch's per-batch progress bar, left on screen after each epoch.

    skorch's ``ProgressBar`` erases its bar when an epoch ends, so on a small fit it is
    never seen; this one ends each epoch with a line of its own, labelled with the epoch.
    ``progress_bar=True`` adds it (tqdm needed).

    Examples
    --------
    >>> import contextlib, io
    >>> import numpy as np
    >>> from sklearn_rnn import RNNClassifier
    >>> X, y = np.random.RandomState(0).randn(8, 3, 1), [0, 1] * 4
    >>> err = io.StringIO()
    >>> with contextlib.redirect_stderr(err):  # where tqdm writes
    ...     clf = RNNClassifier(hidden_size=4, max_epochs=2, progress_bar=True).fit(X, y)
    >>> [line.split("\r")[-1].split(":")[0] for line in err.getvalue().split("\n") if line]
    ['epoch 1', 'epoch 2']
    """

    def _get_batches_per_epoch_phase(self, net, dataset, training):
        # The estimator's own batches: skorch's count (len(dataset) / batch_size) is wrong
        # for a language model, whose dataset's length counts tokens, not sequences.
        if dataset is None:
            return 0
        return len(net.get_iterator(dataset, training=False))

    def on_epoch_begin(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        super().on_epoch_begin(net, dataset_train, dataset_valid, **kwargs)
        self.pbar_.leave = True  # skorch creates it with leave=False
        self.pbar_.set_description(f"epoch {len(net.history)}", refresh=False)
