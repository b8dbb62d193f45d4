"""Continuous batching on one background thread.

The thread loops: drop cancelled and expired requests, prefill one group of
waiting requests (together, left-padded) and merge their KV cache into the
running batch, then run one decode step for every running sequence. Finished
sequences leave the batch immediately, so a long answer never holds a short
one. Generation never runs on an asyncio loop; results travel back through
``streams.EventSink``.

Decoding is greedy (argmax) after a repetition penalty, and a sequence that loops anyway is stopped with
finish reason "loop" (see ``repetition``). Each request may name a LoRA adapter: adapters are
loaded on this thread before their requests' prefill (see ``adapters``), and
every forward pass names each row's adapter, so one batch mixes courses.
"""
from __future__ import annotations

import collections
import inspect
import logging
import threading
import time
from typing import Any, Callable, Sequence

import torch

from .adapters import AdapterSlots
from .confidence import ConfidenceAccumulator, step_statistics
from .detokenize import IncrementalDecoder
from .kv_batch import KVBatch, prefill_inputs, prefix_tensors
from .prefix_cache import PrefixEntry, PrefixStore
from .repetition import LoopDetector, penalise_repeats
from .streams import EventSink, FinishedSequence, SequenceRequest, StreamHandle
from .types import AdapterRef, EngineError, EngineOverloaded, GenerationTimeout, TokenDelta
from .worker_thread import WorkerThread

logger = logging.getLogger(__name__)

# Padded prompt tokens prefilled in one group; bounds the pause that a burst of
# new arrivals imposes on the streams already running.
PREFILL_TOKEN_BUDGET = 4096
# A group stops growing when padding would exceed its real tokens by more than
# this factor (plus a little slack for short prompts).
MAX_PADDING_RATIO = 2.0
PADDING_SLACK_TOKENS = 64


class RunningSequence:
    """A request in the batch, with its decoding state."""

    def __init__(self, request: SequenceRequest, tokenizer: Any, admitted_at: float):
        self.request = request
        self.decoder = IncrementalDecoder(tokenizer)
        self.confidence = ConfidenceAccumulator()
        self.loops = LoopDetector()
        self.token_ids: list[int] = []
        self.admitted_at = admitted_at
        self.first_token_at: float | None = None
        self.alive = True

    def timings(self, now: float) -> dict[str, float]:
        submitted = self.request.submitted_at
        first = self.first_token_at or now
        decode_s = now - first
        return {
            "queue_s": self.admitted_at - submitted,
            "ttft_s": first - submitted,
            "total_s": now - submitted,
            "decode_tokens_per_s": (len(self.token_ids) - 1) / decode_s if decode_s > 0 else 0.0,
        }


