"""Parameter descriptions shared by the estimators' docstrings (numpydoc)."""

MODEL_PARAMETERS = """\
cell : {{"rnn", "lstm", "gru"}}, default="lstm"
        The recurrent cell: ``"rnn"`` is a SimpleRNN (tanh), ``"lstm"`` and ``"gru"``
        the gated cells.
    hidden_size : int, default=128
        Units per direction of each recurrent layer.
    num_layers : int, default=1
        Stacked recurrent layers.
    bidirectional : bool, default={bidirectional}
        Also read each sequence backwards (each sequence is reversed within its own
        length, so padding never leaks in).
    dropout : float in [0, 1), default={dropout}
        Dropout on token embeddings, between recurrent layers and before the head
        (never on raw numeric features).
    single_bias : bool, default=False
        Keep one bias vector per gate, as Keras does, instead of PyTorch's two (the
        parameter counts of :meth:`summary` then equal Keras')."""

POOLING_PARAMETER = """
    pooling : {"auto", "last", "mean", "max"}, default="auto"
        How the step outputs become one vector, always over each sequence's real steps
        only: its own last step, the mean or the maximum. ``"auto"`` takes ``"max"`` for
        text and token inputs and ``"last"`` for numeric series (the best choice on the
        benchmark datasets)."""

INPUT_PARAMETERS = """
    embedding_dim : int, default=100
        Size of the token embeddings (text, token and id inputs).
    embeddings : mapping, (vectors, tokens) pair, gensim KeyedVectors or None, default=None
        Pretrained word vectors for the vocabulary; their size must equal
        ``embedding_dim``. Tokens they lack start as small random vectors.
    freeze_embeddings : bool, default=False
        Keep the pretrained vectors fixed during training.
    sparse_embeddings : bool, default=False
        Update only the embedding rows each batch uses (sparse gradients and
        ``torch.optim.SparseAdam`` for the embedding table). Pays when the table
        dominates the epoch (large vocabulary, small network: 0.88x the dense epoch
        time for 20,000 words and a SimpleRNN of 128 on CPU), but SparseAdam is not
        Adam (1 point less accurate on MR); see ``benchmarks/speed.py``.
    tokenizer : {"word", "char", "whitespace"} or callable, default="word"
        How strings are split into tokens: words and punctuation, characters, on
        whitespace, or your own ``str -> list[str]`` function.
    lowercase : bool, default=True
        Lowercase text before looking tokens up.
    max_vocab : int or None, default=None
        Keep only the most frequent tokens; the others map to the unknown id.
    min_freq : int, default=1
        Keep only tokens seen at least this often in ``fit``.
    max_len : int or None, default=None
        Keep only the first ``max_len`` steps of each sequence.
    standardize : bool, default=True
        Standardize numeric features with the per-feature mean and standard deviation
        seen in ``fit``."""

TRAINING_PARAMETERS = """
    clip_grad_norm : float or None, default=1.0
        Clip the gradient norm to this value before each step (the guard against
        exploding gradients); None disables clipping.
    lr : float, default={lr}
        Learning rate of the optimizer.
    max_epochs : int, default={max_epochs}
        Passes over the training data.
    batch_size : int, default={batch_size}
        Sequences per batch (training and prediction).
    optimizer : torch optimizer class, default=torch.optim.Adam
        Further optimizer arguments go as ``optimizer__name=value``.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data{stratified}, stop when the
        validation score (accuracy for the classifier, loss otherwise) has not improved
        for ``patience`` epochs, and keep the best epoch's weights. Without it all of
        ``X`` is used for training.
    validation_fraction : float, default=0.1
        Share of the training data held out when ``early_stopping=True``.
    patience : int, default=5
        Epochs without improvement before early stopping."""

COMMON_PARAMETERS = """
    random_state : int or None, default=None
        Seeds weight initialization, batch order and dropout; two fits with the same
        value give identical models on CPU. None draws from torch's global generator.
    device : str, default="cpu"
        Where to train and predict, e.g. ``"cuda"``.
    verbose : int, default=0
        1 prints skorch's per-epoch table (losses, validation metric, duration).
    progress_bar : bool, default=False
        Show a tqdm bar over the batches of each epoch.
    module : torch.nn.Module class or None, default=None
        Your own network instead of the built-in one. It is built with
        ``n_outputs``, ``n_ids`` (vocabulary size, or None for numeric input) and
        ``n_features`` (or None for token input), plus any ``module__name=value``
        arguments, and its ``forward(inputs, lengths)`` receives the padded batch.
    callbacks : list of skorch callbacks or None, default=None
        Extra skorch callbacks.
    warm_start : bool, default=False
        Continue training from the fitted state on the next ``fit``.
    **kwargs
        skorch's prefixed parameters, such as ``optimizer__weight_decay=1e-4``."""
