"""Entities (chunks) of tag sequences: tagging schemes and the two chunking conventions."""

_SCHEME_ALIASES = {
    "IOB1": "IOB1",
    "IOB2": "IOB2",
    "BIO": "IOB2",
    "IOBES": "IOBES",
    "BIOES": "IOBES",
    "BILOU": "BILOU",
}
_MODES = ("default", "strict")

# Strict chunking rules, one table per scheme. A rule "PC=" matches a pair of consecutive tags
# whose prefixes are P (previous) and C (current); "*" stands for any prefix. The last character
# constrains the entity types: "=" same, "!" different, "*" any. A chunk opens at a tag matching
# a `start` rule, extends over tags matching an `inside` rule, and counts only when the tag after
# it matches an `end` rule (the sequence is followed by an implicit "O"). These are the
# semantics of seqeval's `seqeval.scheme` classes.
_STRICT_RULES = {
    "IOB1": {
        "allowed": "IOB",
        "start": ("OI*", "II!", "BI*", "IB=", "BB="),
        "inside": ("BI=", "II="),
        "end": ("II!", "IO*", "IB*", "BO*", "BI!", "BB="),
    },
    "IOB2": {
        "allowed": "IOB",
        "start": ("*B*",),
        "inside": ("BI=", "II="),
        "end": ("IO*", "II!", "IB*", "BO*", "BI!", "BB*"),
    },
    "IOBES": {
        "allowed": "IOBES",
        "start": ("*B*", "*S*"),
        "inside": ("BI=", "BE=", "II=", "IE="),
        "end": ("S**", "E**"),
    },
    "BILOU": {
        "allowed": "BILOU",
        "start": ("*B*", "*U*"),
        "inside": ("BI=", "BL=", "II=", "IL="),
        "end": ("U**", "L**"),
    },
}
_OUTSIDE = ("O", "_")


# ---------------------------------------------------------------------------- validation


def _check_scheme(scheme):
    key = scheme.upper() if isinstance(scheme, str) else None
    if key not in _SCHEME_ALIASES:
        raise ValueError(f"scheme must be one of {sorted(_SCHEME_ALIASES)}, got {scheme!r}.")
    return _SCHEME_ALIASES[key]


def _check_mode(mode):
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {list(_MODES)}, got {mode!r}.")
    return mode


def _split_tag(label, allowed, scheme, mode):
    """``'B-PER'`` -> ``('B', 'PER')``; ``'O'`` -> ``('O', '_')``; a bare ``'B'`` has type '_'."""
    if not isinstance(label, str):
        raise TypeError(
            f"entity labels must be strings such as 'B-PER' or 'O', got {label!r} "
            f"of type {type(label).__name__}."
        )
    prefix = label[:1]
    if not prefix or prefix not in allowed or (len(label) > 1 and label[1] != "-"):
        raise ValueError(
            f"label {label!r} is not a valid tag for scheme={scheme!r}, mode={mode!r}: "
            f"expected 'O' or a prefix in {sorted(set(allowed) - {'O'})} followed by "
            f"'-' and the entity type, such as 'B-PER'."
        )
    return prefix, label[2:] or "_"


# ---------------------------------------------------------------------------- chunking


def _default_ends(prev, cur):
    """Whether a chunk ends just before ``cur`` (seqeval's ``end_of_chunk``, prefixes in BIESO)."""
    (prev_prefix, prev_type), (prefix, type_) = prev, cur
    if prev_prefix == "O":
        return False
    return prev_prefix in "ES" or prefix in "BSO" or prev_type != type_


def _default_starts(prev, cur):
    """Whether a chunk starts at ``cur`` (seqeval's ``start_of_chunk``, prefixes in BIESO)."""
    (prev_prefix, prev_type), (prefix, type_) = prev, cur
    if prefix == "O":
        return False
    return prefix in "BS" or prev_prefix in "ESO" or prev_type != type_


