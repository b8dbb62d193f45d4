"""The repetition penalty and the loop detector, alone and inside the batched decoder."""
from __future__ import annotations

import asyncio

import pytest
import torch

from tutor.engine.repetition import LOOP_MIN_TOKENS, LoopDetector, penalise_repeats

from .conftest import SlowModel, run_batcher

SENTENCES = [
    "The cell",
    "Photosynthesis turns light into chemical energy.",
    "Solve the equation two x plus three equals seven. " * 2,
    "Mitochondria produce energy for the cell. A linear equation has one unknown.",
]


@pytest.fixture(scope="module")
def prompts(tiny_tokenizer) -> list[list[int]]:
    return [tiny_tokenizer.encode(sentence) for sentence in SENTENCES]


def test_penalty_divides_positive_and_multiplies_negative_logits_of_each_rows_own_tokens():
    logits = torch.tensor([[2.0, -1.0, 0.5, 3.0], [2.0, -1.0, 0.5, 3.0], [2.0, -1.0, 0.5, 3.0]])
    result = penalise_repeats(logits, [[0, 1, 0], [3], []], penalty=2.0)
    assert result.tolist() == [[1.0, -2.0, 0.5, 3.0], [2.0, -1.0, 0.5, 1.5], [2.0, -1.0, 0.5, 3.0]]
    assert logits[0, 0] == 2.0, "the input is left as it was"


def test_penalty_one_changes_nothing():
    logits = torch.randn(2, 7)
    assert torch.equal(penalise_repeats(logits, [[1, 2], [6]], penalty=1.0), logits)


def reference_penalised_greedy(model, prompt_ids, max_new_tokens, stop_ids, penalty):
    """One sequence, the whole text recomputed each step: the rule as written, with no cache or batching."""
    generated: list[int] = []
    with torch.inference_mode():
        for _ in range(max_new_tokens):
            logits = model(torch.tensor([prompt_ids + generated])).logits[0, -1]
            seen = torch.zeros_like(logits, dtype=torch.bool)
            seen[generated] = True
            logits = torch.where(seen, torch.where(logits > 0, logits / penalty, logits * penalty), logits)
            token = int(logits.argmax())
            if token in stop_ids:
                break
            generated.append(token)
    return generated


async def test_penalised_decoding_follows_the_rule_and_batched_equals_single(make_batcher, tiny_model, prompts):
    alone = [await run_batcher(make_batcher(repetition_penalty=1.5), p, 20) for p in prompts]
    batcher = make_batcher(repetition_penalty=1.5)
    together = await asyncio.gather(*(run_batcher(batcher, p, n) for p, n in zip(prompts, (20, 20, 20, 20))))
    unpenalised = [await run_batcher(make_batcher(), p, 20) for p in prompts]

    for prompt, single, batched in zip(prompts, alone, together):
        expected = reference_penalised_greedy(tiny_model, prompt, 20, batcher._stop_ids, 1.5)
        assert list(single.token_ids) == expected
        assert batched.token_ids == single.token_ids
    assert [r.token_ids for r in unpenalised] != [r.token_ids for r in alone], "the penalty should change something"


def test_detector_stops_at_the_third_copy_of_a_block():
    block = list(range(10, 20))  # 10 tokens, so three copies span 30 > LOOP_MIN_TOKENS
    detector = LoopDetector()
    flags = [detector.push(token) for token in [5, 6, 7] + block * 4]
    assert flags.index(True) == 3 + 3 * len(block) - 1


def test_detector_needs_a_minimum_span_for_short_blocks_and_ignores_varied_text():
    detector = LoopDetector()
    flags = [detector.push(token) for token in [1, 2] * 20]
    assert flags.index(True) == LOOP_MIN_TOKENS - 1
    varied = LoopDetector()
    assert not any(varied.push(token) for token in [(7 * i * i + 3 * i) % 97 for i in range(300)])
    laugh = LoopDetector()
    assert not any(laugh.push(token) for token in [4, 5] * 5)


class ScriptedLoop(SlowModel):
    """The tiny model, pushed to answer ``cycle`` over and over (the next token depends on the position)."""

    def __init__(self, inner, cycle: list[int]):
        super().__init__(inner)
        self.cycle = cycle

    def forward(self, input_ids=None, attention_mask=None, position_ids=None, past_key_values=None,
                use_cache=True, logits_to_keep=0):
        output = super().forward(input_ids, attention_mask, position_ids, past_key_values, use_cache, logits_to_keep)
        wanted = torch.tensor([self.cycle[int(p) % len(self.cycle)] for p in position_ids[:, -1]])
        output.logits[torch.arange(len(wanted)), -1, wanted] += 1000.0
        return output


async def test_scripted_loop_stops_with_finish_reason_loop(make_batcher, tiny_model, prompts):
    looping = ScriptedLoop(tiny_model, cycle=list(range(40, 48)))
    result = await run_batcher(make_batcher(model=looping, repetition_penalty=1.3), prompts[0], 200)
    assert result.finish_reason == "loop"
    assert len(result.token_ids) == max(3 * 8, LOOP_MIN_TOKENS)

    capped = await run_batcher(make_batcher(model=looping), prompts[0], 20)
    assert (capped.finish_reason, len(capped.token_ids)) == ("length", 20), "the cap still means length"

    long_cycle = ScriptedLoop(tiny_model, cycle=list(range(40, 80)))  # longer than any block looked for
    result = await run_batcher(make_batcher(model=long_cycle), prompts[0], 100)
    assert (result.finish_reason, len(result.token_ids)) == ("length", 100)
