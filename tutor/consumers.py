"""The tutor's WebSocket: a thin interface over services, selectors and the answering task."""
from __future__ import annotations

import json
import logging

from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from tutor.dbcall import db_sync_to_async
from tutor.drafts import draft_view
from tutor import errors
from tutor.answering import answer_start
from tutor.auth import handshake_user
from tutor.errors import TutorError, database_unreachable
from tutor.experimenting import practice_mode_for
from tutor.groups import answer_group, student_group
from tutor.languages import scope_language
from learning.practice import PracticeError, open_item_served, practice_answer_submit, practice_item_serve
from tutor.protocol import (
    AskFrame, HistoryFrame, Limits, NextItemFrame, OpenItemFrame, SubmitFrame, ack_frame, answer_frame, error_frame,
    graded_frame, history_frame, history_message, item_frame, no_open_item_frame, parse_client_frame, token_frame,
)
from tutor.selectors import conversation_get_for_student, messages_after
from tutor.services import question_ask
from tutor.socket_auth import CredentialsWatch

logger = logging.getLogger(__name__)


class TutorConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        self.user = handshake_user(self.scope)
        if self.user is None:
            await self.close(code=4403)  # before accept: the handshake is refused with HTTP 403
            return
        self.limits = Limits(
            settings.TUTOR_MAX_FRAME_BYTES, settings.TUTOR_MAX_QUESTION_CHARS, settings.LEARNING_MAX_RESPONSE_CHARS
        )
        self.following: set[int] = set()  # pending answers whose frames this socket receives
        self.language = await db_sync_to_async(scope_language)(self.scope)
        # For this socket's context: its handlers, the threads they call and the answer tasks they start inherit
        # it, so every detail worded here is in the student's language.
        translation.activate(self.language)
        await self.accept()
        self.credentials_watch = CredentialsWatch(self.scope, self.user, self._send_frame, self.close)
        # Teachers' corrections reach every socket the student has open, on any server.
        self.student_group = student_group(self.user.id)
        await self.channel_layer.group_add(self.student_group, self.channel_name)

    async def disconnect(self, code):
        if getattr(self, "credentials_watch", None):
            await self.credentials_watch.stop()
        groups = [answer_group(answer_id) for answer_id in getattr(self, "following", ())]
        if getattr(self, "student_group", None):
            groups.append(self.student_group)
        for group in groups:
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception as exc:  # the channel layer is down: its groups expire on their own
                logger.warning("could not leave %s: %r", group, exc)

    async def receive(self, text_data=None, bytes_data=None):
        if text_data is None:
            await self._send_frame(error_frame("binary_not_supported", _("Send JSON text frames, not binary.")))
            return
        try:
            frame = parse_client_frame(text_data, self.limits)
            if isinstance(frame, AskFrame):
                await self._ask(frame)
            elif isinstance(frame, HistoryFrame):
                await self._history(frame)
            elif isinstance(frame, NextItemFrame):
                await self._next_item(frame)
            elif isinstance(frame, OpenItemFrame):
                await self._open_item(frame)
            elif isinstance(frame, SubmitFrame):
                await self._submit(frame)
        except TutorError as exc:
            await self._send_frame(error_frame(exc.code, exc.detail, exc.client_msg_id, **exc.extra))
        except Exception as exc:
            if not database_unreachable(exc):
                raise
            # An outage, not a bug: the socket stays open and the client may try again.
            await self._send_frame(error_frame(*errors.SERVICE_UNAVAILABLE, _client_msg_id(text_data)))

    async def _ask(self, frame: AskFrame) -> None:
        client_msg_id = str(frame.client_msg_id)
        try:
            result = await db_sync_to_async(question_ask)(
                student=self.user,
                course_id=frame.course,
                conversation_id=frame.conversation,
                text=frame.text,
                client_msg_id=frame.client_msg_id,
                about_attempt=frame.about_attempt,
                language=self.language,
            )
        except TutorError as exc:
            exc.client_msg_id = client_msg_id
            raise
        await self._send_frame(ack_frame(
            client_msg_id=client_msg_id, conversation_id=result.conversation.id, answer_id=result.answer.id,
            question_id=result.question.id, duplicate=not result.created,
        ))
        if result.created and result.safeguarding:
            await self._send_help_text(result.answer)
        elif result.created:
            await self._follow([result.answer.id])
            answer_start(ask=result, client_msg_id=client_msg_id)

    async def _send_help_text(self, answer) -> None:
        """A question that raised a safeguarding alert: its answer, the school's help text, is stored already
        and goes out in the answer frames a generated answer has; nothing is generated."""
        await self._send_frame(token_frame(answer_id=answer.id, text=answer.text))
        await self._send_frame(answer_frame(answer_id=answer.id, text=answer.text, confidence=answer.confidence,
                                            safeguarding=True))

    async def _history(self, frame: HistoryFrame) -> None:
        messages = await db_sync_to_async(self._history_messages)(frame)
        pending = [m["message_id"] for m in messages if m["role"] == "tutor" and m["status"] == "pending"]
        if pending and await self._follow(pending):
            # Read again: an answer that finished before this socket joined its group is complete here.
            messages = await db_sync_to_async(self._history_messages)(frame)
        await self._send_frame(history_frame(conversation_id=frame.conversation, messages=messages))

    async def _follow(self, answer_ids: list[int]) -> bool:
        """Receive the frames of these answers from now on (wherever they are generated)."""
        new = [answer_id for answer_id in answer_ids if answer_id not in self.following]
        for answer_id in new:
            await self.channel_layer.group_add(answer_group(answer_id), self.channel_name)
            self.following.add(answer_id)
        return bool(new)

    def _history_messages(self, frame: HistoryFrame) -> list[dict]:
        conversation = conversation_get_for_student(student=self.user, conversation_id=frame.conversation)
        if conversation is None:
            raise TutorError(*errors.CONVERSATION_NOT_FOUND)
        messages = messages_after(conversation=conversation, after_id=frame.after, limit=settings.TUTOR_HISTORY_PAGE)
        return [history_message(message, draft_view(message)) for message in messages]

    async def _next_item(self, frame: NextItemFrame) -> None:
        try:
            served = await db_sync_to_async(_next_item_serve)(student=self.user, course_id=frame.course,
                                                              requested=frame.mode, skill=frame.skill)
        except PracticeError as exc:
            await self._send_frame(error_frame(exc.code, exc.detail, course=frame.course))
            return
        await self._send_frame(item_frame(served))

    async def _open_item(self, frame: OpenItemFrame) -> None:
        try:
            served = await db_sync_to_async(open_item_served)(student=self.user, course_id=frame.course)
        except PracticeError as exc:
            await self._send_frame(error_frame(exc.code, exc.detail, course=frame.course))
            return
        await self._send_frame(item_frame(served) if served else no_open_item_frame(course_id=frame.course))

    async def _submit(self, frame: SubmitFrame) -> None:
        try:
            graded = await db_sync_to_async(practice_answer_submit)(
                student=self.user, item_id=frame.item_id, response=frame.response
            )
        except PracticeError as exc:
            await self._send_frame(error_frame(exc.code, exc.detail, item_id=frame.item_id))
            return
        await self._send_frame(graded_frame(graded))

    async def tutor_frame(self, event):
        """A frame addressed to this socket through the channel layer (tokens, answers, errors, corrections)."""
        frame = _in_students_language(event["frame"])
        await self._send_frame(frame)
        answer_id = frame.get("message_id")
        if frame["type"] in ("answer", "held", "error") and answer_id in self.following:
            self.following.discard(answer_id)
            await self.channel_layer.group_discard(answer_group(answer_id), self.channel_name)

    async def _send_frame(self, frame: dict) -> None:
        await self.send(text_data=json.dumps(frame, ensure_ascii=False))


def _in_students_language(frame: dict) -> dict:
    """A frame worded where it was made (an inference worker or a teacher's request speaks another language):
    its words that are the catalog's sentences read in this socket's language (the one activated at connect)."""
    kind = frame["type"]
    if kind == "error":
        return {**frame, "detail": translation.gettext(frame["detail"])}
    if kind == "held":
        return {**frame, "text": translation.gettext(frame["text"])}
    if kind == "released":
        text = translation.gettext(frame["text"]) if frame.get("outcome") == "rejected" else frame["text"]
        return {**frame, "text": text, "label": translation.gettext(frame["label"]) if frame.get("label") else None}
    return frame


def _next_item_serve(*, student, course_id: int, requested: str, skill: str | None):
    """Serve the next practice item (of ``skill`` when one is named) in the mode the student's practice-flow arm
    says, if any, else as asked."""
    mode = practice_mode_for(student=student, course_id=course_id, requested=requested)
    return practice_item_serve(student=student, course_id=course_id, mode=mode, skill=skill)


def _client_msg_id(text_data: str) -> str | None:
    """The frame's client_msg_id, when it is a JSON object that has one (for an error that names the ask)."""
    try:
        value = json.loads(text_data).get("client_msg_id")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) and len(value) <= 64 else None
