"""A tiny stand-in for vLLM's OpenAI server, written from vLLM's documentation and its API router, NOT vLLM.

It answers what ``OpenAIEngine`` relies on, with vLLM's shapes:
- ``POST /v1/load_lora_adapter`` ``{"lora_name", "lora_path"}``: 200 with a plain-text "Success: ..." line; 400
  with an error body when a field is missing or the name is already loaded.
- ``POST /v1/unload_lora_adapter`` ``{"lora_name"}``: 200, or 404 with an error body for an unknown name.
- Without runtime LoRA updating (vLLM's ``VLLM_ALLOW_RUNTIME_LORA_UPDATING`` unset) neither route exists: FastAPI's
  bare 404 ``{"detail": "Not Found"}``.
- ``GET /v1/models``: the base model and the loaded adapters.
- ``POST /v1/chat/completions`` streaming: a ``model`` that is neither the base nor a loaded adapter gets 404 with
  an error body; otherwise a short answer "<model> says hi" with chat-style log-probabilities.
Error bodies are ``{"error": {"message", "type", "param", "code"}}``.
"""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BASE = "base-model"


class VllmStub:
    def __init__(self, *, runtime_lora: bool = True):
        self.runtime_lora = runtime_lora
        self.adapters: dict[str, str] = {}  # lora_name -> lora_path
        self.answered_by: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> "VllmStub":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()


def _error(message: str, kind: str, code: int) -> tuple[int, dict]:
    return code, {"error": {"message": message, "type": kind, "param": None, "code": code}}


def _handler(stub: VllmStub):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            if self.path == "/v1/models":
                models = [{"id": BASE, "object": "model"}] + [
                    {"id": name, "object": "model", "root": path, "parent": BASE} for name, path in stub.adapters.items()]
                return self._json(200, {"object": "list", "data": models})
            self._json(404, {"detail": "Not Found"})

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            routes = {"/v1/chat/completions": self._chat}
            if stub.runtime_lora:
                routes.update({"/v1/load_lora_adapter": self._load, "/v1/unload_lora_adapter": self._unload})
            route = routes.get(self.path)
            if route is None:
                return self._json(404, {"detail": "Not Found"})
            route(body)

        def _load(self, body: dict) -> None:
            name, path = body.get("lora_name"), body.get("lora_path")
            if not name or not path:
                return self._json(*_error("Both 'lora_name' and 'lora_path' must be provided.", "InvalidUserInput", 400))
            if name in stub.adapters:
                return self._json(*_error(f"The lora adapter '{name}' has already been loaded. If you want to load "
                                          "the adapter in place, set 'load_inplace' to True.", "InvalidUserInput", 400))
            stub.adapters[name] = path
            self._text(200, f"Success: LoRA adapter '{name}' added successfully.")

        def _unload(self, body: dict) -> None:
            name = body.get("lora_name")
            if name not in stub.adapters:
                return self._json(*_error(f"The lora adapter '{name}' cannot be found.", "NotFoundError", 404))
            del stub.adapters[name]
            self._text(200, f"Success: LoRA adapter '{name}' removed successfully.")

        def _chat(self, body: dict) -> None:
            model = body.get("model") or BASE
            if model != BASE and model not in stub.adapters:
                return self._json(*_error(f"The model `{model}` does not exist.", "NotFoundError", 404))
            stub.answered_by.append(model)
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for word in (model, " says", " hi"):
                entry = {"token": word, "logprob": -0.25, "top_logprobs": [{"token": word, "logprob": -0.25}]}
                self._event({"choices": [{"index": 0, "delta": {"content": word}, "finish_reason": None,
                                          "logprobs": {"content": [entry]}}]})
            self._event({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
            self.wfile.write(b"data: [DONE]\n\n")

        def _event(self, body: dict) -> None:
            self.wfile.write(f"data: {json.dumps(body)}\n\n".encode())

        def _json(self, status: int, body: dict) -> None:
            self._send(status, json.dumps(body).encode(), "application/json")

        def _text(self, status: int, text: str) -> None:
            self._send(status, text.encode(), "text/plain")

        def _send(self, status: int, payload: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler
