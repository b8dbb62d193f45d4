"""Property-based fuzzing of the two external inputs: content uploads and WebSocket frames.

The requirement: at least 1,000 generated uploads and 1,000 generated frames give no server error and no
partial write. Every upload is answered 200 with a report whose content is then fully in the database, or a
4xx whose JSON error names the problem, with the database exactly as before. Every frame gets the reply the
protocol promises, on a socket that stays open, and a refused frame writes nothing. The generators are in
tests/fuzz_uploads.py and tests/fuzz_frames.py; runs are derandomized, so CI sees the same examples every time.
"""
from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import uuid
from urllib.parse import quote

import pytest
from channels.db import database_sync_to_async
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Count, Sum
from django.test import Client, override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learning.models import Attempt, Course, Item, KnowledgeState, Passage, ServedItem, Skill
from learning.tests.factories import passages, practice_content
from tests.fuzz_frames import ERROR_CODES, FRAME_TYPES, OPEN_ITEM, FrameCase, SocketWorld, frame_cases
from tests.fuzz_uploads import (
    CSV_MUTATIONS, DOCUMENT_MUTATIONS, SERIAL_MUTATIONS, UPLOAD_LIMIT, Upload, csv_uploads, json_uploads, raw_uploads,
)
from tutor.models import Conversation, Message
from tutor.protocol import CLIENT_FRAMES
from tutor.services import api_token_issue
from tutor.tests.wsclient import connect_as, drain_answers

ItemSkill = Item.skills.through
Prerequisite = Skill.prerequisites.through


def fuzz_settings(max_examples: int):
    return settings(max_examples=max_examples, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))


class Counter:
    """How many examples a @given test really ran (hypothesis may stop early)."""

    def __init__(self) -> None:
        self.seen = 0

    def __call__(self) -> None:
        self.seen += 1

    def at_least(self, count: int) -> None:
        assert self.seen >= count, f"only {self.seen} examples ran"


# ================================================================= uploads
@pytest.fixture
def upload_world(personas):
    """Course A has skills, items (one attempted, one open), and reference notes; course B has its own."""
    items = practice_content(personas.course_a, items_per_skill=2)
    practice_content(personas.course_b, items_per_skill=1)
    passages(personas.course_a, {"Intro": "Solve for x.", "More": "Isolate x."})
    served = ServedItem.objects.create(student=personas.student1, item=items["solve-1"], mode="diagnose",
                                       answered_at=timezone.now())
    Attempt.objects.create(student=personas.student1, item=items["solve-1"], serving=served, response="1", correct=True)
    ServedItem.objects.create(student=personas.student1, item=items["isolate-2"], mode="practice")
    with override_settings(TUTOR_MAX_CONTENT_BYTES=UPLOAD_LIMIT):
        yield personas


def course_content(course_id: int) -> dict:
    items = Item.objects.filter(course_id=course_id)
    return {
        "course": Course.objects.values_list("title", "description", "content_revision").get(pk=course_id),
        "skills": dict((k, (n, d)) for k, n, d in Skill.objects.filter(course_id=course_id).values_list(
            "key", "name", "description")),
        "prerequisites": set(Prerequisite.objects.filter(from_skill__course_id=course_id).values_list(
            "from_skill__key", "to_skill__key")),
        "items": {row[0]: row[1:] for row in items.values_list(
            "key", "prompt", "choices", "answer_spec", "difficulty_hint", "retired")},
        "item_skills": set(ItemSkill.objects.filter(item__course_id=course_id).values_list("item__key", "skill__key")),
        "passages": {(s, o): (t, x) for s, o, t, x in Passage.objects.filter(course_id=course_id).values_list(
            "source", "ordinal", "title", "text")},
    }


def database_content(personas) -> dict:
    """Course A in full; for everything else, counts (an upload to course A must not touch it)."""
    others = Course.objects.exclude(pk=personas.course_a.id).aggregate(
        courses=Count("id", distinct=True), skills=Count("skills", distinct=True), items=Count("items", distinct=True),
        passages=Count("passages", distinct=True), revisions=Sum("content_revision"))
    return {"a": course_content(personas.course_a.id), "others": others,
            "rows": (ServedItem.objects.count(), Attempt.objects.count())}


