"""Grapheme-to-phoneme conversion with RNNSeq2Seq: CMUdict, and the SIGMORPHON 2021 task.

SIGMORPHON (``--languages``): reads any folder in the shared task's format,
``{language}_train.tsv`` and ``{language}_test.tsv`` (``spelling<TAB>space-separated
phones`` per line), fits ``RNNSeq2Seq``'s defaults on each language's training words
(``target_tokenizer="whitespace"``, ``random_state=0``, nothing else set) and prints each
language's test word error rate (WER, %: the share of words whose whole phone sequence is
wrong) and phone error rate (PER, %), with greedy decoding beside the default beam, next
to the shared task's baseline (``BASELINE_WER``), then the macro WER over the languages
on a last line ``g2p: macro WER <x> over <n> languages``. The medium-resource subtask
has 8,000 training and 1,000 test words per language.

Accuracy: ``RNNSeq2Seq`` trained on the training side of a deterministic word-grouped
split of CMUdict (``split_pronunciations``, ~10 % of the words held out: ~12.8k test
words), stress digits removed (39 phones, as in the G2P literature). Reported on the test
words: the word error rate (WER, the share of words whose predicted pronunciation is
none of the dictionary's pronunciations of the word) and the phone error rate (PER, edits
against the closest of the word's pronunciations over that pronunciation's length),
for greedy decoding and for beam search, with the training time and the decoding time
of 10,000 words.

Speed (``--speed``): the library's encoder (input layer + recurrent core, bidirectional,
padding harmless) against the fused-kernel floor, ``nn.LSTM(bidirectional=True)`` on
the same padded batches (which lets padding into the backward direction); and one
training epoch of ``RNNSeq2Seq`` against a hand-written PyTorch loop (same network,
same initial weights, same batches, Adam, gradient clipping). Interleaved repeats,
medians, ratios.

Usage::

    python benchmarks/g2p.py --data-dir ../shared/data/sigmorphon2021 \
        --languages arm_e,geo,hbs_latn,hun,jpn_hira,vie_hanoi  # the defaults, per language
    python benchmarks/g2p.py                                 # full CMUdict, the defaults
    python benchmarks/g2p.py --train-limit 20000 --max-epochs 3     # a quick look
    python benchmarks/g2p.py --speed --no-accuracy           # the speed ratios only
    python benchmarks/g2p.py --num-layers 2 --hidden-size 192 --dropout 0.1 \
        --label-smoothing 0.1 --lr-schedule cosine --max-epochs 12  # README figures
    python benchmarks/g2p.py --curve 2000 --time-budget 30   # WER after each epoch, and
                                                             # no epoch started after 30 min

Published figures on CMUdict (their own splits; compare in spirit): encoder-decoder
LSTM 28.6 % WER / 7.6 % PER, alignment-based bidirectional LSTM 23.6 % / 5.5 % (Yao &
Zweig 2015), joint-sequence n-gram 24.4 % / 5.9 % (Bisani & Ney 2008).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import torch

from sklearn_rnn import RNNSeq2Seq
from sklearn_rnn._base._batches import IGNORE_INDEX, length_grouped_batches
from sklearn_rnn.datasets import load_cmudict, split_pronunciations
from sklearn_rnn.metrics import edit_distance, sequence_error_rate, token_error_rate

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT.parent / "shared" / "data"

#: The SIGMORPHON 2021 task 1 baseline's test WER (%) on the medium-resource languages
#: (the task's README: an ensembled neural transducer trained by imitation learning,
#: Makarov & Clematide 2018; the subtask's other four languages are not in our copy).
BASELINE_WER = {
    "arm_e": 7.0,
    "geo": 0.0,
    "hbs_latn": 32.1,
    "hun": 1.8,
    "jpn_hira": 5.2,
    "vie_hanoi": 2.5,
}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="the folder holding cmudict/ (default: the shared data folder); with "
        "--languages, the folder of the SIGMORPHON files (default: its sigmorphon2021/)",
    )
    parser.add_argument(
        "--languages",
        type=lambda text: [name for name in text.split(",") if name],
        default=None,
        help="comma-separated SIGMORPHON languages (file prefixes): run those instead of CMUdict",
    )
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    parser.add_argument("--train-limit", type=int, default=None, help="first N train entries")
    parser.add_argument("--test-limit", type=int, default=None, help="first N test words")
    parser.add_argument("--stress", action="store_true", help="keep the stress digits")
    parser.add_argument("--hidden-size", type=int, default=None)
    parser.add_argument("--num-layers", type=int, default=None)
    parser.add_argument("--dropout", type=float, default=None)
    parser.add_argument(
        "--label-smoothing",
        type=float,
        default=None,
        help="RNNSeq2Seq's label_smoothing (CrossEntropyLoss's)",
    )
    parser.add_argument(
        "--normalization",
        choices=["NFD", "NFC", "NFKD", "NFKC", "none"],
        default=None,
        help="RNNSeq2Seq's Unicode normalization of the spellings (none: as written)",
    )
    parser.add_argument("--max-epochs", type=int, default=None)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--lr", type=float, default=None)
    parser.add_argument(
        "--lr-schedule",
        choices=["auto", "constant", "cosine"],
        default=None,
        help="cosine: decay the learning rate over the fit (not with --curve, whose one-epoch "
        "fits would each decay)",
    )
    parser.add_argument("--beam-sizes", type=int, nargs="+", default=[1, 5])
    parser.add_argument("--random-state", type=int, default=0)
    parser.add_argument("--verbose", type=int, default=1)
    parser.add_argument("--speed", action="store_true", help="also time the speed ratios")
    parser.add_argument("--no-accuracy", action="store_true", help="skip the accuracy run")
    parser.add_argument("--repeats", type=int, default=5, help="speed repeats (median)")
    parser.add_argument(
        "--curve",
        type=int,
        default=0,
        help="train epoch by epoch (warm_start) and print greedy WER/PER on the first N test "
        "words after each; 0 trains in one fit call",
    )
    parser.add_argument(
        "--time-budget",
        type=float,
        default=None,
        help="with --curve: minutes of training after which no further epoch starts",
    )
    return parser.parse_args(argv)


def load_split(args) -> tuple[list, list, dict]:
    """Training words and pronunciations, and the test words' pronunciations."""
    path = (args.data_dir or DATA_DIR) / "cmudict" / "cmudict.dict"
    words, phones = load_cmudict(path, stress=args.stress)
    w_train, w_test, p_train, p_test = split_pronunciations(words, phones, test_size=0.1)
    references = defaultdict(list)
    for word, pronunciation in zip(w_test, p_test, strict=True):
        references[word].append(pronunciation)
    if args.test_limit is not None:
        references = dict(list(references.items())[: args.test_limit])
    if args.train_limit is not None:
        w_train, p_train = w_train[: args.train_limit], p_train[: args.train_limit]
    return w_train, p_train, dict(references)


