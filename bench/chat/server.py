"""Start a real tutor server on loopback for a benchmark, on a throwaway database."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

REPO = Path(__file__).resolve().parents[2]
BENCH_PASSWORD = "bench-password-1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(run_dir: Path, extra: dict[str, str]) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    env.update(TUTOR_RUN_DIR=str(run_dir), TUTOR_ASK_RATE="100000/60", DJANGO_SETTINGS_MODULE="tutor.settings")
    env.update(extra)
    return env


def seed(env: dict[str, str], students: int) -> None:
    manage = [sys.executable, str(REPO / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True, cwd=REPO)
    subprocess.run([*manage, "bench_seed", "--students", str(students)], env=env, check=True, cwd=REPO)


@contextmanager
def running_server(*, students: int, env_extra: dict[str, str], ready_timeout_s: float = 300) -> Iterator["Server"]:
    with tempfile.TemporaryDirectory(prefix="tutor-bench-") as tmp:
        env = server_env(Path(tmp), env_extra)
        seed(env, students)
        port = free_port()
        command = [sys.executable, "-m", "uvicorn", "tutor.asgi:application", "--host", "127.0.0.1",
                   "--port", str(port), "--lifespan", "off", "--no-access-log", "--log-level", "warning",
                   "--ws-max-size", "65536", "--ws-per-message-deflate", "false"]
        process = subprocess.Popen(command, env=env, cwd=REPO)
        try:
            server = Server(process, port)
            server.wait_ready(ready_timeout_s)
            yield server
        finally:
            stop_process(process)


def stop_process(process: subprocess.Popen, timeout_s: float = 30) -> None:
    """Ask a process to stop; kill it if it has not after ``timeout_s``."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Server:
    def __init__(self, process: subprocess.Popen, port: int):
        self.process = process
        self.port = port
        self.ws_url = f"ws://127.0.0.1:{port}/ws/tutor/"

    def wait_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the benchmark server exited with code {self.process.returncode}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/me", timeout=1)
            except urllib.error.HTTPError:
                return  # 401: the server answers
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the benchmark server did not start in time")

    def token(self, username: str) -> str:
        body = json.dumps({"username": username, "password": BENCH_PASSWORD}).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/api/auth/token", data=body,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)["token"]

    def course_id(self, token: str) -> int:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/api/me",
                                         headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)["courses"][0]["id"]

    def peak_rss_mib(self) -> float:
        return peak_rss_mib(self.process.pid)


def peak_rss_mib(pid: int) -> float:
    """A running process's peak resident memory (VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """A running process's CPU time so far, user and system, all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
