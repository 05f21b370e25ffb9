"""Tests for the linear-chain CRF against brute-force enumeration of all tag paths."""

import itertools

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_rnn.nn import LinearChainCRF

PAD_TAG = -100


def make_crf(num_tags, seed, dtype=torch.float64):
    """A CRF with non-trivial random scores (larger than the default init).

    Its generator is offset from `make_batch`'s: drawing the scores and the emissions from one
    random stream would repeat values between them and create exact ties between paths.
    """
    gen = torch.Generator().manual_seed(1_000_003 + seed)
    crf = LinearChainCRF(num_tags).to(dtype)
    with torch.no_grad():
        for param in crf.parameters():
            param.copy_(torch.randn(param.shape, generator=gen, dtype=dtype))
    return crf


def make_batch(lengths, num_tags, seed, dtype=torch.float64):
    """Random emissions (B, T, C), random tags with PAD_TAG at padding, and the mask."""
    gen = torch.Generator().manual_seed(seed)
    batch, steps = len(lengths), max(lengths)
    emissions = torch.randn(batch, steps, num_tags, generator=gen, dtype=dtype)
    tags = torch.randint(0, num_tags, (batch, steps), generator=gen)
    mask = torch.arange(steps).unsqueeze(0) < torch.tensor(lengths).unsqueeze(1)
    tags = tags.masked_fill(~mask, PAD_TAG)
    return emissions, tags, mask


def path_score(crf, emissions, path):
    """Score of one path over a single unpadded sequence, written out term by term."""
    score = crf.start_transitions[path[0]] + crf.end_transitions[path[-1]]
    for t, tag in enumerate(path):
        score = score + emissions[t, tag]
        if t > 0:
            score = score + crf.transitions[path[t - 1], tag]
    return score


def brute_force(crf, emissions, length):
    """(log Z, best path) of one sequence by enumerating all C**length paths."""
    paths = list(itertools.product(range(crf.num_tags), repeat=length))
    scores = torch.stack([path_score(crf, emissions[:length], p) for p in paths])
    return torch.logsumexp(scores, dim=0), list(paths[int(scores.argmax())])


lengths_strategy = st.lists(st.integers(1, 4), min_size=1, max_size=4)


@settings(max_examples=40, deadline=None)
@given(num_tags=st.integers(2, 4), lengths=lengths_strategy, seed=st.integers(0, 10_000))
def test_matches_brute_force(num_tags, lengths, seed):
    crf = make_crf(num_tags, seed)
    emissions, tags, mask = make_batch(lengths, num_tags, seed)
    with torch.no_grad():
        log_z = crf.log_partition(emissions, mask)
        scores = crf.score_paths(emissions, tags, mask)
        nll = crf(emissions, tags, mask)
        paths = crf.decode(emissions, mask)
    assert log_z.shape == scores.shape == nll.shape == (len(lengths),)
    assert paths.shape == mask.shape and paths.dtype == torch.long
    for b, length in enumerate(lengths):
        expected_log_z, expected_path = brute_force(crf, emissions[b], length)
        expected_score = path_score(crf, emissions[b], tags[b, :length].tolist())
        torch.testing.assert_close(log_z[b], expected_log_z)
        torch.testing.assert_close(scores[b], expected_score)
        torch.testing.assert_close(nll[b], expected_log_z - expected_score)
        assert paths[b, :length].tolist() == expected_path
        assert paths[b, length:].eq(0).all()


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("num_tags", [2, 3, 4])
def test_padding_invariance(num_tags, seed):
    """A sequence's NLL and path are the same alone and padded beside longer sequences."""
    crf = make_crf(num_tags, seed, dtype=torch.float32)
    lengths = [3, 1, 7, 5, 2]
    emissions, tags, mask = make_batch(lengths, num_tags, seed, dtype=torch.float32)
    # Garbage at padded steps must not matter either.
    emissions = emissions.masked_fill(~mask.unsqueeze(-1), float("nan"))
    with torch.no_grad():
        nll = crf(emissions, tags, mask)
        paths = crf.decode(emissions, mask)
        for b, length in enumerate(lengths):
            alone = slice(b, b + 1), slice(0, length)
            nll_alone = crf(emissions[alone], tags[alone], mask[alone])
            path_alone = crf.decode(emissions[alone], mask[alone])
            torch.testing.assert_close(nll[b : b + 1], nll_alone, atol=1e-5, rtol=1e-5)
            assert paths[b, :length].tolist() == path_alone[0].tolist()
        # Reordering the batch does not change anything either.
        order = torch.tensor([4, 2, 0, 3, 1])
        nll_perm = crf(emissions[order], tags[order], mask[order])
        torch.testing.assert_close(nll_perm, nll[order], atol=1e-5, rtol=1e-5)
        assert torch.equal(crf.decode(emissions[order], mask[order]), paths[order])


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_gradients_flow(dtype):
    crf = LinearChainCRF(4).to(dtype)
    emissions, tags, mask = make_batch([5, 2, 3], 4, seed=0, dtype=dtype)
    emissions = emissions.masked_fill(~mask.unsqueeze(-1), float("inf")).requires_grad_()
    loss = crf(emissions, tags, mask).mean()
    assert loss.dtype == dtype and torch.isfinite(loss)
    loss.backward()
    for name, param in [*crf.named_parameters(), ("emissions", emissions)]:
        assert param.grad is not None, name
        assert torch.isfinite(param.grad).all(), name
        assert param.grad.abs().sum() > 0, name
    # Padded emissions get exactly zero gradient.
    assert emissions.grad[~mask].eq(0).all()


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_dtypes(dtype):
    crf = LinearChainCRF(3).to(dtype)
    emissions, tags, mask = make_batch([4, 2], 3, seed=1, dtype=dtype)
    nll = crf(emissions, tags, mask)
    assert nll.dtype == dtype
    assert (nll.detach() > 0).all()  # a probability of a path is < 1
    assert crf.decode(emissions, mask).dtype == torch.long