def error_rates(references: dict, predicted: list) -> tuple[float, float]:
    """WER and PER, each prediction scored against the closest of its word's references."""
    closest = [
        min(refs, key=lambda ref: edit_distance(ref, pred))
        for refs, pred in zip(references.values(), predicted, strict=True)
    ]
    return sequence_error_rate(closest, predicted), token_error_rate(closest, predicted)


def train_by_epoch(model, w_train, p_train, references: dict, args) -> float:
    """Fit one epoch at a time, printing greedy error rates on a test sample after each.

    Returns the training seconds (the evaluations not counted). The same model as one
    fit call: warm_start continues the same optimizer and random stream.
    """
    epochs = model.max_epochs
    model.set_params(max_epochs=1, warm_start=True)
    sample = dict(list(references.items())[: args.curve])
    seconds = 0.0
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        model.fit(w_train, p_train)
        seconds += time.perf_counter() - start
        beam_size = model.beam_size
        model.set_params(beam_size=1)
        wer, per = error_rates(sample, model.predict(list(sample)))
        model.set_params(beam_size=beam_size)
        print(
            f"epoch {epoch}: {seconds / 60:.1f} min of training, greedy WER {100 * wer:.1f} % "
            f"PER {100 * per:.2f} % on {len(sample)} test words",
            flush=True,
        )
        if args.time_budget is not None and seconds / 60 > args.time_budget:
            break
    model.set_params(max_epochs=epochs, warm_start=False)
    return seconds


def model_parameters(args) -> dict:
    given = {
        "hidden_size": args.hidden_size,
        "num_layers": args.num_layers,
        "dropout": args.dropout,
        "max_epochs": args.max_epochs,
        "batch_size": args.batch_size,
        "lr": args.lr,
        "lr_schedule": args.lr_schedule,
        "label_smoothing": args.label_smoothing,
        "normalization": args.normalization,
    }
    params = {k: v for k, v in given.items() if v is not None}
    if params.get("normalization") == "none":
        params["normalization"] = None
    return params


