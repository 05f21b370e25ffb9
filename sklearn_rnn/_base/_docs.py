"""Parameter descriptions shared by the estimators' docstrings (numpydoc), composed per estimator.

Each estimator's Parameters section is built from its ``__init__`` signature: the
parameters in signature order, each with its type and description from
:data:`PARAMETERS` (or the estimator's own overrides) and the default read from the
signature itself, so a documented default cannot differ from the real one.
"""

from __future__ import annotations

import inspect
import textwrap

# name -> (type, description); descriptions may hold ``{placeholders}`` that an
# estimator fills (``stratified``, ``score``).
PARAMETERS: dict[str, tuple[str, str]] = {
    "cell": (
        '{"rnn", "lstm", "gru"}',
        (
            'The recurrent cell: ``"rnn"`` is a SimpleRNN (tanh), ``"lstm"`` and ``"gru"``\n'
            "the gated cells."
        ),
    ),
    "hidden_size": (
        'int or "auto"',
        (
            'Units per direction of each recurrent layer. ``"auto"``: 128 for text, token and\n'
            "id input, 64 for numeric series."
        ),
    ),
    "num_layers": (
        "int",
        ("Stacked recurrent layers."),
    ),
    "bidirectional": (
        "bool",
        (
            "Also read each sequence backwards (each sequence is reversed within its own\n"
            "length, so padding never leaks in)."
        ),
    ),
    "dropout": (
        'float in [0, 1) or "auto"',
        (
            "Dropout on token embeddings, between recurrent layers and before the head\n"
            '(never on raw numeric features). ``"auto"``: 0.5 for text, token and id input\n'
            "(the embeddings of a large vocabulary overfit without it), 0 for numeric series."
        ),
    ),
    "single_bias": (
        "bool",
        (
            'Keep one bias vector per gate instead of PyTorch\'s two. For ``"rnn"`` and\n'
            '``"lstm"`` the two are only ever summed, so the model is the same and its parameter\n'
            "count equals Keras' ``SimpleRNN``/``LSTM``. For ``\"gru\"`` Keras' default\n"
            "``GRU(reset_after=True)`` keeps two biases, as PyTorch does: its count is matched by\n"
            "``single_bias=False``; ``single_bias=True`` matches the count of\n"
            "``GRU(reset_after=False)``."
        ),
    ),
    "pooling": (
        '{"auto", "last", "mean", "max"}',
        (
            "How the step outputs become one vector, always over each sequence's real steps\n"
            'only: its own last step, the mean or the maximum. ``"auto"`` takes ``"max"``,\n'
            "the most robust choice over seeds on the text and series benchmark datasets."
        ),
    ),
    "conv_blocks": (
        'sequence of (int, int), None or "auto"',
        (
            "Convolution blocks that read the input beside the recurrent layers, as\n"
            "``(filters, width)`` pairs (each: convolution over the steps, batch normalization\n"
            "and ReLU); their output averaged over each sequence's real steps is joined to the\n"
            "pooled recurrent output before the output layer (LSTM-FCN / GRU-FCN, Karim et\n"
            'al., 2017). None: recurrent layers only. ``"auto"``: for numeric series in\n'
            ":class:`RNNClassifier`, ``((128, 8), (256, 5), (128, 3))`` (local shapes wherever\n"
            "they occur: GunPoint 1.000 against 0.973 without, ``benchmarks/baselines.py``);\n"
            "None for :class:`RNNRegressor` (they doubled the error on airline's windows) and\n"
            "for text, token and id input."
        ),
    ),
    "wide_ngrams": (
        '{1, 2}, None or "auto"',
        (
            "Token input: add a linear model over each sequence's words (1), or words and\n"
            "adjacent word pairs (2, hashed into 2**18 buckets), to the network's outputs,\n"
            "trained with it (Wide & Deep, Cheng et al., 2016): the which-words-occur signal\n"
            "that a linear bag-of-n-grams model learns well from a few thousand sentences.\n"
            'None: the recurrent network only. ``"auto"``: 2 for text, token and id input,\n'
            "None for numeric series (``benchmarks/text.py``)."
        ),
    ),
    "naive_bayes": (
        'float or "auto"',
        (
            "With the wide branch (``wide_ngrams``, token input): after training, add this\n"
            "weight (at most 1000) times a multinomial naive Bayes model's log-likelihoods\n"
            "over the same words and word pairs, counted on the fit's ``X``, to the\n"
            "network's outputs at prediction (Wang & Manning, 2012: naive Bayes over word\n"
            "pairs is as accurate as the network on sentence polarity, and errs elsewhere).\n"
            'It never changes training. 0: no naive Bayes. ``"auto"``: one third with words\n'
            "and pairs (each word is in three n-grams, so naive Bayes counts its evidence\n"
            "three times), 1 with words only; 0 without the wide branch, with multilabel\n"
            "``y``, a ``module`` of your own or ``partial_fit`` (which sees mini-batches)."
        ),
    ),
    "embedding_dim": (
        "int",
        ("Size of the token embeddings (text, token and id inputs)."),
    ),
    "embeddings": (
        "mapping, (vectors, tokens) pair, gensim KeyedVectors or None",
        (
            "Pretrained word vectors for the vocabulary; their size must equal\n"
            "``embedding_dim``. Tokens they lack start as small random vectors."
        ),
    ),
    "freeze_embeddings": (
        "bool",
        ("Keep the pretrained vectors fixed during training."),
    ),
    "sparse_embeddings": (
        "bool",
        (
            "Update only the embedding rows each batch uses (sparse gradients and\n"
            "``torch.optim.SparseAdam`` for the embedding table). Pays when the table\n"
            "dominates the epoch (large vocabulary, small network: 0.88x the dense epoch\n"
            "time for 20,000 words and a SimpleRNN of 128 on CPU), but SparseAdam is not\n"
            "Adam (1 point less accurate on MR); see ``benchmarks/speed.py``."
        ),
    ),
    "tokenizer": (
        '{"word", "char", "whitespace"} or callable',
        (
            "How strings are split into tokens: words and punctuation, characters, on\n"
            "whitespace, or your own ``str -> list[str]`` function."
        ),
    ),
    "lowercase": (
        "bool",
        ("Lowercase text before looking tokens up."),
    ),
    "max_vocab": (
        "int or None",
        ("Keep only the most frequent tokens; the others map to the unknown id."),
    ),
    "min_freq": (
        "int",
        ("Keep only tokens seen at least this often in ``fit``."),
    ),
    "max_len": (
        "int or None",
        ("Keep only the first ``max_len`` steps of each sequence."),
    ),
    "standardize": (
        "bool",
        (
            "Standardize numeric features with the per-feature mean and standard deviation\n"
            "seen in ``fit``."
        ),
    ),
    "clip_grad_norm": (
        "float or None",
        (
            "Clip the gradient norm to this value before each step (the guard against\n"
            "exploding gradients); None disables clipping."
        ),
    ),
    "lr": (
        'float or "auto"',
        (
            'Learning rate of the optimizer. ``"auto"``: 2e-3 for text, token and id input,\n'
            "3e-3 for numeric series (with the convolution blocks' batch normalization)."
        ),
    ),
    "lr_schedule": (
        '{"auto", "constant", "cosine"}',
        (
            'How the learning rate moves during a fit. ``"cosine"``: from ``lr`` down to 0\n'
            "along a half cosine over the fit's optimizer steps (each epoch's last rate is in\n"
            '``history[:, \'lr\']``); ``"constant"``: ``lr`` throughout. ``"auto"``: cosine for\n'
            "a ``fit`` on numeric series; constant for text, token and id input (measured: the\n"
            "schedule helped the series benchmarks and cost MR and EWT accuracy), for\n"
            "``partial_fit`` and ``warm_start=True`` (whose calls continue one another) and\n"
            "beside your own skorch ``LRScheduler`` callback. The value a fit used is in\n"
            "``lr_schedule_``."
        ),
    ),
    "max_epochs": (
        'int or "auto"',
        (
            "Passes over the training data (at most: ``n_iter_no_change`` may stop training\n"
            'sooner). ``"auto"`` budgets optimizer steps rather than epochs, so that 50\n'
            "sequences train as long as 50,000: enough epochs for 500 steps of\n"
            "``batch_size``, at least 10 (30 when early stopping is on, which then ends the\n"
            "fit) and at most 500; ``partial_fit`` then trains one epoch per call."
        ),
    ),
    "batch_size": (
        "int",
        (
            "Sequences per batch (training and prediction); per process in a data-parallel\n"
            "fit (``distributed``)."
        ),
    ),
    "optimizer": (
        "torch optimizer class",
        ("Further optimizer arguments go as ``optimizer__name=value``."),
    ),
    "early_stopping": (
        'bool or "auto"',
        (
            "Hold out ``validation_fraction`` of the training data{stratified}, stop when the\n"
            "validation score ({score}) has not improved for ``patience`` epochs, and keep the\n"
            "best epoch's weights. Without it all of ``X`` is used for training. ``True``\n"
            'cannot be combined with ``warm_start=True`` or ``partial_fit``. ``"auto"`` turns\n'
            "it on for a fit on 10,000 sequences or more (as scikit-learn's\n"
            "``HistGradientBoostingClassifier``) and off for smaller data and incremental\n"
            "training."
        ),
    ),
    "validation_fraction": (
        "float",
        ("Share of the training data held out when ``early_stopping=True``."),
    ),
    "patience": (
        "int",
        ("Epochs without improvement before early stopping."),
    ),
    "tol": (
        "float",
        (
            "Without early stopping: the least improvement of the training loss that counts\n"
            "for ``n_iter_no_change``."
        ),
    ),
    "n_iter_no_change": (
        "int or None",
        (
            "Without early stopping, training stops once the training loss has not improved\n"
            "by ``tol`` for this many consecutive epochs (the convergence test of\n"
            "scikit-learn's ``MLPClassifier``); None trains all ``max_epochs``. Off by\n"
            "default: with a few mini-batches per epoch the training loss is noisy, and on\n"
            "GunPoint ``n_iter_no_change=10`` stopped a fit at epoch 61 of 500, at 0.787\n"
            "test accuracy."
        ),
    ),
    "random_state": (
        "int, RandomState instance or None",
        (
            "Seeds weight initialization, batch order, the validation split and dropout, from a\n"
            "random stream of the fit's own, so concurrent fits (threads, Dask workers) do not\n"
            "interfere. Two fits with the same int give identical models on CPU with the same\n"
            "torch version and the same number of torch threads (``torch.get_num_threads()``:\n"
            "parallel reductions round differently with another count). A RandomState gives a\n"
            "seed drawn from it; None draws one from torch's global generator."
        ),
    ),
    "device": (
        "str",
        ('Where to train and predict, e.g. ``"cuda"``.'),
    ),
    "verbose": (
        "int",
        ("1 prints skorch's per-epoch table (losses, validation metric, duration)."),
    ),
    "progress_bar": (
        "bool",
        ("Show a tqdm bar over the batches of each epoch."),
    ),
    "module": (
        "torch.nn.Module class or None",
        (
            "Your own network instead of the built-in one. It is built with\n"
            "``n_outputs``, ``n_ids`` (vocabulary size, or None for numeric input) and\n"
            "``n_features`` (or None for token input), plus any ``module__name=value``\n"
            "arguments, and its ``forward(inputs, lengths)`` receives the padded batch."
        ),
    ),
    "callbacks": (
        "list of skorch callbacks or None",
        ("Extra skorch callbacks (scoring, learning-rate schedules, checkpoints, ...)."),
    ),
    "warm_start": (
        "bool",
        ("Continue training from the fitted state on the next ``fit``."),
    ),
    "distributed": (
        'bool or "auto"',
        (
            'Data-parallel training over ``torch.distributed``: ``"auto"`` trains over the\n'
            "processes of an initialized default process group when it has more than one (a\n"
            "script launched with ``torchrun`` that called\n"
            "``torch.distributed.init_process_group()``), each process on ``batch_size``\n"
            "samples of every global batch, and as usual otherwise; ``False`` always fits in\n"
            "this process alone; ``True`` requires a process group. See the user guide's\n"
            "*Scaling out* page."
        ),
    ),
    "class_weight": (
        'dict, "balanced" or None',
        ("Weights of the classes in the loss, as in scikit-learn."),
    ),
    "scale_target": (
        "bool",
        ("Train on standardized targets (mean 0, variance 1 per output)."),
    ),
}

