"""A version's teacher answers: matched to similar questions with the same numbers, and put in the prompt."""
from __future__ import annotations

import numpy as np
import pytest

from tutor.teacher_answers import (
    TeacherAnswer, TeacherAnswerIndex, read_teacher_answers, stated_numbers, teacher_answer_for, write_teacher_answers,
)

ANSWERS = [
    TeacherAnswer("What is 3/4 + 5/6?", "The answer is 19/12."),
    TeacherAnswer("Which organelle holds chlorophyll in a leaf cell?", "The chloroplast."),
    TeacherAnswer("What is the top number of a fraction called?", "The numerator."),
]


class KeywordEncoder:
    """A stand-in embedding: one dimension per keyword, L2-normalised."""

    WORDS = ("add", "sum", "chlorophyll", "organelle", "top", "numerator", "fraction", "photosynthesis")

    def encode(self, texts):
        rows = np.array([[float(w in t.lower()) for w in self.WORDS] + [0.1] for t in texts])
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_tfidf_index_finds_a_rewording_and_not_an_unrelated_question():
    index = TeacherAnswerIndex(ANSWERS)
    assert index.find("Which organelle in a leaf cell holds the chlorophyll?") == ANSWERS[1]
    assert index.find("Why do leaves change colour in autumn?") is None


def test_the_numbers_must_be_the_same():
    index = TeacherAnswerIndex(ANSWERS)
    assert index.find("What is 3/4 + 5/6 ?") == ANSWERS[0]
    assert index.find("What is 3/4 + 1/6?") is None
    assert stated_numbers("Add 1,000 and 3/4") == frozenset({"1000", "3/4"})


def test_an_embedding_index_uses_its_threshold():
    index = TeacherAnswerIndex(ANSWERS, KeywordEncoder(), min_similarity=0.8)
    assert index.find("Which organelle has chlorophyll?") == ANSWERS[1]
    assert index.find("What is photosynthesis?") is None


def test_an_empty_index_finds_nothing():
    assert TeacherAnswerIndex([]).find("anything") is None


def test_answers_round_trip_through_the_adapter_folder(tmp_path):
    write_teacher_answers(tmp_path, ANSWERS)
    assert read_teacher_answers(tmp_path) == ANSWERS
    assert read_teacher_answers(tmp_path / "missing") == []


@pytest.mark.django_db
def test_the_prompt_of_a_matching_question_shows_the_teacher_answer_instead_of_notes(personas, tmp_path, settings):
    from learning.models import Passage
    from tutor.engine.artifacts import folder_sha256
    from tutor.models import ModelVersion
    from tutor.prompting import answer_plan_for

    settings.TUTOR_ADAPTER_DIR = tmp_path
    folder = tmp_path / "algebra" / "run-1"
    folder.mkdir(parents=True)
    write_teacher_answers(folder, ANSWERS)
    Passage.objects.create(course=personas.course_a, source="notes.md", ordinal=0, title="Leaves",
                           text="Chlorophyll is green.")
    ModelVersion.objects.create(course=personas.course_a, number=1, base_model="tiny", folder="algebra/run-1",
                                sha256=folder_sha256(folder), status="active")
    matched = answer_plan_for(_ask(personas, "Which organelle in a leaf cell holds the chlorophyll?"))
    turn = matched.request.history[-1].content
    assert "Teacher's answer: The chloroplast." in turn and "Course notes" not in turn
    assert matched.context["teacher_answer"] == ANSWERS[1].question
    assert matched.request.adapter.key.startswith("mv")
    other = answer_plan_for(_ask(personas, "Is chlorophyll green?"))
    assert "Teacher's answer" not in other.request.history[-1].content
    assert other.context["teacher_answer"] is None


def _ask(personas, question):
    import uuid

    from tutor.services import question_ask

    return question_ask(student=personas.student1, course_id=personas.course_a.id, conversation_id=None,
                      text=question, client_msg_id=uuid.uuid4())


def test_no_version_no_teacher_answer():
    assert teacher_answer_for(adapter=None, question="What is 3/4 + 5/6?") is None