def skills_of(content: dict, item_key: str) -> set[str]:
    return {skill for item, skill in content["item_skills"] if item == item_key}


def sources(content: dict) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for source, ordinal in sorted(content["passages"]):
        found.setdefault(source, []).append(ordinal)
    return found


def check_passages_replaced(before: dict, after: dict, replaced: set[str]) -> int:
    """Each replaced source has passages 0..n-1; the others are untouched. Returns the passages written."""
    written = sources(after)
    for source in replaced:
        assert written.get(source) == list(range(len(written.get(source, [])))) and written[source], source
    untouched = {k: v for k, v in before["passages"].items() if k[0] not in replaced}
    assert {k: v for k, v in after["passages"].items() if k[0] not in replaced} == untouched
    return sum(len(written[source]) for source in replaced)


def check_document_applied(body: bytes, before: dict, after: dict, report: dict | None) -> None:
    doc = json.loads(body.decode("utf-8-sig"))
    keys = {item["key"] for item in doc["items"]}
    assert {key for key, row in after["items"].items() if not row[-1]} == keys, "live items are the document's"
    for item in doc["items"]:
        prompt, choices, answer_spec, _, retired = after["items"][item["key"]]
        assert (prompt, choices, answer_spec["kind"]) == (item["prompt"], item.get("choices"), item["answer"]["kind"])
        assert skills_of(after, item["key"]) == set(item["skills"])
    if doc["skills"]:
        declared = {skill["key"]: (skill["name"], skill.get("description", "")) for skill in doc["skills"]}
        kept = {key: value for key, value in after["skills"].items() if key not in declared}
        assert {key: after["skills"].get(key) for key in declared} == declared
        retired_skills = {s for (i, s) in after["item_skills"] if after["items"][i][-1]}
        assert set(kept) <= retired_skills, "only skills of retired items are kept"
        assert report is None or set(kept) == set(report["kept_skills"])
        assert after["prerequisites"] == {(s["key"], p) for s in doc["skills"] for p in s.get("prerequisites", [])}
    else:
        assert (after["skills"], after["prerequisites"]) == (before["skills"], before["prerequisites"])
    written = check_passages_replaced(before, after, {r["source"] for r in doc.get("reference", [])})
    meta = doc.get("course") or {}
    title, description, revision = before["course"]
    title = title if meta.get("title") is None else meta["title"]
    description = description if meta.get("description") is None else meta["description"]
    assert after["course"] == (title, description, revision + 1)
    if report is not None:
        assert report["items_created"] + report["items_updated"] + report["items_unchanged"] == len(keys)
        assert report["passages_written"] == written


def check_csv_applied(body: bytes, before: dict, after: dict, report: dict | None) -> None:
    records = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), strict=True))
    header = [name.strip() for name in records[0]]
    rows = [dict(zip(header, record)) for record in records[1:] if any(cell.strip() for cell in record)]
    for row in rows:
        prompt, _, answer_spec, _, retired = after["items"][row["key"].strip()]
        assert (prompt, answer_spec["kind"], retired) == (row["prompt"].strip(), row["answer_kind"].strip(), False)
        assert skills_of(after, row["key"].strip()) == {s.strip() for s in row["skills"].split(";") if s.strip()}
    keys = {row["key"].strip() for row in rows}
    assert {k: v for k, v in after["items"].items() if k not in keys} == \
        {k: v for k, v in before["items"].items() if k not in keys}, "items not in the file are untouched"
    for name in ("skills", "prerequisites", "passages"):
        assert after[name] == before[name]
    assert after["course"][2] == before["course"][2] + 1
    if report is not None:
        assert report["items_created"] + report["items_updated"] + report["items_unchanged"] == len(rows)


