"""Course adapters on a vLLM server, through its runtime LoRA API (no torch; used by ``OpenAIEngine``).

vLLM started with ``--enable-lora`` and ``VLLM_ALLOW_RUNTIME_LORA_UPDATING=True`` answers
``POST /v1/load_lora_adapter`` with ``{"lora_name", "lora_path"}`` and ``POST /v1/unload_lora_adapter`` with
``{"lora_name"}``: 200 and a plain-text "Success: ..." line, or an OpenAI-style error body (400 when the name is
already loaded, 404 when unloading a name it does not know). Requests then name the adapter as their ``model``.

The served name contains the model version and the start of its hash, so promoting or rolling back a course
switches names, and no answer is ever served by an adapter the registry no longer points at. Names are never
unloaded behind another worker's back: several inference workers may share one server, and vLLM keeps only the
adapters a batch needs on the GPU (``--max-loras``), the rest in CPU memory (``--max-cpu-loras``).

A server without the API (no environment flag, or llama-server) answers the load with 404 or 405 and no
OpenAI-style error body; that is remembered for ``RECHECK_S`` and the base model answers meanwhile.
"""
from __future__ import annotations

import logging
import re
import time
from typing import Any

import httpx

from .sse import error_message
from .types import AdapterRef, EngineError

logger = logging.getLogger(__name__)

RECHECK_S = 300.0
ALREADY_LOADED = "has already been loaded"


def served_name(ref: AdapterRef) -> str:
    label = re.sub(r"[^A-Za-z0-9._-]+", "-", ref.name or "adapter").strip("-") or "adapter"
    return f"{label}-{ref.key}-{ref.sha256[:12]}"


class VllmLoraRuntime:
    def __init__(self) -> None:
        self._loaded: set[str] = set()
        self._unsupported_until = 0.0

    @property
    def supported(self) -> bool:
        """False while the server is believed to lack the runtime LoRA API (the base model answers)."""
        return time.monotonic() >= self._unsupported_until

    async def ensure(self, client: httpx.AsyncClient, ref: AdapterRef) -> str | None:
        """The name to send as ``model`` for ``ref``, loading it first if needed; None: the base model answers."""
        name = served_name(ref)
        if name in self._loaded:
            return name
        if not self.supported:
            return None
        response = await client.post("load_lora_adapter", json={"lora_name": name, "lora_path": ref.path})
        if response.status_code == 200 or _says(response, ALREADY_LOADED):
            self._loaded.add(name)
            logger.info("Loaded the adapter %s on the model server", name)
            return name
        if _route_missing(response):
            self._unsupported_until = time.monotonic() + RECHECK_S
            logger.warning("The model server has no runtime LoRA API (HTTP %s); the base model answers. Start "
                           "vLLM with --enable-lora and VLLM_ALLOW_RUNTIME_LORA_UPDATING=True.", response.status_code)
            return None
        raise EngineError(f"The model server could not load the course's adapter {name} "
                          f"(HTTP {response.status_code}: {error_message(_json(response))}).")

    async def unload(self, client: httpx.AsyncClient, ref: AdapterRef) -> bool:
        """Unload ``ref`` (a retired version); True if the server had it."""
        name = served_name(ref)
        self._loaded.discard(name)
        response = await client.post("unload_lora_adapter", json={"lora_name": name})
        if response.status_code == 200:
            return True
        if response.status_code == 404 and not _route_missing(response):
            return False
        raise EngineError(f"The model server could not unload the adapter {name} "
                          f"(HTTP {response.status_code}: {error_message(_json(response))}).")

    def forget(self, name: str) -> None:
        """The server answered that ``name`` does not exist (it restarted): load it again next time."""
        self._loaded.discard(name)


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


def _says(response: httpx.Response, words: str) -> bool:
    return response.status_code == 400 and words in error_message(_json(response))


def _route_missing(response: httpx.Response) -> bool:
    # An OpenAI-style error body means the route exists and refused this request; a bare 404/405 means no route.
    body = _json(response)
    has_error_body = isinstance(body, dict) and ("error" in body or body.get("object") == "error")
    return response.status_code in (404, 405) and not has_error_body
