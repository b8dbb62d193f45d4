"""Test helpers to open the tutor socket with Channels' communicator."""
from __future__ import annotations

import asyncio
import uuid

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from tutor import answering
from tutor.asgi import application
from tutor.services import api_token_issue

ORIGIN = b"http://127.0.0.1:8000"
# How long a test waits for a frame that must come. Channels waits one second; on a two-core machine running
# other suites, a reply that makes a few database round trips (or a first answer that builds the retrieval
# index) was seen to take over ten. A frame that never comes still fails the test, only later.
REPLY_TIMEOUT = 30.0


class TutorSocket(WebsocketCommunicator):
    """Channels' communicator with waits sized for a busy machine rather than an idle one."""

    async def connect(self, timeout=REPLY_TIMEOUT):
        return await super().connect(timeout)

    async def receive_output(self, timeout=REPLY_TIMEOUT):
        return await super().receive_output(timeout)

    async def receive_from(self, timeout=REPLY_TIMEOUT):
        return await super().receive_from(timeout)

    async def receive_json_from(self, timeout=REPLY_TIMEOUT):
        return await super().receive_json_from(timeout)

    async def disconnect(self, code=1000, timeout=REPLY_TIMEOUT):
        return await super().disconnect(code, timeout)


async def token_for(user) -> str:
    return await database_sync_to_async(api_token_issue)(user=user)


async def open_socket(headers: list[tuple[bytes, bytes]]) -> tuple[TutorSocket, bool]:
    communicator = TutorSocket(application, "/ws/tutor/", headers=headers)
    connected, _ = await communicator.connect()
    return communicator, connected


async def connect_as(user) -> TutorSocket:
    token = await token_for(user)
    communicator, connected = await open_socket([(b"authorization", f"Bearer {token}".encode())])
    assert connected
    return communicator


def session_cookie_for(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


def ask_frame(course_id: int, text: str = "What is 2x = 4?", conversation=None, client_msg_id=None) -> dict:
    return {
        "type": "ask",
        "course": course_id,
        "conversation": conversation,
        "text": text,
        "client_msg_id": client_msg_id or str(uuid.uuid4()),
    }


async def receive_until(communicator: WebsocketCommunicator, frame_type: str,
                        timeout=REPLY_TIMEOUT) -> list[dict]:
    """All frames up to and including the first of ``frame_type``."""
    frames = []
    while True:
        frame = await communicator.receive_json_from(timeout=timeout)
        frames.append(frame)
        if frame["type"] == frame_type:
            return frames


async def ask_and_wait(communicator, frame: dict) -> list[dict]:
    await communicator.send_json_to(frame)
    return await receive_until(communicator, "answer")


async def drain_answers() -> None:
    """Wait for answers still being generated after their socket closed."""
    if answering._running:
        await asyncio.gather(*list(answering._running), return_exceptions=True)


async def abstention_off(course) -> None:
    """Unchecked answers stream live in ``course`` (with abstention on they are held until scored)."""
    await database_sync_to_async(type(course).objects.filter(id=course.id).update)(abstain_below=None)
