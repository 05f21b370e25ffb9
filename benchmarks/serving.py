"""Prediction speed of the served (ONNX) path beside torch and a hand-written loop.

One command fits a text classifier per cell (``RNNClassifier``, word tokenizer, 20k-word
vocabulary, embedding 100, hidden 128, ``pooling="last"``), exports it and times, in the
same run and interleaved round by round, one thread each:

(c)  ``RNNClassifier.predict``: the estimator, tokenization to label, on torch;
(a)  a hand-written torch loop: tokenize and look ids up by hand, pad, call the same
     ``module_`` under ``torch.inference_mode``, argmax;
(o)  ``ONNXPredictor.predict``: the served model, tokenization to label, no torch;
(o8) the same with the graph's weights quantized to int8 (``--no-int8`` skips it);
and the bare networks: torch's ``module_`` and the ONNX session on an encoded batch.

Reported: one-sequence latency (median over ``--repeats`` single-text calls) and batch
throughput (sequences per second predicting ``--n-batch`` texts in batches of 256, median
of rounds), with ratios to (c); for int8, the share of test predictions that agree with
the float model's and the largest change of a probability.

The generative models (``--tasks seq2seq language_model``; both run by default) are timed
the same way, estimator against ``ONNXPredictor``, one thread each: an ``RNNSeq2Seq``
(LSTM, bidirectional encoder, hidden 128, embedding 64) that reverses and upper-cases
strings of 3 to 10 letters, decoding greedily and with a beam of 5 (``predict`` of one
source, and of ``--n-batch`` sources in batches of 256); a character ``RNNLanguageModel``
(LSTM, hidden 256, embedding 64): ``predict_proba_next`` of one 100-character prefix,
``score`` of ``--n-batch`` 100-character documents (their throughput), and ``sample`` of
100 characters (its latency divided by 100: per written character).

Usage::

    python benchmarks/serving.py                 # rnn, lstm, gru (~2 min on 2 idle cores)
    python benchmarks/serving.py --cells lstm --repeats 200
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from sklearn_rnn import RNNClassifier, RNNLanguageModel, RNNSeq2Seq  # noqa: E402
from sklearn_rnn.encoding import word_tokenize  # noqa: E402
from sklearn_rnn.serving import ONNXPredictor  # noqa: E402

SEED = 0


def make_texts(n: int, vocab: int = 20_000, seed: int = SEED):
    """Review-like texts: Zipf words, ~20 words on average; labels from the words."""
    rng = np.random.default_rng(seed)
    lengths = np.clip(np.round(rng.gamma(3.0, 6.7, n)), 1, 60).astype(int)
    p = 1.0 / (np.arange(1, vocab + 1) + 2.7)
    ids = rng.choice(vocab, size=int(lengths.sum()), p=p / p.sum())
    weights = rng.standard_normal(vocab)
    starts = np.r_[0, np.cumsum(lengths)[:-1]]
    y = (np.add.reduceat(weights[ids], starts) / lengths > 0).astype(int)
    texts = [" ".join(f"w{i}" for i in chunk) for chunk in np.split(ids, starts[1:])]
    return texts, y


class HandLoop:
    """(a): the estimator's network called by hand."""

    def __init__(self, clf):
        self.module = clf.module_.eval()
        self.index = clf.encoder_.vocabulary_.index
        self.classes = clf.classes_

    def predict(self, texts, batch_size=256):
        ids = [[self.index.get(t, 1) for t in word_tokenize(text.lower())] or [1] for text in texts]
        lengths = torch.tensor([len(x) for x in ids])
        order = torch.argsort(lengths)
        out = torch.empty(len(ids), dtype=torch.int64)
        with torch.inference_mode():
            for rows in torch.split(order, batch_size):
                batch = torch.zeros((len(rows), int(lengths[rows].max())), dtype=torch.int64)
                for k, r in enumerate(rows.tolist()):
                    batch[k, : len(ids[r])] = torch.tensor(ids[r])
                out[rows] = self.module(batch, lengths[rows]).argmax(1)
        return self.classes[out.numpy()]


def quantized(path: str, target: str) -> str:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(path, target, weight_type=QuantType.QInt8)
    return target


