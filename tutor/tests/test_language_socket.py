"""The socket speaks the student's language: error details (never codes) are translated, and the tutor is told
which language to answer in. The language comes from the session (an LTI launch's locale) or the handshake's
Accept-Language."""
import uuid

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.test import Client
from django.utils import translation

from learning.models import Course
from tutor.engine.fake import FakeEngine
from tutor.engine.types import EngineError, EngineOverloaded, GenerationTimeout
from tutor.errors import ENGINE_DETAILS
from tutor.groups import frame_event, student_group
from tutor.languages import SESSION_KEY
from tutor.prompting import answer_plan_for, system_prompt_for
from tutor.protocol import error_frame
from tutor.services import question_ask
from tutor.tests.wsclient import (
    ORIGIN, abstention_off, ask_and_wait, ask_frame, open_socket, receive_until, token_for,
)

pytestmark = pytest.mark.django_db(transaction=True)
SWEDISH_MISSING_CONVERSATION = "Inget samtal med detta id är öppet för dig."


async def socket_in(user, accept_language: str):
    token = await token_for(user)
    communicator, connected = await open_socket(
        [(b"authorization", f"Bearer {token}".encode()), (b"accept-language", accept_language.encode())])
    assert connected
    return communicator


def session_cookie_with_language(user, language: str) -> bytes:
    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = language  # what an LTI launch with this locale keeps (lti/views.py)
    session.save()
    return f"sessionid={session.session_key}".encode()


async def missing_conversation_error(communicator) -> dict:
    await communicator.send_json_to({"type": "history", "conversation": 999999, "after": None})
    return await communicator.receive_json_from()


async def test_accept_language_sv_gives_swedish_error_details_and_english_codes(personas):
    communicator = await socket_in(personas.student1, "sv-SE,sv;q=0.9")
    error = await missing_conversation_error(communicator)
    assert (error["code"], error["detail"]) == ("conversation_not_found", SWEDISH_MISSING_CONVERSATION)
    await communicator.disconnect()


async def test_without_a_language_the_details_are_english(personas):
    communicator = await socket_in(personas.student1, "")
    error = await missing_conversation_error(communicator)
    assert error["detail"] == "No conversation with this id is open to you."
    await communicator.disconnect()


async def test_the_sessions_launch_language_beats_the_handshakes_accept_language(personas):
    cookie = await database_sync_to_async(session_cookie_with_language)(personas.student1, "sv")
    communicator, connected = await open_socket(
        [(b"cookie", cookie), (b"origin", ORIGIN), (b"accept-language", b"en-US,en;q=0.9")])
    assert connected
    assert (await missing_conversation_error(communicator))["detail"] == SWEDISH_MISSING_CONVERSATION
    await communicator.disconnect()


async def test_an_engine_failure_is_explained_in_swedish(personas, use_engine):
    use_engine(FakeEngine(fail_with=EngineError()))
    communicator = await socket_in(personas.student1, "sv")
    await communicator.send_json_to(ask_frame(personas.course_a.id))
    error = (await receive_until(communicator, "error"))[-1]
    assert error["code"] == "engine_error"
    assert error["detail"] == "Handledaren kunde inte ta fram ett svar. Försök igen."
    await communicator.disconnect()


async def test_a_frame_worded_elsewhere_in_english_reaches_a_swedish_student_in_swedish(personas):
    """An inference worker words its error frames in the default language; the student's socket translates a
    detail that is one of the catalog's sentences."""
    communicator = await socket_in(personas.student1, "sv")
    await get_channel_layer().group_send(student_group(personas.student1.id), frame_event(
        error_frame("engine_error", "The tutor could not produce an answer. Please try again.", message_id=1)))
    error = await communicator.receive_json_from()
    assert (error["code"], error["detail"]) == ("engine_error", "Handledaren kunde inte ta fram ett svar. Försök igen.")
    await communicator.disconnect()