def accuracy_run(args) -> dict:
    w_train, p_train, references = load_split(args)
    test_words = list(references)
    params = model_parameters(args)
    model = RNNSeq2Seq(**params, random_state=args.random_state, verbose=args.verbose)
    print(f"training on {len(w_train)} entries, {model.get_params()}", file=sys.stderr)
    # CPU time next to wall time: on shared cores the wall time counts other programs too.
    cpu_start = time.process_time()
    if args.curve:
        train_seconds = train_by_epoch(model, w_train, p_train, references, args)
    else:
        start = time.perf_counter()
        model.fit(w_train, p_train)
        train_seconds = time.perf_counter() - start
    train_cpu = time.process_time() - cpu_start  # with --curve, the evaluations too
    rows = []
    for beam_size in args.beam_sizes:
        model.set_params(beam_size=beam_size)
        start, cpu_start = time.perf_counter(), time.process_time()
        predicted = model.predict(test_words)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        wer, per = error_rates(references, predicted)
        per_10k = 10_000 / len(test_words)
        rows.append((beam_size, wer, per, seconds * per_10k, cpu * per_10k))
    print(f"\n## CMUdict G2P ({len(w_train)} training entries, {len(test_words)} test words)\n")
    print(
        f"settings: {params or 'the defaults'}, stress={'kept' if args.stress else 'removed'}, "
        f"torch threads={torch.get_num_threads()}, random_state={args.random_state}"
    )
    print(
        f"training time: {train_seconds / 60:.1f} min for {len(model.history_)} epochs, "
        f"{train_cpu / 60:.1f} min of CPU time "
        f"(last train loss {model.history_[-1]['train_loss']:.4f})\n"
    )
    print("| decoding | WER | PER | seconds per 10,000 words (CPU seconds) |")
    print("| --- | ---: | ---: | ---: |")
    for beam_size, wer, per, seconds, cpu in rows:
        name = "greedy" if beam_size == 1 else f"beam {beam_size}"
        print(f"| {name} | {100 * wer:.1f} % | {100 * per:.2f} % | {seconds:.1f} ({cpu:.1f}) |")
    return {"train_seconds": train_seconds, "train_cpu_seconds": train_cpu, "rows": rows}


# -- SIGMORPHON ---------------------------------------------------------------------------


def read_sigmorphon(path: Path) -> tuple[list[str], list[list[str]]]:
    """Spellings and phone lists of one SIGMORPHON file (``spelling<TAB>phones`` lines)."""
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} does not exist: --data-dir must hold the shared task's "
            "{language}_train.tsv and {language}_test.tsv files (github.com/sigmorphon/"
            "2021-task1, data/medium/)."
        )
    words, phones = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            spelling, pronunciation = line.split("\t")
            words.append(spelling)
            phones.append(pronunciation.split())
    return words, phones