def test_nll_is_normalised():
    """exp(-NLL) summed over all paths of a sequence is 1."""
    crf = make_crf(3, seed=2)
    emissions, _, mask = make_batch([3], 3, seed=2)
    paths = torch.tensor(list(itertools.product(range(3), repeat=3)))  # (27, 3)
    with torch.no_grad():
        nll = crf(emissions.expand(len(paths), -1, -1), paths, mask.expand(len(paths), -1))
    torch.testing.assert_close(torch.exp(-nll).sum(), torch.tensor(1.0, dtype=torch.float64))


def test_training_learns_transitions():
    """A few optimiser steps make the CRF prefer an alternating pattern with flat emissions."""
    torch.manual_seed(0)
    crf = LinearChainCRF(2)
    emissions = torch.zeros(8, 6, 2)
    tags = torch.tensor([[0, 1, 0, 1, 0, 1]] * 8)
    mask = torch.ones(8, 6, dtype=torch.bool)
    optimizer = torch.optim.Adam(crf.parameters(), lr=0.1)
    for _ in range(50):
        optimizer.zero_grad()
        crf(emissions, tags, mask).mean().backward()
        optimizer.step()
    assert crf.decode(emissions[:1], mask[:1]).tolist() == [[0, 1, 0, 1, 0, 1]]


def test_single_step_and_single_tag():
    crf = make_crf(1, seed=0)
    emissions, tags, mask = make_batch([1, 3], 1, seed=0)
    with torch.no_grad():
        torch.testing.assert_close(crf(emissions, tags, mask), torch.zeros(2, dtype=torch.float64))
    assert crf.decode(emissions, mask).tolist() == [[0, 0, 0], [0, 0, 0]]


def test_default_init_is_small():
    crf = LinearChainCRF(5)
    assert crf.transitions.shape == (5, 5)
    assert crf.start_transitions.shape == crf.end_transitions.shape == (5,)
    for param in crf.parameters():
        assert param.abs().max() <= 0.1
    assert "num_tags=5" in repr(crf)


@pytest.mark.parametrize("num_tags", [0, -1, 2.5, "3", True])
def test_bad_num_tags(num_tags):
    with pytest.raises(ValueError, match="num_tags"):
        LinearChainCRF(num_tags)


def test_bad_inputs():
    crf = LinearChainCRF(3)
    emissions, tags, mask = make_batch([3, 2], 3, seed=0, dtype=torch.float32)
    with pytest.raises(ValueError, match="emissions must be a 3-D"):
        crf.decode(emissions[0], mask)
    with pytest.raises(ValueError, match="3 tags"):
        crf.decode(emissions[..., :2], mask)
    with pytest.raises(ValueError, match="mask must have shape"):
        crf.decode(emissions, mask[:, :2])
    with pytest.raises(ValueError, match="tags must have shape"):
        crf(emissions, tags[:1], mask)
    with pytest.raises(TypeError, match="tags must be an integer"):
        crf(emissions, tags.float(), mask)
    with pytest.raises(ValueError, match="length >= 1"):
        crf.log_partition(emissions, torch.zeros_like(mask))
    with pytest.raises(ValueError, match="prefix"):
        crf.log_partition(emissions, torch.tensor([[True, False, True], [True, True, False]]))
    with pytest.raises(ValueError, match=r"tags at real steps must lie in \[0, 2\]"):
        crf(emissions, torch.full_like(tags, 3), mask)
    with pytest.raises(ValueError, match="at least one time step"):
        crf.decode(emissions[:, :0], mask[:, :0])