def check_reference_applied(source: str, before: dict, after: dict, report: dict | None) -> None:
    written = check_passages_replaced(before, after, {source})
    for name in ("skills", "prerequisites", "items", "item_skills"):
        assert after[name] == before[name]
    assert report is None or report["passages_written"] == written


def check_applied(fmt: str, upload: Upload, source: str | None, before: dict, after: dict, report=None) -> None:
    if fmt == "json":
        check_document_applied(upload.body, before, after, report)
    elif fmt == "csv":
        check_csv_applied(upload.body, before, after, report)
    else:
        check_reference_applied(source, before, after, report)


def error_location(error: dict) -> str:
    return error["message"][: -len(f": found {error['found']}, expected {error['expected']}")]


def check_rejection(response, upload: Upload) -> None:
    assert response.status_code in (400, 413, 415), response.status_code
    error = response.json()["error"]
    assert error["code"] in ("content_rejected", "content_too_large", "unsupported_content_type"), error
    assert error["detail"].startswith("The content was rejected and nothing was imported")
    assert error["errors"], "a rejection names at least one problem"
    for entry in error["errors"]:
        assert entry["found"] and entry["expected"] and entry["message"].endswith(
            f": found {entry['found']}, expected {entry['expected']}"), entry
    if upload.location:
        locations = [error_location(entry) for entry in error["errors"]]
        assert any(re.fullmatch(upload.location, where) for where in locations), (upload.location, locations)


def api_upload(client: Client, course_id: int, upload: Upload):
    query = "" if upload.source is None else "?source=" + quote(upload.source)
    return client.generic("POST", f"/api/courses/{course_id}/content{query}", upload.body,
                          content_type=upload.content_type or "", secure=True)


def check_api_upload(client: Client, personas, before: dict, upload: Upload) -> None:
    with transaction.atomic():  # rolled back: every example starts from the content ``before``
        response = api_upload(client, personas.course_a.id, upload)
        after = database_content(personas)
        assert response.status_code < 500 and response["Content-Type"] == "application/json"
        if response.status_code == 200:
            assert upload.expect != "reject", f"accepted: {response.json()}"
            report = response.json()["report"]
            check_applied(report["format"], upload, upload.source, before["a"], after["a"], report)
            assert (after["others"], after["rows"]) == (before["others"], before["rows"])
        else:
            assert upload.expect != "accept", f"rejected: {response.json()}"
            check_rejection(response, upload)
            assert after == before, "a rejected upload wrote something"
        transaction.set_rollback(True)


def author_client(personas) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user=personas.author1)}")


def run_uploads(client: Client, personas, strategy, examples: int) -> None:
    counted, before = Counter(), database_content(personas)

    @fuzz_settings(max_examples=examples)
    @given(upload=strategy)
    def check(upload):
        counted()
        check_api_upload(client, personas, before, upload)

    check()
    counted.at_least(examples)
    assert database_content(personas) == before


@pytest.mark.django_db
@pytest.mark.parametrize("mutation", DOCUMENT_MUTATIONS)
def test_generated_json_documents_are_imported_whole_or_not_at_all(upload_world, mutation):
    run_uploads(author_client(upload_world), upload_world, json_uploads(doc_mutation=mutation), 20)


@pytest.mark.django_db
@pytest.mark.parametrize("mutation", SERIAL_MUTATIONS[1:])
def test_generated_json_encodings_are_imported_whole_or_not_at_all(upload_world, mutation):
    run_uploads(author_client(upload_world), upload_world, json_uploads(how=mutation), 15)


@pytest.mark.django_db
@pytest.mark.parametrize("mutation", CSV_MUTATIONS)
def test_generated_item_csvs_are_imported_whole_or_not_at_all(upload_world, mutation):
    run_uploads(author_client(upload_world), upload_world, csv_uploads(how=mutation), 20)


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "examples"), [("markdown", 80), ("text", 60), ("bytes", 80), ("big", 5)])
def test_generated_bytes_and_reference_text_never_cause_a_server_error(upload_world, kind, examples):
    run_uploads(author_client(upload_world), upload_world, raw_uploads(how=kind), examples)


