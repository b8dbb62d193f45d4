"""Start llama.cpp's ``llama-server`` (built by ``scripts/build-llama-server``) on a free loopback port.

Used by the service-tier tests and the chat benchmark; the tutor then talks to it as ``TUTOR_ENGINE=openai``.
No torch: the server loads the GGUF file itself (the bundled SmolLM2 by default).
"""
from __future__ import annotations

import socket
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import httpx

BUILD_VERSION = "0.3.36"  # the llama-cpp-python sdist whose vendored llama.cpp scripts/build-llama-server builds
HOW_TO_BUILD = "run scripts/build-llama-server (or make install)"


class LlamaServerUnavailable(Exception):
    """The binary is missing, or the server did not come up (the message has its last log lines)."""


@dataclass(frozen=True)
class LlamaServer:
    process: subprocess.Popen
    port: int
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def binary_path(project_dir: Path, version: str = BUILD_VERSION) -> Path:
    return Path(project_dir) / ".cache" / "llama-server" / version / "bin" / "llama-server"


def require_binary(project_dir: Path, version: str = BUILD_VERSION) -> Path:
    path = binary_path(project_dir, version)
    if not path.is_file():
        raise LlamaServerUnavailable(f"llama-server is not built ({path.relative_to(project_dir)} is missing); "
                                     f"{HOW_TO_BUILD}.")
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_llama_server(*, binary: Path, model: Path, log_path: Path, threads: int = 2, parallel: int = 2,
                         context: int = 2048, startup_timeout_s: float = 120.0) -> Iterator[LlamaServer]:
    """A server for the ``with`` block; ``context`` is shared by the ``parallel`` slots, as llama.cpp splits it."""
    port = free_port()
    command = [str(binary), "--host", "127.0.0.1", "--port", str(port), "-m", str(model), "--threads", str(threads),
               "--parallel", str(parallel), "-c", str(context), "--no-webui"]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    server = LlamaServer(process, port, Path(log_path))
    try:
        _wait_healthy(server, startup_timeout_s)
        yield server
    finally:
        stop(server)


def stop(server: LlamaServer) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


def _wait_healthy(server: LlamaServer, timeout_s: float) -> None:
    # /health answers 503 while the model loads, 200 once it can serve.
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise LlamaServerUnavailable(f"llama-server exited with {server.process.returncode}:\n{_tail(server)}")
        try:
            if httpx.get(server.root_url + "/health", timeout=2.0, trust_env=False).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise LlamaServerUnavailable(f"llama-server was not healthy within {timeout_s:g} s:\n{_tail(server)}")


def _tail(server: LlamaServer, lines: int = 20) -> str:
    try:
        return "\n".join(server.log_path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
