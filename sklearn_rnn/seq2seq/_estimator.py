"""RNNSeq2Seq: a sequence in, a sequence of its own length out (encoder-decoder, attention)."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from sklearn_rnn._base import _docs, _parameters
from sklearn_rnn._base._batches import IGNORE_INDEX, SequenceDataset
from sklearn_rnn._base._encoded_sequences import EncodedSequences
from sklearn_rnn._base._sequence_estimator import SequenceEstimator
from sklearn_rnn._targets import SequenceTargets, check_targets
from sklearn_rnn._targets._sequences import nbest_outputs, until_end
from sklearn_rnn.encoding import _validation as v
from sklearn_rnn.encoding._unicode import NORMAL_FORMS, normalized
from sklearn_rnn.metrics import sequence_accuracy
from sklearn_rnn.seq2seq._network import (
    BOS_ID,
    Seq2SeqModel,
    beam_search,
    sequence_log_probs,
)
from sklearn_rnn.seq2seq._targets import Seq2SeqDataset

#: ``max_epochs="auto"`` trains at least this many optimizer steps (at least 10 epochs):
#: 32 epochs of SIGMORPHON's 8,000 words (with the other defaults, 30 epochs took
#: hbs_latn from 48.8 to 38.1 % WER), and CMUdict's 122k entries 10 epochs, as before.
AUTO_MIN_STEPS = 2000

#: ``dropout="auto"`` is 0.2 below this many training pairs and 0.1 from it on: the six
#: SIGMORPHON languages (8,000 words each) were measured with 0.2; on CMUdict (121k
#: entries, ``benchmarks/g2p.py``) 0.1 gave 24.2 % WER with beam 5 against 24.9 % with 0.2.
AUTO_DROPOUT_LARGE_FROM = 50_000


def auto_dropout(n_pairs: int) -> float:
    """What ``dropout="auto"`` becomes for ``n_pairs`` training pairs: less with more data.

    Examples
    --------
    >>> auto_dropout(8_000), auto_dropout(121_435)
    (0.2, 0.1)
    """
    return 0.2 if n_pairs < AUTO_DROPOUT_LARGE_FROM else 0.1


#: The Unicode normal forms ``normalization`` takes (``unicodedata.normalize``).

# The estimator's own parameters, and shared ones whose meaning differs here.
_PARAMETERS = {
    "bidirectional": (
        "bool",
        (
            "Read each source both ways in the encoder (each sequence reversed within its\n"
            "own length, so padding never leaks in). The decoder always runs forwards."
        ),
    ),
    "hidden_size": (
        "int",
        ("Units per direction of each encoder layer, and of each decoder layer."),
    ),
    "num_layers": (
        "int",
        ("Stacked recurrent layers, in the encoder and in the decoder each."),
    ),
    "dropout": (
        'float in [0, 1) or "auto"',
        (
            "Dropout on the input and output embeddings, between recurrent layers and\n"
            'before the output layer (never on raw numeric features). ``"auto"``: 0.2\n'
            "below 50,000 training pairs, 0.1 from 50,000 on (more data needs less);\n"
            "the value used is ``dropout_``."
        ),
    ),
    "embedding_dim": (
        "int",
        ("Size of the input token embeddings and of the output symbol embeddings."),
    ),
    "tokenizer": (
        '{"char", "word", "whitespace"} or callable',
        (
            "How input strings are split into tokens: characters (spelling), words and\n"
            "punctuation, on whitespace, or your own ``str -> list[str]`` function."
        ),
    ),
    "target_tokenizer": (
        '{"char", "whitespace"}',
        (
            "How output strings in ``y`` split into symbols, and how predicted symbols are\n"
            'joined into strings again (with ``""`` or ``" "``). Token lists in ``y``\n'
            "are used as they are and predicted as token lists."
        ),
    ),
    "lowercase": (
        "bool",
        ("Lowercase input strings and tokens before looking them up (never the outputs)."),
    ),
    "normalization": (
        '{"NFD", "NFC", "NFKD", "NFKC"} or None',
        (
            "Unicode normalization of input strings and tokens before they are split and\n"
            'looked up. ``"NFD"`` decomposes composed characters into a base letter and\n'
            "combining marks (``é`` into ``e`` and an acute accent, a voiced kana into\n"
            "the plain one and its voicing mark), so what one accent does is learned once\n"
            "rather than for every letter that carries it (Vietnamese letters carry up to\n"
            "two marks, Serbo-Croatian and Hungarian ones an accent), and input written in\n"
            "either form reads the same. The outputs are never normalized: ``predict``\n"
            "returns symbols as ``y`` had them. None reads the input as it is."
        ),
    ),
    "label_smoothing": (
        "float in [0, 1)",
        (
            "Share of each target's probability mass that the training loss spreads evenly\n"
            "over all output symbols (``torch.nn.CrossEntropyLoss``'s ``label_smoothing``):\n"
            "it keeps the decoder from over-confident next-symbol guesses (on CMUdict it took\n"
            "1.1 points off the word error rate, ``benchmarks/g2p.py``). Only for the\n"
            "default criterion; ``criterion__label_smoothing`` wins over it."
        ),
    ),
    "beam_size": (
        "int",
        (
            "Hypotheses kept per source by ``predict``'s beam search; 1 is greedy decoding.\n"
            "The output is the most probable hypothesis found, with no length penalty."
        ),
    ),
    "lr_schedule": (
        '{"auto", "constant", "cosine"}',
        (
            'How the learning rate moves during a fit. ``"cosine"``: from ``lr`` down to 0\n'
            'along a half cosine over the fit\'s optimizer steps; ``"constant"``: ``lr``\n'
            'throughout. ``"auto"``: cosine for a ``fit`` (the schedule of every measured\n'
            "grapheme-to-phoneme run, ``benchmarks/g2p.py``), constant for ``partial_fit``\n"
            "and ``warm_start=True`` (whose calls continue one another) and beside your own\n"
            "skorch ``LRScheduler`` callback. The value a fit used is in ``lr_schedule_``."
        ),
    ),
    "max_epochs": (
        'int or "auto"',
        (
            'Passes over the training data. ``"auto"`` budgets optimizer steps rather than\n'
            "epochs: enough epochs for 2,000 steps of ``batch_size`` (32 epochs of 8,000\n"
            "words), at least 10 (a 120,000-word dictionary) and at most 500;\n"
            "``partial_fit`` then trains one epoch per call. The value a fit used is in\n"
            "``max_epochs_``."
        ),
    ),
    "max_output_len": (
        "int or None",
        (
            "Most symbols ``predict`` emits per output (an output still unfinished there\n"
            "ends). None: twice the longest output seen in ``fit``."
        ),
    ),
}

_DOC = """Recurrent encoder-decoder with attention: per input, an output sequence of its own length.

    ``X`` holds strings (read as characters by default), token lists, id lists or numeric
    series; ``y`` one output sequence per input, as strings (split into characters, or
    on whitespace with ``target_tokenizer="whitespace"``) or token lists, of any lengths.
    ``predict`` returns outputs in the form ``y`` had in ``fit``.

    The encoder is the library's recurrent core (``cell``, ``num_layers``,
    ``bidirectional``); the decoder a recurrent stack of the same cell started from the
    encoder's summary of the source, with Luong's general attention over the source
    steps, trained with teacher forcing (cross-entropy of each next symbol). ``predict``
    decodes by beam search (``beam_size=1`` is greedy). Padding is harmless on both sides:
    an output never depends on the other sequences of its batch.

    ``score`` is exact-match accuracy (the share of outputs entirely right);
    :mod:`sklearn_rnn.metrics` has the edit-distance rates and their scorers for
    ``GridSearchCV``/``cross_val_score``.

    The defaults suit character transduction (spelling to pronunciation, inflection,
    transliteration) on a few thousand to a hundred thousand words: input decomposed
    into base letters and marks (``normalization="NFD"``), two layers, label smoothing,
    a step budget (``max_epochs="auto"``) and a cosine learning-rate decay. On the
    Serbo-Croatian words of the SIGMORPHON 2021 grapheme-to-phoneme task they took the
    word error rate from 48.8 % to 38.1 % (``benchmarks/g2p.py``; the user guide's page
    on ``RNNSeq2Seq``).

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {n_features_in}
    encoder_ : SequenceEncoder
        The fitted input encoder (input vocabulary or scaling statistics).
    dropout_ : float
        The dropout the network trained with (``dropout``, or what ``"auto"`` became).
    target_encoder_ : SequenceTargets
        The output vocabulary (``target_encoder_.vocabulary_``) and the form of ``y``.
    output_symbols_ : list of str
        The symbols the model can emit, those of the training outputs.
    max_output_len_ : int
        The longest output ``predict`` emits (``max_output_len`` or its default).
    module_ : torch.nn.Module
        The trained network (an encoder-decoder with attention).
    history_ : skorch.History
        Per-epoch losses.

    See Also
    --------
    sklearn_rnn.metrics.token_error_rate, sklearn_rnn.metrics.sequence_error_rate :
        Phone/character error rate and word (whole-output) error rate.
    sklearn_rnn.datasets.load_cmudict : Pronunciations for grapheme-to-phoneme models.

    Examples
    --------
    >>> from itertools import product
    >>> from sklearn_rnn import RNNSeq2Seq
    >>> X = ["".join(p) for n in (1, 2, 3, 4) for p in product("ab", repeat=n)]
    >>> y = [x[::-1].upper() for x in X]  # reversed and upper-cased: "aab" -> "BAA"
    >>> model = RNNSeq2Seq(hidden_size=32, embedding_dim=16, dropout=0.0, lr=0.01,
    ...                    max_epochs=20, batch_size=8, random_state=0).fit(X, y)
    >>> model.predict(["abba", "aab"])
    ['ABBA', 'BAA']
    >>> model.score(X, y) > 0.9  # exact-match accuracy
    True
    >>> [output for output, log_prob in model.predict_nbest(["ab"], n=2)[0]]
    ['BA', 'B']
    """


def _never(estimator) -> bool:
    return False


class RNNSeq2Seq(SequenceEstimator):
    # Composed after the class: the parameters are read from __init__'s signature.

    _default_criterion = torch.nn.CrossEntropyLoss
    # max_epochs="auto": transduction wants many more optimizer steps than the classifier's
    # 500 (see AUTO_MIN_STEPS).
    _auto_min_steps = AUTO_MIN_STEPS
    _parameter_constraints: dict = {
        name: _parameters.HYPERPARAMETER_CHECKS[name]
        for name in ("target_tokenizer", "beam_size", "max_output_len")
    } | {
        "normalization": _parameters._one_of(*NORMAL_FORMS, None),
        "label_smoothing": _parameters.real_in(0.0, 1.0, high_inclusive=False),
    }

    def __init__(
        self,
        *,
        cell: str = "lstm",
        hidden_size: int = 256,
        num_layers: int = 2,
        bidirectional: bool = True,
        dropout: float | str = "auto",
        single_bias: bool = False,
        embedding_dim: int = 64,
        embeddings=None,
        freeze_embeddings: bool = False,
        sparse_embeddings: bool = False,
        tokenizer="char",
        target_tokenizer: str = "char",
        lowercase: bool = False,
        normalization: str | None = "NFD",
        max_vocab: int | None = None,
        min_freq: int = 1,
        max_len: int | None = None,
        standardize: bool = True,
        beam_size: int = 5,
        max_output_len: int | None = None,
        label_smoothing: float = 0.1,
        clip_grad_norm: float | None = 5.0,
        lr: float = 0.003,
        lr_schedule: str = "auto",
        max_epochs: int | str = "auto",
        batch_size: int = 128,
        optimizer=torch.optim.Adam,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        patience: int = 5,
        tol: float = 1e-4,
        n_iter_no_change: int | None = None,
        random_state: int | None = None,
        device: str = "cpu",
        verbose: int = 0,
        progress_bar: bool = False,
        module=None,
        callbacks=None,
        warm_start: bool = False,
        distributed: bool | str = "auto",
        **kwargs,
    ):
        self._store_init_params(locals())

    def _auto_lr_schedule(self) -> str:
        # A cosine decay over the fit, for every input kind: large steps find the basin,
        # small late ones settle in it (the schedule of all of benchmarks/g2p.py's runs).
        return "cosine"

    # -- inputs -----------------------------------------------------------------------

    def _check_X(self, X, *, reset: bool) -> v.CheckedSequences:
        checked = super()._check_X(X, reset=reset)
        if self.normalization is None or isinstance(X, v.CheckedSequences):
            return checked  # checked (and normalized) once per call
        return normalized(checked, self.normalization)

    # -- targets ----------------------------------------------------------------------

    def _check_y(self, y, X: v.CheckedSequences) -> np.ndarray:
        """One output per sequence: an object array of strings or of token lists."""
        _, outputs = check_targets(y, len(X))
        checked = np.empty(len(outputs), dtype=object)
        for i, output in enumerate(outputs):
            checked[i] = output
        return checked

    def _fit_targets(self, y: np.ndarray, classes) -> object:
        if classes is not None:
            raise ValueError("RNNSeq2Seq.partial_fit takes no classes; pass classes=None.")
        self.target_encoder_ = SequenceTargets(self.target_tokenizer).fit(_kind(y), list(y))
        self.output_symbols_ = self.target_encoder_.vocabulary_.tokens[4:]
        self.n_outputs_ = len(self.target_encoder_.vocabulary_)
        longest = self.target_encoder_.max_length_
        self.max_output_len_ = self.max_output_len or 2 * longest
        return self._encode_targets(y)

    def _encode_targets(self, y: np.ndarray):
        return EncodedSequences.from_flat(*self.target_encoder_.transform(list(y), _kind(y)))

    def _fit_encoders(self, *args, **kwargs) -> Seq2SeqDataset:
        dataset = Seq2SeqDataset.of(super()._fit_encoders(*args, **kwargs))
        if isinstance(self.dropout, str):  # "auto": by the number of training pairs
            self.dropout_ = auto_dropout(len(dataset))
        return dataset

    def _make_dataset(self, X, y=None, *args, **kwargs) -> SequenceDataset:
        dataset = super()._make_dataset(X, y, *args, **kwargs)
        return dataset if y is None else Seq2SeqDataset.of(dataset)

    def _loss_mass(self, targets) -> torch.Tensor:
        """Each output's number of loss terms: its symbols and its end of sequence."""
        if isinstance(targets, EncodedSequences):
            return targets.lengths.double()
        return (torch.as_tensor(targets) != IGNORE_INDEX).sum(1).double()  # (B, T) batch

    # -- skorch extension points --------------------------------------------------------

    def _build_module(self, data_kwargs: dict, kwargs: dict) -> torch.nn.Module:
        return Seq2SeqModel(**data_kwargs, **self._network_kwargs(), **kwargs)

    def _criterion_kwargs(self) -> dict:
        return {"ignore_index": IGNORE_INDEX, "label_smoothing": self.label_smoothing}

    def _forward(self, x, **fit_params):
        if "decoder_inputs" in x:  # training: the target, shifted (teacher forcing)
            return super()._forward(x, **fit_params)
        # A prediction batch has no decoder inputs: the encoder's outputs (B, S, D), which
        # hidden_states and skorch's infer read; predict decodes with beam search.
        inputs = x["inputs"].to(self.device)
        return self.module_.encode(inputs, x["lengths"].to(self.device))[0]

    def _loss(self, y_pred, y_true, weights) -> torch.Tensor:
        # y_pred: (B, T, V) scores of each next symbol; y_true: (B, T), IGNORE_INDEX after
        # each target's end of sequence.
        # The loss reads the symbols' scores along dimension 1, as torch's losses want.
        return super()._loss(y_pred.transpose(1, 2), y_true, weights)

    def _summary_batch(self) -> dict:
        batch = super()._summary_batch()
        batch["decoder_inputs"] = torch.tensor([[BOS_ID, 4, 4]], device=self.device)
        return batch

    # -- decoding -----------------------------------------------------------------------

    def _beam_outputs(self, X, beam_size: int) -> tuple[list, np.ndarray]:
        """Every hypothesis of the beam for each row of ``X``: output ids and log-probs.

        Returns a list (one entry per row, in the order of ``X``) of ``K`` id lists, best
        first, and the ``(n, K)`` float64 log-probabilities.
        """
        dataset = self._prediction_dataset(X)

        def step(batch):
            inputs, _ = batch
            return beam_search(
                self.module_,
                inputs["inputs"].to(self.device),
                inputs["lengths"].to(self.device),
                beam_size,
                self.max_output_len_,
            )

        hypotheses = [None] * len(dataset)
        scores = np.empty((len(dataset), beam_size))
        for rows, (tokens, log_probs) in self._predict_batches(dataset, step):
            scores[rows.numpy()] = log_probs.cpu().numpy()
            for row, beams in zip(rows.tolist(), tokens.cpu().tolist(), strict=True):
                hypotheses[row] = [until_end(ids) for ids in beams]
        return hypotheses, scores

    def predict(self, X) -> list:
        """The most probable output sequence of each input found by beam search.

        Parameters
        ----------
        X : sequences
            The same kind of input as in ``fit``.

        Returns
        -------
        list of str or list of list of str
            One output per input, in the form ``y`` had in ``fit``.
        """
        hypotheses, _ = self._beam_outputs(X, self.beam_size)
        return self.target_encoder_.inverse_transform([beams[0] for beams in hypotheses])

    def predict_nbest(self, X, n: int | None = None) -> list[list[tuple]]:
        """The ``n`` best outputs of each input from the beam, with their log-probabilities.

        Parameters
        ----------
        X : sequences
            The same kind of input as in ``fit``.
        n : int or None, default=None
            Outputs per input; the beam holds ``max(beam_size, n)`` hypotheses. None
            gives ``beam_size`` of them.

        Returns
        -------
        list of list of (output, float)
            Per input, ``(output, log P(output | input))`` pairs, most probable first
            (fewer than ``n`` when fewer outputs exist). The log-probability is the
            one :meth:`score_sequences` gives the same output.
        """
        if n is None:
            n = self.beam_size
        if not v._is_integer(n) or n < 1:
            raise ValueError(f"n must be an int >= 1 or None, got {n!r}.")
        hypotheses, scores = self._beam_outputs(X, max(self.beam_size, n))
        return nbest_outputs(hypotheses, scores, n, self.target_encoder_)

    def score_sequences(self, X, y) -> np.ndarray:
        """``log P(y_i | X_i)`` of given outputs: the model's log-probability of each.

        Parameters
        ----------
        X : sequences
            The same kind of input as in ``fit``.
        y : list of str or list of list of str
            One output per input, in the form of ``fit``'s ``y``; symbols never seen in
            ``fit`` raise a ``ValueError``.

        Returns
        -------
        ndarray of shape (n_samples,)
            The float64 log-probabilities, the end of sequence included.
        """
        check_is_fitted(self)
        checked = self._check_X(X, reset=False)
        dataset = self._make_dataset(checked, y)

        def step(batch):
            inputs, targets = batch
            inputs = {key: value.to(self.device) for key, value in inputs.items()}
            return sequence_log_probs(self.module_, **inputs, targets=targets.to(self.device))

        return self._predict_in_order(dataset, step).numpy()

    def score(self, X, y, sample_weight=None) -> float:
        """Exact-match accuracy: the share of inputs whose whole output is predicted right.

        Parameters
        ----------
        X : sequences
            The same kind of input as in ``fit``.
        y : list of str or list of list of str
            The true outputs. Symbols never seen in ``fit`` are errors (the model
            cannot emit them), not a ``ValueError``.
        sample_weight : None
            Not supported; present for scikit-learn's signature.

        Returns
        -------
        float
        """
        if sample_weight is not None:
            raise ValueError("RNNSeq2Seq.score does not support sample_weight.")
        check_is_fitted(self)
        checked = self._check_X(X, reset=False)
        kind, outputs = check_targets(y, len(checked))
        truth = self.target_encoder_.split(kind, outputs)
        hypotheses, _ = self._beam_outputs(checked, self.beam_size)
        tokens = self.target_encoder_.vocabulary_.tokens
        predicted = [[tokens[i] for i in beams[0]] for beams in hypotheses]
        return sequence_accuracy(truth, predicted)

    # The network needs the decoder's inputs, which only training (the targets) or
    # decoding (predict) supplies: skorch's single-pass outputs do not exist here.
    forward = available_if(_never)(SequenceEstimator.forward)
    forward_iter = available_if(_never)(SequenceEstimator.forward_iter)
    predict_proba = available_if(_never)(SequenceEstimator.predict_proba)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.estimator_type = None
        tags.target_tags.required = True
        return tags


def _kind(y: np.ndarray) -> str:
    return v.TEXT if isinstance(y[0], str) else v.TOKENS


RNNSeq2Seq.__doc__ = _DOC.format(
    parameters=_docs.parameters_section(
        RNNSeq2Seq.__init__, _PARAMETERS, stratified="", score="loss"
    ),
    n_features_in=_docs.N_FEATURES_IN,
)
