"""Keeping greedy decoding out of loops: a repetition penalty and a loop detector.

A small model decoded greedily falls into cycles ("2 + 2 + 2 + ...") and then spends the whole token budget
on them, so the student gets a cut-off answer. Two defences, both per sequence of the batch:

- ``penalise_repeats``: the Hugging Face repetition penalty over the tokens this sequence has generated so
  far (not its prompt, whose numbers and names the answer should repeat): a positive logit is divided by the
  penalty, a negative one multiplied, so a seen token always loses ground. 1.0 changes nothing.
- ``LoopDetector``: when the penalty is not enough, stop the sequence once its newest tokens are a block of
  ``period`` tokens repeated ``LOOP_REPEATS`` times (and at least ``LOOP_MIN_TOKENS`` tokens in all, so a
  short legitimate "ha ha ha" survives). Greedy decoding that has repeated itself three times will go on
  doing so, so nothing of value is lost.
"""
from __future__ import annotations

from typing import Sequence

import torch

LOOP_MAX_PERIOD = 32  # longest repeated block looked for, in tokens
LOOP_REPEATS = 3  # copies of the block that make a loop
LOOP_MIN_TOKENS = 24  # fewest tokens a loop spans (a one-token block must repeat 24 times)


def penalise_repeats(logits: torch.Tensor, generated: Sequence[Sequence[int]], penalty: float) -> torch.Tensor:
    """``logits`` ([rows, vocab]) with row ``i``'s already generated tokens ``generated[i]`` penalised."""
    if penalty == 1.0 or not any(generated):
        return logits
    rows, vocab = logits.shape
    longest = max(len(tokens) for tokens in generated)
    # Padding points at an extra column that is cut off again, so ragged rows need no Python loop over tokens.
    ids = torch.full((rows, longest), vocab, dtype=torch.long)
    for row, tokens in enumerate(generated):
        if tokens:
            ids[row, : len(tokens)] = torch.as_tensor(tokens, dtype=torch.long)
    seen = torch.zeros((rows, vocab + 1), dtype=torch.bool)
    seen.scatter_(1, ids, True)
    seen = seen[:, :vocab].to(logits.device)
    penalised = torch.where(logits > 0, logits / penalty, logits * penalty)
    return torch.where(seen, penalised, logits)


class LoopDetector:
    """Watches one sequence's tokens; ``push`` says whether the newest one completes a loop.

    For every period ``p`` it keeps the length of the current run of tokens equal to the token ``p`` before
    them, so each new token costs ``LOOP_MAX_PERIOD`` comparisons whatever the answer's length.
    """

    def __init__(self) -> None:
        self._tokens: list[int] = []
        self._runs = [0] * (LOOP_MAX_PERIOD + 1)  # index p: trailing tokens that equal the one p earlier

    def push(self, token: int) -> bool:
        self._tokens.append(token)
        newest = len(self._tokens) - 1
        looping = False
        for period in range(1, min(LOOP_MAX_PERIOD, newest) + 1):
            if self._tokens[newest - period] == token:
                self._runs[period] += 1
                span = self._runs[period] + period  # the block itself plus its repeats so far
                looping = looping or span >= max(LOOP_REPEATS * period, LOOP_MIN_TOKENS)
            else:
                self._runs[period] = 0
        return looping