def sigmorphon_run(args) -> dict:
    """Fit the defaults on each language; print its WER and PER, and the macro WER."""
    folder = args.data_dir or DATA_DIR / "sigmorphon2021"
    params = model_parameters(args)
    print(
        f"settings: {params or 'the defaults'}, random_state={args.random_state}, "
        f"torch threads={torch.get_num_threads()}\n"
    )
    print("| language | WER | PER | greedy WER | baseline WER | training min (CPU min) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    results = {}
    for language in args.languages:
        w_train, p_train = read_sigmorphon(folder / f"{language}_train.tsv")
        w_test, p_test = read_sigmorphon(folder / f"{language}_test.tsv")
        model = RNNSeq2Seq(
            **params,
            target_tokenizer="whitespace",
            random_state=args.random_state,
            verbose=args.verbose,
        )
        start, cpu_start = time.perf_counter(), time.process_time()
        model.fit(w_train, p_train)
        minutes = (time.perf_counter() - start) / 60
        cpu_minutes = (time.process_time() - cpu_start) / 60
        predicted = model.predict(w_test)
        wer = 100 * sequence_error_rate(p_test, predicted)
        per = 100 * token_error_rate(p_test, predicted)
        beam_size = model.beam_size
        greedy = model.set_params(beam_size=1).predict(w_test)
        model.set_params(beam_size=beam_size)
        greedy_wer = 100 * sequence_error_rate(p_test, greedy)
        baseline = BASELINE_WER.get(language)
        print(
            f"| {language} | {wer:.1f} | {per:.2f} | {greedy_wer:.1f} | "
            f"{'—' if baseline is None else f'{baseline:.1f}'} | {minutes:.1f} "
            f"({cpu_minutes:.1f}) |",
            flush=True,
        )
        results[language] = {
            "wer": wer,
            "per": per,
            "greedy_wer": greedy_wer,
            "minutes": minutes,
            "epochs": len(model.history_),
        }
    macro = statistics.mean(r["wer"] for r in results.values())
    known = [language for language in results if language in BASELINE_WER]
    if known:
        baseline = statistics.mean(BASELINE_WER[language] for language in known)
        print(f"\nthe baseline's macro WER over {len(known)} of these languages: {baseline:.2f}")
    print(f"g2p: macro WER {macro:.2f} over {len(results)} languages")
    return {"languages": results, "macro_wer": macro}


# -- speed --------------------------------------------------------------------------------


def _median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def speed_run(args) -> dict:
    w_train, p_train, _ = load_split(args)
    w_train, p_train = w_train[:3000], p_train[:3000]
    params = {**model_parameters(args), "max_epochs": 1}
    model = RNNSeq2Seq(**params, random_state=0).fit(w_train, p_train)
    dataset = model.get_dataset(w_train, p_train)
    generator = torch.Generator().manual_seed(0)
    batches = [
        dataset.batch(b)
        for b in length_grouped_batches(dataset.lengths, model.batch_size, generator=generator)
    ]
    network = model.module_
    core = network.core
    n_layers = len(core.forward_layers)
    fused = torch.nn.LSTM(  # nn.LSTM warns at dropout > 0 with one layer
        network.input_layer.output_size,
        core.hidden_size,
        num_layers=n_layers,
        batch_first=True,
        dropout=core.between_layers.p if n_layers > 1 else 0.0,
        bidirectional=True,
    )

    def encoder(ours: bool):
        network.train()  # dropout between layers in both, as in training
        for X, _ in batches:
            x = network.input_layer(X["inputs"])
            out = core(x, X["lengths"]) if ours else fused(x)[0]
            out.sum().backward()

    # One epoch of the estimator against a hand-written loop of the same network.
    initial = {k: v.clone() for k, v in network.state_dict().items()}
    criterion = torch.nn.CrossEntropyLoss(
        ignore_index=IGNORE_INDEX, label_smoothing=model.criterion_.label_smoothing
    )

    def hand_written():
        network.load_state_dict(initial)
        network.train()
        optimizer = torch.optim.Adam(network.parameters(), lr=model.lr, fused=True)
        for X, y in batches:
            optimizer.zero_grad()
            scores = network(X["inputs"], X["lengths"], X["decoder_inputs"])
            loss = criterion(scores.transpose(1, 2), y)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(network.parameters(), model.clip_grad_norm)
            optimizer.step()

    def estimator():
        RNNSeq2Seq(**params, random_state=0).fit(w_train, p_train)

    variants = {
        "encoder, library (bidirectional, padding harmless)": lambda: encoder(True),
        "encoder, fused nn.LSTM(bidirectional=True) floor": lambda: encoder(False),
        "training epoch, RNNSeq2Seq.fit": estimator,
        "training epoch, hand-written loop": hand_written,
    }
    for fn in variants.values():
        fn()  # warm-up
    times = {name: [] for name in variants}
    for _ in range(args.repeats):  # interleaved: load from other processes hits all alike
        for name, fn in variants.items():
            times[name].append(_median_time(fn, 1))
    medians = {name: statistics.median(t) for name, t in times.items()}
    names = list(variants)
    print(
        f"\n## Speed ({len(batches)} batches of {model.batch_size} words, "
        f"{args.repeats} interleaved repeats, medians, torch threads={torch.get_num_threads()})\n"
    )
    print("| variant | seconds | ratio |")
    print("| --- | ---: | ---: |")
    for ours, floor in ((names[0], names[1]), (names[2], names[3])):
        print(f"| {ours} | {medians[ours]:.2f} | {medians[ours] / medians[floor]:.2f} |")
        print(f"| {floor} | {medians[floor]:.2f} | 1.00 |")
    return medians


def main(argv=None) -> dict:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    results = {}
    if args.languages:
        results["sigmorphon"] = sigmorphon_run(args)
    elif not args.no_accuracy:
        results["accuracy"] = accuracy_run(args)
    if args.speed:
        results["speed"] = speed_run(args)
    return results


if __name__ == "__main__":
    main()