def median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run_cell(cell: str, args, train, test, tmp: str) -> list[dict]:
    clf = RNNClassifier(
        cell=cell,
        hidden_size=128,
        embedding_dim=100,
        pooling="last",
        max_epochs=1,
        batch_size=64,
        random_state=SEED,
    ).fit(*train)
    path = os.path.join(tmp, f"{cell}.onnx")
    clf.export_onnx(path)
    served = ONNXPredictor(path, n_threads=1, batch_size=256)
    variants = {"c": clf, "a": HandLoop(clf), "o": served}
    if args.int8:
        variants["o8"] = ONNXPredictor(
            quantized(path, os.path.join(tmp, f"{cell}-int8.onnx")), n_threads=1, batch_size=256
        )
    texts, _ = test
    one = [texts[1]]
    batch = texts[: args.n_batch]
    encoded = clf.encoder_.transform(one)
    ids, lengths = encoded.values[None], encoded.lengths
    feed = {"inputs": ids.numpy(), "lengths": lengths.numpy()}
    clf.set_params(batch_size=256)
    # Warm up every path (first calls allocate), then time interleaved rounds.
    for variant in variants.values():
        variant.predict(batch[:300])
    latency = {name: [] for name in [*variants, "torch net", "onnx net"]}
    throughput = {name: [] for name in variants}
    module = clf.module_.eval()
    for _ in range(args.rounds):
        for name, variant in variants.items():
            latency[name].append(median_time(lambda v=variant: v.predict(one), args.repeats))
            seconds = median_time(lambda v=variant: v.predict(batch), 1)
            throughput[name].append(len(batch) / seconds)
        with torch.inference_mode():
            latency["torch net"].append(median_time(lambda: module(ids, lengths), args.repeats))
        session = served.session_
        latency["onnx net"].append(median_time(lambda s=session: s.run(None, feed), args.repeats))
    rows = []
    for name in latency:
        rows.append(
            {
                "cell": cell,
                "variant": name,
                "latency_ms": 1e3 * statistics.median(latency[name]),
                "throughput": statistics.median(throughput[name]) if name in throughput else None,
            }
        )
    if args.int8:
        reference = served.predict_proba(texts)
        q = variants["o8"].predict_proba(texts)
        rows.append(
            {
                "cell": cell,
                "agreement": float((q.argmax(1) == reference.argmax(1)).mean()),
                "max_proba_change": float(np.abs(q - reference).max()),
                "accuracy_float": float((served.predict(texts) == test[1]).mean()),
                "accuracy_int8": float((variants["o8"].predict(texts) == test[1]).mean()),
            }
        )
    return rows


