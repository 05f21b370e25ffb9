"""Save and load fitted estimators without pickle.

A model file is a zip archive with exactly two members:

``config.json``
    Everything that is not a weight, as JSON: the file format name and version, the
    library and torch versions that wrote it, the estimator class name, its constructor
    parameters, its fitted attributes (every attribute ending in ``_`` that ``fit`` set:
    encoder with its vocabulary or scaling statistics, label encoder classes, target
    scaling, ...), the training history, the names of the weight tensors of each module
    and the SHA-256 of ``model.safetensors``.
``model.safetensors``
    The tensors: the ``state_dict`` of each network (``module_/<key>``, ``criterion_/<key>``)
    and every numeric array among the parameters and fitted attributes (``arrays/<n>``,
    referenced from ``config.json``), stored bit-exactly.

Loading reads JSON and safetensors only, so a file from an untrusted source cannot run
code; the estimator class, encoder classes and optimizer classes are looked up in fixed
tables, never imported by name. What cannot be stored this way (a custom ``module``
class, a callable ``tokenizer``, ``callbacks``, an optimizer outside ``torch.optim``)
makes :func:`save` raise a ``ValueError``; use pickle/joblib for such models, and load
those only from sources you trust.

A file that :func:`load` cannot accept (not a model file, e.g. a pickle; truncated or
corrupted; written by a newer format version; weights that do not fit the architecture
its parameters describe) raises :class:`ModelFileError`, a ``ValueError``.

Not stored: the optimizer state (``fit`` with ``warm_start=True`` on a loaded model
continues from its weights with a fresh optimizer), and the training history when it
holds something other than plain data (``save`` warns and drops it). Pretrained
``embeddings`` are stored as a ``(vectors, tokens)`` pair restricted to the fitted
vocabulary, so a refit of a loaded model on new text has no pretrained vectors for
words outside that vocabulary. Suggested file suffix: ``.sklearn_rnn``.
"""

from sklearn_rnn.persistence._container import read_config
from sklearn_rnn.persistence._save_load import load, save

__all__ = ["load", "read_config", "save"]
