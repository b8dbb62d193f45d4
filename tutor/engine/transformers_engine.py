"""``TransformersEngine``: the Engine protocol on a local transformers model.

Nothing heavy happens at import or construction: torch and the model load on
``start()`` / ``warm_up()`` or on the first ``stream()`` call, so the web
process pays for them only when it actually answers a question.
"""
from __future__ import annotations

import asyncio
import logging
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, AsyncIterator

from .artifacts import ArtifactMismatch, verify_folder
from .config import EngineConfig
from .prompt import BuiltPrompt, PromptTooLong, build_prompt, stop_token_ids
from .streams import EventSink, FinishedSequence
from .types import (
    AdapterRef,
    Completion,
    EngineError,
    GenerationRequest,
    StreamEvent,
    confidence_from_features,
)
from .worker_thread import WorkerThread

if TYPE_CHECKING:
    from .batching import ContinuousBatcher

logger = logging.getLogger(__name__)


class TransformersEngine:
    name = "transformers"

    def __init__(self, config: EngineConfig | None = None):
        self.config = config or EngineConfig()
        self.model_name = ""
        self.tokenizer: Any = None
        self.model: Any = None
        self._batcher: ContinuousBatcher | None = None
        self._start_lock = threading.Lock()
        self._worker: WorkerThread | None = None
        self._verified: dict[str, str] = {}  # adapter key -> the sha256 its folder was checked against

    @classmethod
    def from_model(cls, model: Any, tokenizer: Any, config: EngineConfig | None = None,
                   model_name: str = "custom") -> "TransformersEngine":
        """An engine around an already loaded model (tests, notebooks, adapters)."""
        engine = cls(config)
        model.eval()
        engine._install(model, tokenizer, model_name)
        return engine

    # --- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        """Load the model and start the scheduler thread (blocking, idempotent, thread-safe).

        Raises ``ModelUnavailable`` with a fix-it message when the model cannot load.
        """
        with self._start_lock:
            if self._batcher is not None:
                return
            from .loading import load_model

            # Load on the thread that will also generate: see worker_thread for why.
            self._worker = self._worker or WorkerThread()
            loaded = self._worker.call(lambda: load_model(self.config))
            self._install(loaded.model, loaded.tokenizer, loaded.name)

    async def warm_up(self) -> None:
        """``start()`` without blocking the event loop."""
        if self._batcher is None:
            await asyncio.to_thread(self.start)

    @property
    def started(self) -> bool:
        return self._batcher is not None

    def close(self) -> None:
        if self._batcher is not None:
            self._batcher.close()

    def _install(self, model: Any, tokenizer: Any, model_name: str) -> None:
        from .batching import ContinuousBatcher

        self.model, self.tokenizer, self.model_name = model, tokenizer, model_name
        batcher = ContinuousBatcher(
            model, tokenizer, stop_token_ids(tokenizer, getattr(model, "generation_config", None)),
            max_batch_size=self.config.max_batch_size, max_queue=self.config.max_queue,
            num_threads=self.config.num_threads, prefix_cache_bytes=self.config.prefix_cache_mb * 2**20,
            max_adapters=self.config.max_adapters, repetition_penalty=self.config.repetition_penalty,
        )
        batcher.start(self._worker)
        self._batcher = batcher

    # --- generation ----------------------------------------------------------------------

    async def stream(self, request: GenerationRequest) -> AsyncIterator[StreamEvent]:
        await self.warm_up()
        assert self._batcher is not None
        started = time.monotonic()
        prompt = await asyncio.to_thread(self._build_prompt, request)
        adapter = await asyncio.to_thread(self._trusted_adapter, request.adapter)
        handle = self._batcher.submit(
            prompt.token_ids, self._max_new_tokens(request, prompt), self._remaining_timeout(request, started),
            EventSink(asyncio.get_running_loop()), adapter=adapter,
            shared_prefix_len=prompt.shared_prefix_len,
        )
        try:
            async for item in handle.events():
                if isinstance(item, FinishedSequence):
                    yield self._completion(item, prompt, started, handle.request.submitted_at, adapter)
                else:
                    yield item
        finally:
            # Runs when the consumer stops early or is cancelled: free the slot.
            handle.cancel()

    def _trusted_adapter(self, ref: AdapterRef | None) -> AdapterRef | None:
        """``ref`` once its folder matches the recorded hash; a mismatched one is refused and the base
        model answers instead (the registry's record, not the file on disk, decides what is served)."""
        if ref is None or self._verified.get(ref.key) == ref.sha256:
            return ref
        try:
            verify_folder(Path(ref.path), ref.sha256)
        except ArtifactMismatch as error:
            logger.error("Refusing the adapter %s: %s The base model answers instead.", ref.key, error)
            return None
        self._verified[ref.key] = ref.sha256
        return ref

    def _build_prompt(self, request: GenerationRequest) -> BuiltPrompt:
        if not request.history:
            raise EngineError("The request has no question to answer.")
        return build_prompt(self.tokenizer, request.system_prompt, request.history, self.config.max_prompt_tokens)

    def _max_new_tokens(self, request: GenerationRequest, prompt: BuiltPrompt) -> int:
        # The configured limit is a ceiling: a request may ask for fewer, not more;
        # and the answer must fit in the model's positions after the prompt.
        wanted = request.max_new_tokens or self.config.max_new_tokens
        room = getattr(getattr(self.model, "config", None), "max_position_embeddings", None) or 2**31
        room -= len(prompt.token_ids)
        if room < 1:
            raise PromptTooLong("The conversation is too long for this model; start a new one.")
        return max(1, min(wanted, self.config.max_new_tokens, room))

    def _remaining_timeout(self, request: GenerationRequest, started: float) -> float:
        limit = request.timeout_s if request.timeout_s is not None else self.config.generation_timeout_s
        return max(0.0, limit - (time.monotonic() - started))

    def _completion(self, finished: FinishedSequence, prompt: BuiltPrompt, started: float,
                    submitted_at: float, adapter: AdapterRef | None) -> Completion:
        # The scheduler's clock starts at submission; add the prompt building before it.
        before_submit = submitted_at - started
        timings = dict(finished.timings)
        for key in ("queue_s", "ttft_s", "total_s"):
            timings[key] = timings[key] + before_submit
        timings["prompt_s"] = before_submit
        return Completion(
            text=finished.text,
            features=finished.features,
            confidence=confidence_from_features(finished.features),
            prompt_tokens=len(prompt.token_ids),
            dropped_turns=prompt.dropped_turns,
            finish_reason=finished.finish_reason,
            model_name=f"{self.model_name}+{adapter.name or adapter.key}" if adapter else self.model_name,
            timings=timings,
        )