EXTENSIONS = {"json": ".json", "csv": ".csv", "text": ".md", "plain": ".txt"}
ADMIN_FORMATS = {".json": "json", ".csv": "csv", ".md": "markdown", ".txt": "text"}


@pytest.mark.django_db
def test_generated_uploads_on_the_admin_page_never_cause_a_server_error(upload_world):
    client = Client()
    client.force_login(upload_world.author1)
    url, counted = f"/admin/learning/course/{upload_world.course_a.id}/content/", Counter()
    before = database_content(upload_world)

    @fuzz_settings(max_examples=60)
    @given(upload=st.one_of(json_uploads("clean"), json_uploads("junk"), json_uploads("missing"), csv_uploads("none"),
                            csv_uploads("nasty-cell"), raw_uploads("markdown"), raw_uploads("bytes")))
    def check(upload):
        counted()
        plain = upload.kind == "text" and upload.content_type == "text/plain"
        extension = EXTENSIONS.get("plain" if plain else upload.kind, ".bin")
        with transaction.atomic():
            response = client.post(url, {"file": SimpleUploadedFile("upload" + extension, upload.body),
                                         "source": upload.source or ""}, secure=True)
            after = database_content(upload_world)
            assert response.status_code in (200, 302), response.status_code
            if response.status_code == 302:
                source = upload.source or "upload"
                check_applied(ADMIN_FORMATS[extension], upload, source, before["a"], after["a"])
            else:
                assert 'class="errorlist' in response.text or 'id="content-errors"' in response.text
                assert after == before, "a rejected upload wrote something"
            transaction.set_rollback(True)

    check()
    counted.at_least(60)


# ================================================================= WebSocket frames
@pytest.fixture
def socket_world(personas) -> SocketWorld:
    items = practice_content(personas.course_a)
    other_items = practice_content(personas.course_b)
    others_item = other_items["solve-1"]
    ServedItem.objects.create(student=personas.student3, item=others_item, mode="diagnose")
    mine = Conversation.objects.create(student=personas.student1, course=personas.course_a, title="Mine")
    earlier = Message.objects.create(conversation=mine, role="student", sender=personas.student1,
                                     text="Earlier question", client_msg_id=uuid.uuid4())
    Message.objects.create(conversation=mine, role="tutor", reply_to=earlier, text="Earlier answer")
    theirs = Conversation.objects.create(student=personas.student2, course=personas.course_a, title="Theirs")
    return SocketWorld(
        course=personas.course_a.id, other_course=personas.course_b.id, conversation=mine.id,
        others_conversation=theirs.id, items=tuple(item.id for item in items.values()), others_item=others_item.id,
        used_msg_id=str(earlier.client_msg_id),
        max_frame_bytes=django_settings.TUTOR_MAX_FRAME_BYTES,
        max_question_chars=django_settings.TUTOR_MAX_QUESTION_CHARS,
        max_response_chars=django_settings.LEARNING_MAX_RESPONSE_CHARS,
    )


@database_sync_to_async
def row_counts() -> dict[str, int]:
    models = {"conversations": Conversation, "messages": Message, "attempts": Attempt, "served": ServedItem,
              "states": KnowledgeState}
    return {name: model.objects.count() for name, model in models.items()}


async def receive(socket) -> dict:
    text = await socket.receive_from(timeout=10)
    assert isinstance(text, str), "the server sends text frames"
    text.encode("utf-8")  # a WebSocket text frame must be UTF-8: a lone surrogate cannot be sent
    return json.loads(text)


class SocketState:
    open_item: int = 999_999_999


async def answer_frames(socket, ack: dict) -> None:
    """After a new question's ack: tokens, then the answer; never an error (the fake engine cannot fail)."""
    tokens = []
    while (frame := await receive(socket))["type"] == "token":
        tokens.append(frame["text"])
    assert frame["type"] == "answer" and frame["message_id"] == ack["message_id"], frame
    assert "".join(tokens) == frame["text"]


def written(before: dict, after: dict) -> dict[str, int]:
    return {name: after[name] - before[name] for name in before if after[name] != before[name]}