class ContinuousBatcher:
    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        stop_ids: frozenset[int],
        *,
        max_batch_size: int = 16,
        max_queue: int = 256,
        num_threads: int | None = None,
        prefix_cache_bytes: int = 0,
        max_adapters: int = 8,
        repetition_penalty: float = 1.0,
    ):
        self._model = model
        self._adapters = AdapterSlots(model, max_adapters)
        self._tokenizer = tokenizer
        self._stop_ids = stop_ids
        self._max_batch_size = max_batch_size
        self._repetition_penalty = repetition_penalty
        self._max_queue = max_queue
        self._num_threads = num_threads
        self._device = next(model.parameters()).device
        self._pad_id = _pad_id(tokenizer, stop_ids)
        self._keeps_last_logits_only = "logits_to_keep" in inspect.signature(model.forward).parameters
        self.prefixes = PrefixStore(prefix_cache_bytes)
        self._pending: collections.deque[SequenceRequest] = collections.deque()
        self._running: list[RunningSequence] = []
        self._batch: KVBatch | None = None
        self._condition = threading.Condition()
        self._closing = False
        self._worker: WorkerThread | None = None
        self._stopped = threading.Event()

    # --- caller side ---------------------------------------------------------------------

    def start(self, worker: WorkerThread | None = None) -> None:
        """Serve on ``worker`` (ideally the thread that loaded the model, see worker_thread) or a new thread."""
        with self._condition:
            if self._worker is None:
                self._worker = worker or WorkerThread("tutor-engine-batcher")
                self._worker.submit(self._run)

    def submit(self, prompt_ids: Sequence[int], max_new_tokens: int, timeout_s: float, sink: EventSink,
               adapter: AdapterRef | None = None, shared_prefix_len: int = 0) -> StreamHandle:
        request = SequenceRequest(
            prompt_ids=list(prompt_ids), max_new_tokens=max_new_tokens, deadline=time.monotonic() + timeout_s,
            sink=sink, adapter=adapter, shared_prefix_len=shared_prefix_len,
        )
        with self._condition:
            if self._closing:
                raise EngineError("The tutor engine is shutting down.")
            if len(self._pending) >= self._max_queue:
                raise EngineOverloaded()
            self._pending.append(request)
            self._condition.notify()
        self.start()
        return StreamHandle(request)

    def close(self, timeout_s: float = 5.0) -> None:
        with self._condition:
            self._closing = True
            self._condition.notify()
        if self._worker is not None:
            self._stopped.wait(timeout_s)

    @property
    def running_count(self) -> int:
        return len(self._running)

    @property
    def pending_count(self) -> int:
        return len(self._pending)

    # --- scheduler thread ------------------------------------------------------------------

    def _run(self) -> None:
        if self._num_threads:
            torch.set_num_threads(self._num_threads)
        with torch.inference_mode():
            while self._wait_for_work():
                try:
                    self._iterate()
                except Exception:  # keep serving: only the batch in flight is lost
                    logger.exception("Engine step failed; failing the running requests")
                    self._fail_running(EngineError)
        self._fail_everything(lambda: EngineError("The tutor engine was shut down."))
        self._stopped.set()

    def _wait_for_work(self) -> bool:
        with self._condition:
            while not (self._pending or self._running or self._closing):
                self._condition.wait()
            return not self._closing

    def _iterate(self) -> None:
        self._drop_dead()
        self._admit_group()
        if self._running:
            self._decode_step()

    def _drop_dead(self) -> None:
        now = time.monotonic()
        with self._condition:
            waiting = list(self._pending)
            self._pending = collections.deque(r for r in waiting if not _is_dead(r, now))
        for request in waiting:
            if _is_dead(request, now):
                _send_timeout_unless_cancelled(request)
        for sequence in self._running:
            if _is_dead(sequence.request, now):
                _send_timeout_unless_cancelled(sequence.request)
                sequence.alive = False
        self._evict_finished()

    # --- prefill ---------------------------------------------------------------------------

    def _admit_group(self) -> None:
        group, prefixes = self._take_group()
        group, prefixes = self._with_adapters_loaded(group, prefixes)
        if not group:
            return
        admitted_at = time.monotonic()
        try:
            new_batch, logits = self._prefill(group, prefixes)
        except Exception as error:
            logger.exception("Prefill failed for %d request(s)", len(group))
            for request in group:
                request.sink.put(EngineError(f"The tutor could not read the question ({type(error).__name__})."))
            return
        sequences = [RunningSequence(request, self._tokenizer, admitted_at) for request in group]
        # Joined before merging, so that a failed merge fails them with the rest.
        self._running.extend(sequences)
        if self._batch is None:
            self._batch = new_batch
        else:
            self._batch.absorb(new_batch)
        self._record(sequences, logits, new_batch.last_tokens)
        self._evict_finished()

    def _with_adapters_loaded(self, group: list[SequenceRequest], prefixes: list[PrefixEntry | None]
                              ) -> tuple[list[SequenceRequest], list[PrefixEntry | None]]:
        """Load the group's adapters; requests whose adapter cannot load fail alone."""
        wanted = {r.adapter.key: r.adapter for r in group if r.adapter is not None}
        if not wanted:
            return group, prefixes
        in_use = {s.request.adapter.key for s in self._running if s.request.adapter is not None}
        failures = self._adapters.ensure(wanted.values(), in_use)
        kept = [(r, p) for r, p in zip(group, prefixes) if r.adapter is None or r.adapter.key not in failures]
        for request in group:
            if request.adapter is not None and request.adapter.key in failures:
                request.sink.put(EngineError("The course's tuned model could not be loaded. Please try again."))
        return [r for r, _ in kept], [p for _, p in kept]

    def _take_group(self) -> tuple[list[SequenceRequest], list[PrefixEntry | None]]:
        """Waiting requests to prefill together (FIFO), with their cached prefixes if any."""
        free = self._max_batch_size - len(self._running)
        group: list[SequenceRequest] = []
        prefixes: list[PrefixEntry | None] = []
        new_lengths: list[int] = []
        with self._condition:
            while self._pending and len(group) < free:
                candidate = self._pending[0]
                prefix = self.prefixes.lookup(candidate.prompt_ids, candidate.shared_prefix_len, _weights(candidate))
                new_length = len(candidate.prompt_ids) - (prefix.length if prefix else 0)
                if group and not _efficient_group(new_lengths + [new_length]):
                    break
                group.append(self._pending.popleft())
                prefixes.append(prefix)
                new_lengths.append(new_length)
        return group, prefixes

    def _prefill(self, group: list[SequenceRequest],
                 prefixes: list[PrefixEntry | None]) -> tuple[KVBatch, torch.Tensor]:
        inputs = prefill_inputs([r.prompt_ids for r in group], prefixes, self._pad_id, self._device)
        logits, cache = self._forward(
            inputs.input_ids, inputs.attention_mask, inputs.position_ids, inputs.cache, [r.adapter for r in group]
        )
        self._remember_prefixes(group, prefixes, inputs, cache)
        return KVBatch(cache, inputs.attention_mask, logits.argmax(dim=-1)), logits

    def _remember_prefixes(self, group: list[SequenceRequest], prefixes: list[PrefixEntry | None],
                           inputs: Any, cache: Any) -> None:
        for row, (request, prefix) in enumerate(zip(group, prefixes)):
            weights = _weights(request)
            if prefix is None and self.prefixes.accepts(request.prompt_ids, request.shared_prefix_len, weights):
                tensors = prefix_tensors(cache, row, inputs.first_new_column(row), request.shared_prefix_len)
                self.prefixes.store(request.prompt_ids, request.shared_prefix_len, tensors, weights)

    # --- decode ----------------------------------------------------------------------------

    def _decode_step(self) -> None:
        assert self._batch is not None
        input_ids, attention_mask, position_ids = self._batch.decode_inputs()
        adapters = [sequence.request.adapter for sequence in self._running]
        logits, _ = self._forward(input_ids, attention_mask, position_ids, self._batch.cache, adapters)
        choosing = penalise_repeats(logits, [sequence.token_ids for sequence in self._running], self._repetition_penalty)
        next_tokens = choosing.argmax(dim=-1)
        self._batch.advance(next_tokens)
        # Confidence is measured on the model's own distribution, not the penalised one used to choose.
        self._record(self._running, logits, next_tokens)
        self._evict_finished()

    def _forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, position_ids: torch.Tensor,
                 cache: Any, adapters: list[AdapterRef | None]) -> tuple[torch.Tensor, Any]:
        """Logits of each row's last position, and the (updated) cache."""
        extra = {"logits_to_keep": 1} if self._keeps_last_logits_only else {}
        extra.update(self._adapters.forward_arguments(adapters))
        output = self._adapters.model(
            input_ids=input_ids, attention_mask=attention_mask, position_ids=position_ids,
            past_key_values=cache, use_cache=True, **extra,
        )
        return output.logits[:, -1, :], output.past_key_values

    def _record(self, sequences: Sequence[RunningSequence], logits: torch.Tensor, tokens: torch.Tensor) -> None:
        """Hand each sequence its newest token (rows of ``logits`` match ``sequences``)."""
        log_probs, entropies = step_statistics(logits, tokens)
        now = time.monotonic()
        for sequence, token, log_prob, entropy in zip(
            sequences, tokens.tolist(), log_probs.tolist(), entropies.tolist()
        ):
            sequence.confidence.add(log_prob, entropy)
            sequence.first_token_at = sequence.first_token_at or now
            self._accept_token(sequence, token, now)

    def _accept_token(self, sequence: RunningSequence, token: int, now: float) -> None:
        if token in self._stop_ids:
            self._finish(sequence, "stop", now)
            return
        sequence.token_ids.append(token)
        delta = sequence.decoder.push(token)
        if delta and not sequence.request.sink.put(TokenDelta(delta)):
            sequence.request.cancelled.set()
        looping = sequence.loops.push(token)
        if len(sequence.token_ids) >= sequence.request.max_new_tokens:
            self._finish(sequence, "length", now)  # the cap wins: "length" always means the answer was cut
        elif looping:
            self._finish(sequence, "loop", now)

    def _finish(self, sequence: RunningSequence, reason: str, now: float) -> None:
        tail = sequence.decoder.flush()
        if tail:
            sequence.request.sink.put(TokenDelta(tail))
        sequence.request.sink.put(FinishedSequence(
            token_ids=tuple(sequence.token_ids), text=sequence.decoder.emitted_text(),
            features=sequence.confidence.features(), finish_reason=reason,  # type: ignore[arg-type]
            timings=sequence.timings(now),
        ))
        sequence.alive = False

    # --- batch membership ----------------------------------------------------------------

    def _evict_finished(self) -> None:
        for sequence in self._running:
            if sequence.request.cancelled.is_set():
                sequence.alive = False
        keep = [row for row, sequence in enumerate(self._running) if sequence.alive]
        if len(keep) == len(self._running):
            return
        self._running = [self._running[row] for row in keep]
        if not keep:
            self._batch = None
        elif self._batch is not None:
            self._batch.keep_rows(keep)

    def _fail_running(self, make_error: Callable[[], EngineError]) -> None:
        for sequence in self._running:
            sequence.request.sink.put(make_error())
        self._running, self._batch = [], None

    def _fail_everything(self, make_error: Callable[[], EngineError]) -> None:
        self._fail_running(make_error)
        with self._condition:
            waiting, self._pending = list(self._pending), collections.deque()
        for request in waiting:
            request.sink.put(make_error())


def _weights(request: SequenceRequest) -> str:
    """Whose keys and values a request's prefix holds: the base model's, or its adapter's (by content)."""
    return "" if request.adapter is None else f"{request.adapter.key}:{request.adapter.sha256}"


def _efficient_group(new_lengths: list[int]) -> bool:
    padded = max(new_lengths) * len(new_lengths)
    return padded <= PREFILL_TOKEN_BUDGET and padded <= MAX_PADDING_RATIO * sum(new_lengths) + PADDING_SLACK_TOKENS


def _is_dead(request: SequenceRequest, now: float) -> bool:
    return request.cancelled.is_set() or request.expired(now)


def _send_timeout_unless_cancelled(request: SequenceRequest) -> None:
    if not request.cancelled.is_set():
        request.sink.put(GenerationTimeout())


def _pad_id(tokenizer: Any, stop_ids: frozenset[int]) -> int:
    # Any real id works: padded positions are masked out; this one just has to exist.
    for candidate in (getattr(tokenizer, "pad_token_id", None), *sorted(stop_ids)):
        if isinstance(candidate, int):
            return candidate
    return 0
