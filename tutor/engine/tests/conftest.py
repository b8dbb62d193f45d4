"""A tiny random Llama and a tiny byte-level BPE tokenizer: fast, offline, deterministic.

Nothing here downloads anything; the tokenizer is trained on a few sentences
and the model is initialised from a fixed seed, with a large init range so that
its greedy choices are clear-cut rather than near-ties.
"""
from __future__ import annotations

import asyncio
import time

import pytest
import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

from tutor.engine.batching import ContinuousBatcher
from tutor.engine.config import EngineConfig
from tutor.engine.prompt import stop_token_ids
from tutor.engine.streams import EventSink, FinishedSequence
from tutor.engine.transformers_engine import TransformersEngine
from tutor.engine.types import ChatTurn, GenerationRequest, TokenDelta

CORPUS = [
    "The cell is the basic unit of life.",
    "Photosynthesis turns light into chemical energy.",
    "Solve the equation two x plus three equals seven.",
    "Mitochondria produce energy for the cell.",
    "A linear equation has one unknown.",
    "Héllo wörld, ça va? 你好，世界。 Ünïcödé façade naïve 😀",
]
SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
CHAT_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def make_tokenizer(with_template: bool = True) -> PreTrainedTokenizerFast:
    backend = Tokenizer(models.BPE())
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    backend.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=320, special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False,
    )
    backend.train_from_iterator(CORPUS * 5, trainer)
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, eos_token="<|im_end|>", pad_token="<|endoftext|>")
    if with_template:
        tokenizer.chat_template = CHAT_TEMPLATE
    return tokenizer


def make_model(tokenizer: PreTrainedTokenizerFast, seed: int = 1234) -> LlamaForCausalLM:
    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=2048, initializer_range=0.5,
        eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id, bos_token_id=None,
        tie_word_embeddings=False,
    )
    config._attn_implementation = "sdpa"
    return LlamaForCausalLM(config).eval()


@pytest.fixture(scope="session")
def tiny_tokenizer() -> PreTrainedTokenizerFast:
    return make_tokenizer()


@pytest.fixture(scope="session")
def tiny_model(tiny_tokenizer) -> LlamaForCausalLM:
    return make_model(tiny_tokenizer)


@pytest.fixture
def make_engine(tiny_model, tiny_tokenizer, tmp_path):
    engines: list[TransformersEngine] = []

    def build(model=None, **settings) -> TransformersEngine:
        config = EngineConfig(cache_dir=tmp_path / "unused-cache", **settings)
        engine = TransformersEngine.from_model(model or tiny_model, tiny_tokenizer, config, model_name="tiny")
        engines.append(engine)
        return engine

    yield build
    for engine in engines:
        engine.close()


@pytest.fixture
def make_batcher(tiny_model, tiny_tokenizer):
    batchers: list[ContinuousBatcher] = []

    def build(model=None, stop_ids=None, **options) -> ContinuousBatcher:
        stops = stop_token_ids(tiny_tokenizer) if stop_ids is None else frozenset(stop_ids)
        batcher = ContinuousBatcher(model or tiny_model, tiny_tokenizer, stops, **options)
        batchers.append(batcher)
        return batcher

    yield build
    for batcher in batchers:
        batcher.close()


class SlowModel(torch.nn.Module):
    """The tiny model, made to take ``delay_s`` per forward pass (or to fail on demand)."""

    def __init__(self, inner: LlamaForCausalLM, delay_s: float = 0.0, fail_on_calls: tuple[int, ...] = ()):
        super().__init__()
        self.inner = inner
        self.delay_s = delay_s
        self.fail_on_calls = set(fail_on_calls)
        self.calls = 0
        self.generation_config = inner.generation_config
        self.config = inner.config

    def forward(self, input_ids=None, attention_mask=None, position_ids=None, past_key_values=None,
                use_cache=True, logits_to_keep=0):
        self.calls += 1
        if self.calls in self.fail_on_calls:
            raise RuntimeError(f"injected failure on forward call {self.calls}")
        time.sleep(self.delay_s)
        return self.inner(input_ids=input_ids, attention_mask=attention_mask, position_ids=position_ids,
                          past_key_values=past_key_values, use_cache=use_cache, logits_to_keep=logits_to_keep)


def ask(question: str, history: tuple[ChatTurn, ...] = (), system: str = "You are a tutor.",
        max_new_tokens: int | None = None) -> GenerationRequest:
    return GenerationRequest(system, (*history, ChatTurn("user", question)), max_new_tokens=max_new_tokens)


async def collect(engine: TransformersEngine, request: GenerationRequest):
    """(deltas, completion) of one stream."""
    deltas, completion = [], None
    async for event in engine.stream(request):
        if isinstance(event, TokenDelta):
            assert completion is None, "a delta came after the completion"
            deltas.append(event.text)
        else:
            assert completion is None, "more than one completion"
            completion = event
    assert completion is not None
    return deltas, completion


async def run_batcher(batcher: ContinuousBatcher, prompt_ids, max_new_tokens: int,
                      timeout_s: float = 30.0, started: asyncio.Event | None = None) -> FinishedSequence:
    handle = batcher.submit(prompt_ids, max_new_tokens, timeout_s, EventSink(asyncio.get_running_loop()))
    async for item in handle.events():
        if started is not None:
            started.set()
        if isinstance(item, FinishedSequence):
            return item
    raise AssertionError("stream ended without a result")


async def eventually(condition, timeout_s: float = 2.0) -> bool:
    """Poll ``condition`` (the scheduler thread updates its counters just after replying)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.005)
    return True
