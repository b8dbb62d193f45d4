"""Settings of the OpenAI-compatible HTTP engine (plain dataclass, no Django; see ``openai_engine``)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

PromptMode = Literal["chat", "raw"]
AdapterMode = Literal["vllm", "llama", "none"]

PROMPT_MODES = ("chat", "raw")
ADAPTER_MODES = ("vllm", "llama", "none")


@dataclass(frozen=True)
class OpenAIConfig:
    base_url: str = "http://127.0.0.1:8080/v1"  # up to and including /v1; llama-server's default port
    model: str = ""  # "": the server's own (llama-server serves one model; vLLM takes its base model)
    api_key: str = ""  # sent as a bearer token when set
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 30.0  # the longest silence between two chunks before the answer fails
    generation_timeout_s: float = 60.0  # the whole answer, retries included
    retries: int = 2  # before the first token only: a retry after it would repeat words the student saw
    retry_backoff_s: float = 0.25  # doubled after each retry
    max_new_tokens: int = 256
    max_prompt_tokens: int = 1536  # estimated from characters: the server, not this process, tokenises
    max_streams: int = 272  # answers in flight at once; one more raises EngineOverloaded
    top_logprobs: int = 5
    prompt: PromptMode = "chat"  # chat: the server's chat template; raw: /v1/completions with a plain prompt
    adapters: AdapterMode = "vllm"  # how a course's LoRA adapter is chosen (see openai_engine)

    def __post_init__(self) -> None:
        object.__setattr__(self, "base_url", self.base_url.rstrip("/"))
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, not {self.base_url!r}")
        if self.prompt not in PROMPT_MODES:
            raise ValueError(f"prompt must be one of {PROMPT_MODES}, not {self.prompt!r}")
        if self.adapters not in ADAPTER_MODES:
            raise ValueError(f"adapters must be one of {ADAPTER_MODES}, not {self.adapters!r}")
        for name in ("connect_timeout_s", "read_timeout_s", "generation_timeout_s"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        for name in ("max_new_tokens", "max_prompt_tokens", "max_streams"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.retries < 0 or self.retry_backoff_s < 0:
            raise ValueError("retries and retry_backoff_s must not be negative")
        if not 1 <= self.top_logprobs <= 20:
            raise ValueError("top_logprobs must be between 1 and 20 (the OpenAI API's range)")