N_FEATURES_IN = """n_features_in_ : int
        Only for numeric input: the number of columns of ``X`` when it was a 2D array or
        DataFrame (one univariate series per row, so the number of steps, which
        ``predict`` then expects too), otherwise the number of features per step of the
        3D or ragged series. Not set for text, token or id input.
    feature_names_in_ : ndarray of str
        Column names, when ``X`` was a DataFrame of numbers with string column names."""

KWARGS = (
    "**kwargs",
    "Skorch's prefixed parameters, such as ``optimizer__weight_decay=1e-4`` or\n"
    "``criterion__label_smoothing=0.1``, and ``criterion`` (a loss class replacing the\n"
    "default one).",
)


def format_default(value) -> str:
    """A signature default as numpydoc writes it.

    Examples
    --------
    >>> import torch
    >>> format_default("lstm"), format_default(0.001), format_default(torch.optim.Adam)
    ('"lstm"', '0.001', 'torch.optim.Adam')
    """
    if isinstance(value, str):
        return f'"{value}"'
    if inspect.isclass(value):
        return f"{value.__module__.replace('torch.optim.adam', 'torch.optim')}.{value.__name__}"
    return repr(value)


def parameters_section(init, overrides: dict | None = None, **fields) -> str:
    """The numpydoc entries of every parameter of ``init``, indented for a class docstring.

    ``overrides`` maps names to ``(type, description)`` replacing :data:`PARAMETERS`;
    ``fields`` fill the descriptions' placeholders.

    Examples
    --------
    >>> def init(self, *, cell="lstm", hidden_size=128): ...
    >>> print(parameters_section(init).splitlines()[0])
    cell : {"rnn", "lstm", "gru"}, default="lstm"
    """
    table = {**PARAMETERS, **(overrides or {})}
    entries = []
    for name, parameter in inspect.signature(init).parameters.items():
        if name == "self":
            continue
        if parameter.kind is parameter.VAR_KEYWORD:
            kind, description = KWARGS
            entries.append(kind + "\n" + textwrap.indent(description, "        "))
            continue
        kind, description = table[name]
        head = f"{name} : {kind}, default={format_default(parameter.default)}"
        body = textwrap.indent(description.format(**fields), "        ")
        entries.append(head + "\n" + body)
    return "\n    ".join(entries)