async def exchange(socket, case: FrameCase, world: SocketWorld, state: SocketState) -> None:
    payload = case.payload
    if isinstance(payload, str):
        payload = payload.replace(json.dumps(OPEN_ITEM), str(state.open_item))
    before = await row_counts()
    key = "bytes" if isinstance(payload, bytes) else "text"
    await socket.send_input({"type": "websocket.receive", key: payload})
    reply = await receive(socket)
    outcome = reply["code"] if reply["type"] == "error" else reply["type"]
    assert outcome in case.expect, reply
    changes = {}
    if reply["type"] == "error":
        assert reply["code"] in ERROR_CODES and isinstance(reply["detail"], str) and reply["detail"], reply
        if case.readable_id is not None and reply["code"] != "frame_too_large":  # an oversize frame is not read
            assert reply.get("client_msg_id") in (case.readable_id, _canonical(case.readable_id)), reply
    elif reply["type"] == "ack":
        sent = json.loads(payload)
        assert reply["client_msg_id"] == _canonical(sent["client_msg_id"])
        if not reply["duplicate"]:
            await answer_frames(socket, reply)
            changes = {"messages": 2, "conversations": 1} if sent["conversation"] is None else {"messages": 2}
            assert sent["conversation"] in (None, reply["conversation"])
    elif reply["type"] == "item":
        assert reply["course"] == world.course and reply["item_id"] in world.items and "answer" not in reply
        if json.loads(payload)["type"] == "next_item":
            changes = {"served": 1}
        else:  # open_item: the item last served, shown again
            assert reply["item_id"] == state.open_item, reply
        state.open_item = reply["item_id"]
    elif reply["type"] == "no_open_item":
        assert reply == {"type": "no_open_item", "course": world.course}
    elif reply["type"] == "graded":
        changes = {"attempts": 1}
    else:
        assert reply["type"] == "history" and isinstance(reply["messages"], list)
    after = await row_counts()
    assert written(before, after) in (changes, {**changes, "states": 1} if reply["type"] == "graded" else changes)
    assert not socket.future.done(), "the socket closed"


def _canonical(client_msg_id: str) -> str:
    try:
        return str(uuid.UUID(client_msg_id))
    except ValueError:
        return client_msg_id


def test_the_frame_generators_know_every_client_frame_type():
    assert FRAME_TYPES == set(CLIENT_FRAMES), "a client frame type the fuzzer never sends"


FRAMES = {"ask": 200, "history": 60, "practice": 200, "structural": 260, "any-json": 150, "not-json": 80, "binary": 50,
          "oversize": 50}


@pytest.mark.django_db(transaction=True)
@override_settings(TUTOR_ASK_RATE=(1_000_000, 60))  # valid asks are many; the limit has its own tests
def test_generated_frames_get_the_promised_reply_and_refused_ones_write_nothing(personas, socket_world, fake_engine):
    loop = asyncio.new_event_loop()
    try:
        socket = loop.run_until_complete(connect_as(personas.student1))
        state, strategies = SocketState(), frame_cases(socket_world)
        for kind, examples in FRAMES.items():  # one run per kind, so that each gets its share, on one socket
            counted = Counter()

            @fuzz_settings(max_examples=examples)
            @given(case=strategies[kind])
            def check(case):
                counted()
                loop.run_until_complete(exchange(socket, case, socket_world, state))

            check()
            counted.at_least(examples)
        loop.run_until_complete(_still_answers(socket, socket_world, state))
    finally:
        loop.run_until_complete(drain_answers())
        loop.close()


async def _still_answers(socket, world: SocketWorld, state: SocketState) -> None:
    assert await socket.receive_nothing(timeout=0.3), "no frame came unasked"
    ask = {"type": "ask", "course": world.course, "conversation": world.conversation, "text": "Still there?",
           "client_msg_id": str(uuid.uuid4())}
    await exchange(socket, FrameCase(json.dumps(ask), frozenset({"ack"}), "final"), world, state)
    await socket.disconnect()
