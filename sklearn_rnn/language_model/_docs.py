"""The docstring of RNNLanguageModel and its own parameter descriptions (see ``_docs``)."""

DOC = """Recurrent language model: reads text token by token and predicts the next one.

    The character-level RNN of Karpathy (2015), or a word-level one: ``fit`` on one long
    string, a list of documents or a list of token lists; ``score`` new text (mean
    log-likelihood per token), ask for the next token's probabilities, look at the
    hidden states, and ``sample`` new text. Long texts train with truncated
    backpropagation through time: the corpus is cut into ``batch_size`` parallel
    streams read ``bptt`` tokens at a time, the hidden state carried from one chunk
    to the next and its gradient cut at the border. Each document is read after a
    boundary token ``<eos>`` (so its first token is predicted too); documents are
    joined into one stream with a boundary between them.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    classes_ : ndarray of str, shape (n_classes,)
        The tokens the model predicts, the columns of :meth:`predict_proba_next`:
        ``"<unk>"`` (tokens cut by ``max_vocab``/``min_freq``), the boundary
        ``"<eos>"``, then the vocabulary by decreasing frequency.
    encoder_ : CorpusEncoder
        The tokenizer and the vocabulary learned in ``fit``.
    n_outputs_ : int
        ``len(classes_)``.
    module_ : LanguageModelNetwork
        The trained network.
    history_ : skorch.History
        Per-epoch training loss (nats per token).

    Examples
    --------
    >>> from sklearn_rnn import RNNLanguageModel
    >>> lm = RNNLanguageModel(hidden_size=32, embedding_dim=8, bptt=16, batch_size=4,
    ...                       lr=0.01, max_epochs=15, random_state=0)
    >>> lm = lm.fit("abcabcabcabc" * 20)
    >>> lm.sample(9, prompt="ab", random_state=0)
    'abcabcabcab'
    >>> round(lm.perplexity("abcabc"), 1) < 2.0
    True
    """

OVERRIDES = {
    "hidden_size": ("int", "Units of each recurrent layer."),
    "dropout": (
        "float in [0, 1)",
        "Dropout on the token embeddings, between recurrent layers and before the output layer.",
    ),
    "embedding_dim": (
        "int",
        (
            "Size of the token embeddings. Characters start at ``N(0, 1)``, other tokens\n"
            "at ``N(0, 0.1)``, small enough for the text to shape them (what\n"
            ":func:`~sklearn_rnn.pretraining.init_from_language_model` hands a classifier)."
        ),
    ),
    "tokenizer": (
        '{"char", "word", "whitespace"} or callable',
        (
            "How strings are split into tokens: characters, words and punctuation, on\n"
            "whitespace, or your own ``str -> list[str]`` function. Sampled text is joined\n"
            'without separator for ``"char"`` and with spaces otherwise.'
        ),
    ),
    "lowercase": ("bool", "Lowercase text before the vocabulary lookup."),
    "bptt": (
        "int",
        (
            "Steps of truncated backpropagation through time: the length of each training\n"
            "chunk; gradients flow back at most this many tokens."
        ),
    ),
    "batch_size": (
        "int",
        (
            "Parallel streams the corpus is cut into for training (fewer when a stream would\n"
            "be shorter than ``bptt``; per process in a data-parallel fit), and documents per\n"
            "batch when reading text."
        ),
    ),
    "max_epochs": ("int", "Passes over the training corpus."),
    "lr_schedule": (
        '{"auto", "constant", "cosine"}',
        (
            '``"cosine"``: lower the learning rate from ``lr`` to 0 along a half cosine over\n'
            "the fit's steps (each epoch's last rate in ``history[:, 'lr']``). ``\"auto\"`` and\n"
            '``"constant"`` keep ``lr`` throughout: over the default 10 epochs the constant rate\n'
            "reached the lower tiny-shakespeare loss. The value a fit used is in\n"
            "``lr_schedule_``."
        ),
    ),
    "clip_grad_norm": (
        "float or None",
        "Clip the gradient norm to this value before each step; None disables clipping.",
    ),
    "module": (
        "torch.nn.Module class or None",
        (
            "Your own network, built with ``n_outputs``, ``n_ids``, ``n_features`` (None) and\n"
            "``module__*`` arguments; ``forward(inputs, state)`` takes ``(B, T)`` ids and a\n"
            "state (None at the start) and returns ``(B, T, n_outputs)`` logits and the new\n"
            "state, as :class:`~sklearn_rnn.language_model._network.LanguageModelNetwork` does."
        ),
    ),
}