def report(rows: list[dict]) -> None:
    print("| cell | variant | 1-sequence latency (ms) | vs (c) | throughput (seq/s) | vs (c) |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    base = {r["cell"]: r for r in rows if r.get("variant") == "c"}
    for r in rows:
        if "variant" not in r:
            continue
        b = base[r["cell"]]
        speedup = b["latency_ms"] / r["latency_ms"]
        tput = "" if r["throughput"] is None else f"{r['throughput']:,.0f}"
        tratio = "" if r["throughput"] is None else f"{r['throughput'] / b['throughput']:.2f}x"
        print(
            f"| {r['cell']} | {r['variant']} | {r['latency_ms']:.3f} | {speedup:.2f}x | "
            f"{tput} | {tratio} |"
        )
    quant = [r for r in rows if "agreement" in r]
    if quant:
        print(
            "\n| cell | int8 agrees with float | max probability change | accuracy float | int8 |"
        )
        print("| --- | ---: | ---: | ---: | ---: |")
        for r in quant:
            print(
                f"| {r['cell']} | {100 * r['agreement']:.2f} % | {r['max_proba_change']:.3f} | "
                f"{r['accuracy_float']:.3f} | {r['accuracy_int8']:.3f} |"
            )


def _letters(n: int, rng, low: int = 3, high: int = 10) -> list[str]:
    alphabet = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    return ["".join(rng.choice(alphabet, rng.integers(low, high + 1))) for _ in range(n)]


def _timed_pair(estimator_call, served_call, args, n_items: int = 1) -> tuple[float, float]:
    """Median seconds per item of each call, interleaved round by round."""
    times = {"c": [], "o": []}
    for _ in range(args.rounds):
        times["c"].append(median_time(estimator_call, args.repeats) / n_items)
        times["o"].append(median_time(served_call, args.repeats) / n_items)
    return statistics.median(times["c"]), statistics.median(times["o"])


def run_seq2seq(args, tmp: str) -> list[dict]:
    rng = np.random.default_rng(SEED)
    X = _letters(args.n_train, rng)
    model = RNNSeq2Seq(
        hidden_size=128, embedding_dim=64, max_epochs=2, batch_size=64, random_state=SEED
    ).fit(X, [x[::-1].upper() for x in X])
    path = os.path.join(tmp, "seq2seq.onnx")
    model.export_onnx(path)
    served = ONNXPredictor(path, n_threads=1, batch_size=256)
    model.set_params(batch_size=256)
    test = _letters(args.n_batch, rng)
    rows, one = [], [test[0]]
    for beam_size in (1, 5):
        model.set_params(beam_size=beam_size)
        served._decoding.beam_size = beam_size  # the exported beam_size, changed for timing
        assert served.predict(test[:50]) == model.predict(test[:50])
        latency = _timed_pair(lambda: model.predict(one), lambda: served.predict(one), args)
        quick = argparse.Namespace(rounds=args.rounds, repeats=1)
        batch = _timed_pair(
            lambda: model.predict(test), lambda: served.predict(test), quick, len(test)
        )
        rows.append(_pair_row("seq2seq", f"predict, beam {beam_size}", latency, batch))
    return rows


def run_language_model(args, tmp: str) -> list[dict]:
    texts, _ = make_texts(args.n_train // 4 + args.n_batch, vocab=300)
    corpus = [t[:100] for t in texts]
    lm = RNNLanguageModel(
        hidden_size=256, embedding_dim=64, max_epochs=1, bptt=64, random_state=SEED
    ).fit(corpus[: args.n_train // 4])
    path = os.path.join(tmp, "lm.onnx")
    lm.export_onnx(path)
    served = ONNXPredictor(path, n_threads=1, batch_size=256)
    lm.set_params(batch_size=256)
    test = corpus[args.n_train // 4 :]
    prefix = test[0]
    assert lm.sample(100, "w1", random_state=0) == served.sample(100, "w1", random_state=0)
    quick = argparse.Namespace(rounds=args.rounds, repeats=1)
    next_latency = _timed_pair(
        lambda: lm.predict_proba_next(prefix), lambda: served.predict_proba_next(prefix), args
    )
    score = _timed_pair(lambda: lm.score(test), lambda: served.score(test), quick, len(test))
    one_doc = _timed_pair(lambda: lm.score(prefix), lambda: served.score(prefix), args)
    sample = _timed_pair(
        lambda: lm.sample(100, random_state=0),
        lambda: served.sample(100, random_state=0),
        quick,
        100,
    )
    return [
        _pair_row("language_model", "predict_proba_next", next_latency, None),
        _pair_row("language_model", "score", one_doc, score),
        _pair_row("language_model", "sample (per character)", sample, None),
    ]


def _pair_row(task, operation, latency, batch) -> dict:
    return {
        "task": task,
        "operation": operation,
        "latency_ms": [1e3 * t for t in latency],
        "throughput": None if batch is None else [1.0 / t for t in batch],
    }


def report_generative(rows: list[dict]) -> None:
    print(
        "\n| task | operation | 1-sequence latency, estimator (ms) | served (ms) | speed-up | "
        "throughput, estimator (seq/s) | served (seq/s) | speed-up |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        (c, o), t = r["latency_ms"], r["throughput"]
        tput = "| | |" if t is None else f"| {t[0]:,.0f} | {t[1]:,.0f} | {t[1] / t[0]:.2f}x |"
        print(f"| {r['task']} | {r['operation']} | {c:.3f} | {o:.3f} | {c / o:.2f}x {tput}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", nargs="+", default=["rnn", "lstm", "gru"])
    parser.add_argument("--repeats", type=int, default=300, help="single-text calls per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--n-train", type=int, default=4000)
    parser.add_argument("--n-batch", type=int, default=2048)
    parser.add_argument("--no-int8", dest="int8", action="store_false")
    parser.add_argument("--tasks", nargs="+", default=["classifier", "seq2seq", "language_model"])
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    texts, y = make_texts(args.n_train + args.n_batch)
    train = (texts[: args.n_train], y[: args.n_train])
    test = (texts[args.n_train :], y[args.n_train :])
    rows, generative = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for cell in args.cells if "classifier" in args.tasks else []:
            print(f"[{cell}] fitting, exporting, timing", file=sys.stderr)
            rows += run_cell(cell, args, train, test, tmp)
        for task, run in (("seq2seq", run_seq2seq), ("language_model", run_language_model)):
            if task in args.tasks:
                print(f"[{task}] fitting, exporting, timing", file=sys.stderr)
                generative += run(args, tmp)
    print(f"torch {torch.__version__}, one thread")
    if rows:
        print("\nText classifier: texts of ~20 words, vocabulary 20k\n")
        report(rows)
    if generative:
        report_generative(generative)


if __name__ == "__main__":
    main()