def _default_entities(tags):
    entities = []
    prev, start = _OUTSIDE, 0
    for i, cur in enumerate([*tags, _OUTSIDE]):
        if _default_ends(prev, cur):
            entities.append((prev[1], start, i - 1))
        if _default_starts(prev, cur):
            start = i
        prev = cur
    return entities


def _matches(rules, prev, cur):
    same_type = prev[1] == cur[1]
    for prev_prefix, prefix, types in rules:
        if (
            prev_prefix in ("*", prev[0])
            and prefix in ("*", cur[0])
            and (types == "*" or (types == "=") == same_type)
        ):
            return True
    return False


def _strict_entities(tags, rules):
    tags = [*tags, _OUTSIDE]  # no rule lets "O" be inside a chunk, so every scan stops here
    entities = []
    i, prev = 0, _OUTSIDE
    while i < len(tags):
        if _matches(rules["start"], prev, tags[i]):
            stop = i + 1
            while _matches(rules["inside"], tags[stop - 1], tags[stop]):
                stop += 1
            if _matches(rules["end"], tags[stop - 1], tags[stop]):
                entities.append((tags[i][1], i, stop - 1))
            i = stop  # the scan resumes at the tag that broke the chunk
        else:
            i += 1
        prev = tags[i - 1]
    return entities


def _entities(seq, scheme, mode):
    if mode == "strict":
        rules = _STRICT_RULES[scheme]
        return _strict_entities([_split_tag(t, rules["allowed"], scheme, mode) for t in seq], rules)
    if scheme == "BILOU":
        tags = [_split_tag(t, "BIESOLU", scheme, mode) for t in seq]
        tags = [({"L": "E", "U": "S"}.get(p, p), typ) for p, typ in tags]
    else:
        tags = [_split_tag(t, "BIESO", scheme, mode) for t in seq]
    return _default_entities(tags)


def get_entities(seq, scheme="IOB2", mode="default"):
    """Return the entities (chunks) of one tag sequence.

    Parameters
    ----------
    seq : sequence of str
        Tags of one sequence, such as ``["B-PER", "I-PER", "O"]``.
    scheme : {"IOB2", "IOB1", "IOBES", "BILOU"}, default="IOB2"
        Tagging scheme, case-insensitive; ``"BIO"`` is accepted for IOB2 and ``"BIOES"`` for
        IOBES.
    mode : {"default", "strict"}, default="default"
        ``"default"`` chunks like seqeval's ``get_entities`` (the ``conlleval`` rules on
        ``B-``/``I-``/``O`` and on ``I-``/``E-``/``O`` tags, seqeval's own for ``S-`` tags and
        for ``E-`` mixed with ``B-``; see :mod:`sklearn_rnn.metrics`); ``"strict"`` keeps only
        chunks well formed under ``scheme``, like seqeval's ``mode="strict"``.

    Returns
    -------
    entities : list of (str, int, int)
        ``(type, start, end)`` of each entity in order, ``end`` inclusive.

    Examples
    --------
    >>> from sklearn_rnn.metrics import get_entities
    >>> get_entities(["B-PER", "I-PER", "O", "B-LOC"])
    [('PER', 0, 1), ('LOC', 3, 3)]
    >>> get_entities(["O", "I-PER", "I-PER"])                 # conlleval opens a chunk at I-
    [('PER', 1, 2)]
    >>> get_entities(["O", "I-PER", "I-PER"], mode="strict")  # IOB2 needs a B- first
    []
    >>> get_entities(["S-LOC", "B-PER", "E-PER"], scheme="IOBES", mode="strict")
    [('LOC', 0, 0), ('PER', 1, 2)]
    >>> get_entities(["E-PER", "B-PER"])  # seqeval's rule; conlleval.pl reads one chunk
    [('PER', 0, 0), ('PER', 1, 1)]
    """
    scheme, mode = _check_scheme(scheme), _check_mode(mode)
    if isinstance(seq, (str, bytes)) or not hasattr(seq, "__iter__"):
        raise TypeError(f"seq must be a sequence of tags, got {type(seq).__name__}.")
    return _entities(list(seq), scheme, mode)