async def test_a_swedish_students_question_tells_the_tutor_to_answer_in_swedish(personas, fake_engine):
    await abstention_off(personas.course_a)
    communicator = await socket_in(personas.student1, "sv")
    frames = await ask_and_wait(communicator, ask_frame(personas.course_a.id, "Hur förkortar jag ett bråk?"))
    assert frames[-1]["type"] == "answer"
    assert "Answer in Swedish." in fake_engine.requests[-1].system_prompt
    await communicator.disconnect()


async def test_an_english_students_prompt_names_no_language(personas, fake_engine):
    await abstention_off(personas.course_a)
    communicator = await socket_in(personas.student1, "en")
    await ask_and_wait(communicator, ask_frame(personas.course_a.id, "How do I simplify a fraction?"))
    assert "Answer in" not in fake_engine.requests[-1].system_prompt
    await communicator.disconnect()


def test_every_engine_detail_a_student_sees_is_in_the_catalog():
    details = [error.detail for error in (EngineError, GenerationTimeout, EngineOverloaded)]
    assert details == list(ENGINE_DETAILS)
    with translation.override("sv"):
        assert all(translation.gettext(detail) != detail for detail in details)


def test_the_prompt_names_the_language_before_the_course_material():
    course = Course(title="Fractions", description="Equivalent fractions and simplifying.")
    prompt = system_prompt_for(course, "sv")
    assert prompt.index("Answer in Swedish.") < prompt.index("Course material:")
    assert system_prompt_for(course, "en") == system_prompt_for(course)


def test_the_language_is_kept_with_the_pending_answer_for_whoever_generates_it(personas):
    ask = question_ask(student=personas.student1, course_id=personas.course_a.id, conversation_id=None,
                       text="Vad är ett bråk?", client_msg_id=uuid.uuid4(), language="sv")
    assert ask.answer.context == {"language": "sv"}
    plan = answer_plan_for(ask)
    assert "Answer in Swedish." in plan.request.system_prompt and plan.context["language"] == "sv"


async def test_a_held_draft_and_its_rejection_reach_a_swedish_student_in_swedish(personas, fake_engine):
    """The held notice is worded by the answering process and the rejection by the teacher's request, each in
    its own language (here the teacher's is Swedish, the answering process's English); the student's socket
    shows both in the student's language, and history does too."""
    from annotation.models import ReviewTask
    from annotation.services import draft_reject
    from tutor.drafts import HELD_TEXT, REJECTED_TEXT
    from tutor.models import DraftPolicy

    def hold_everything():
        Course.objects.filter(id=personas.course_a.id).update(abstain_below=None)
        DraftPolicy.objects.create(course=personas.course_a, hold_below=1.0, wait_minutes=5, on_timeout="send")

    def reject_in_english(answer_id):
        with translation.override("en"):
            draft_reject(task_id=ReviewTask.objects.get(answer_id=answer_id).id, teacher=personas.teacher1,
                         reason="Off the point.")

    await database_sync_to_async(hold_everything)()
    communicator = await socket_in(personas.student1, "sv-SE,sv;q=0.9")
    await communicator.send_json_to(ask_frame(personas.course_a.id, "Why do we flip the sign?"))
    frames = [await communicator.receive_json_from()]
    while frames[-1]["type"] not in ("held", "answer", "error"):
        frames.append(await communicator.receive_json_from())
    held = frames[-1]
    with translation.override("sv"):
        swedish_held, swedish_rejected = str(HELD_TEXT), str(REJECTED_TEXT)
    assert held["type"] == "held" and held["text"] == swedish_held != str(HELD_TEXT)

    await database_sync_to_async(reject_in_english)(held["message_id"])

    released = await communicator.receive_json_from()
    assert (released["type"], released["outcome"], released["text"]) == ("released", "rejected", swedish_rejected)
    await communicator.send_json_to({"type": "history", "conversation": frames[0]["conversation"]})
    shown = (await communicator.receive_json_from())["messages"][-1]
    assert shown["text"] == swedish_rejected
    await communicator.disconnect()
