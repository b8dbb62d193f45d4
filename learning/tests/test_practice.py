from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from learning.calibrating import course_calibrate, courses_due_for_calibration
from learning.course_knowledge import course_knowledge, student_state
from learning.models import Attempt, Course, KnowledgeCalibration, KnowledgeState, ServedItem
from learning.practice import (
    PracticeError, open_item_for_hints, open_item_served, practice_answer_submit, practice_item_serve,
)
from learning.selectors import student_weak_skills
from learning.tests.factories import practice_content

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(personas):
    return practice_content(personas.course_a)


def serve(personas, mode="diagnose", student=None):
    return practice_item_serve(student=student or personas.student1, course_id=personas.course_a.id, mode=mode)


def right_answer(item) -> str:
    return str(int(item.answer_spec["value"]))


def error_code(call) -> str:
    with pytest.raises(PracticeError) as caught:
        call()
    return caught.value.code


def test_served_item_is_open_and_names_its_skill(personas, items):
    served = serve(personas)
    assert served.serving.is_open and served.item.key in items
    assert served.skill in {s.key for s in served.item.skills.all()}
    assert open_item_for_hints(student=personas.student1, course=personas.course_a) == served.item


def test_correct_answer_is_graded_recorded_and_moves_mastery_up(personas, items):
    served = serve(personas)
    before = course_knowledge(course=personas.course_a).mastery(student_state(student=personas.student1,
                                                                              course=personas.course_a)[0])
    graded = practice_answer_submit(student=personas.student1, item_id=served.item.id,
                                    response=right_answer(served.item))
    assert graded.attempt.correct
    assert set(graded.mastery) == {s.key for s in served.item.skills.all()}
    assert all(graded.mastery[k] > before[k] for k in graded.mastery)
    state = KnowledgeState.objects.get(student=personas.student1, course=personas.course_a)
    assert state.version == 1 and state.state["last_item"] == served.item.key
    assert ServedItem.objects.get(pk=served.serving.pk).answered_at is not None
    assert open_item_for_hints(student=personas.student1, course=personas.course_a) is None


def test_wrong_answer_moves_mastery_down_and_tells_the_expected_answer(personas, items):
    served = serve(personas)
    graded = practice_answer_submit(student=personas.student1, item_id=served.item.id, response="12345")
    assert not graded.attempt.correct and graded.expected
    state, _ = student_state(student=personas.student1, course=personas.course_a)
    assert all(state.estimates[k].mu < 0.0 for k in graded.mastery)


def test_answering_twice_is_refused_and_records_nothing_more(personas, items):
    served = serve(personas)
    practice_answer_submit(student=personas.student1, item_id=served.item.id, response="1")
    assert error_code(lambda: practice_answer_submit(student=personas.student1, item_id=served.item.id,
                                                     response="1")) == "item_already_answered"
    assert Attempt.objects.count() == 1
    assert KnowledgeState.objects.get(student=personas.student1).version == 1


def test_an_item_never_served_or_served_to_someone_else_looks_the_same(personas, items):
    served = serve(personas, student=personas.student2)
    never_served = next(i for i in items.values() if i.id != served.item.id)
    for item_id in (served.item.id, never_served.id, 10**9):
        assert error_code(lambda: practice_answer_submit(student=personas.student1, item_id=item_id,
                                                         response="1")) == "item_not_open"
    assert not Attempt.objects.exists() and not KnowledgeState.objects.exists()


def test_an_item_of_a_course_the_student_left_is_not_open(personas, items):
    served = serve(personas)
    personas.student1.enrollments.filter(course=personas.course_a).delete()
    assert error_code(lambda: practice_answer_submit(student=personas.student1, item_id=served.item.id,
                                                     response="1")) == "item_not_open"
    assert not Attempt.objects.exists()


def test_a_new_item_replaces_the_open_one(personas, items):
    first = serve(personas)
    second = serve(personas)
    assert ServedItem.objects.get(pk=first.serving.pk).skipped_at is not None
    if first.item.id != second.item.id:
        assert error_code(lambda: practice_answer_submit(student=personas.student1, item_id=first.item.id,
                                                         response="1")) == "item_not_open"
    practice_answer_submit(student=personas.student1, item_id=second.item.id, response="1")


def test_courses_the_student_is_not_in_look_missing(personas, items):
    for course_id in (personas.course_b.id, 10**9):
        assert error_code(lambda: practice_item_serve(student=personas.student1, course_id=course_id,
                                                      mode="practice")) == "course_not_found"
    assert error_code(lambda: practice_item_serve(student=personas.teacher1, course_id=personas.course_a.id,
                                                  mode="practice")) == "course_not_found"


def test_a_course_without_items_says_so(personas):
    assert error_code(lambda: serve(personas)) == "no_items"


def test_retired_items_are_not_served(personas, items):
    for item in items.values():
        if item.key != "solve-1":
            item.retired = True
            item.save()
    Course.objects.filter(pk=personas.course_a.pk).update(content_revision=99)
    assert serve(personas).item.key == "solve-1"
    practice_answer_submit(student=personas.student1, item_id=items["solve-1"].id, response="1")
    assert error_code(lambda: serve(personas)) == "no_other_item"  # never the item just answered


@pytest.mark.parametrize("mode", ["diagnose", "practice"])
def test_neither_mode_repeats_the_item_just_answered(personas, items, mode):
    for _ in range(12):
        served = serve(personas, mode)
        practice_answer_submit(student=personas.student1, item_id=served.item.id, response=right_answer(served.item))
        assert serve(personas, mode).item.id != served.item.id


def test_practice_starts_where_prerequisites_allow(personas, items):
    served = serve(personas, "practice")
    assert {s.key for s in served.item.skills.all()} == {"solve"}


def test_practice_moves_on_once_the_prerequisite_is_mastered(personas, items):
    seen = set()
    for _ in range(30):
        served = serve(personas, "practice")
        seen |= {s.key for s in served.item.skills.all()}
        practice_answer_submit(student=personas.student1, item_id=served.item.id, response=right_answer(served.item))
    assert "isolate" in seen


def test_a_lost_state_update_race_is_retried_not_lost(personas, items, monkeypatch):
    """Another answer commits between our read and our write: the swap fails once, then applies on top."""
    import learning.practice as practice

    first = serve(personas)
    practice_answer_submit(student=personas.student1, item_id=first.item.id, response="1")
    original = practice._state_swap
    calls = []

    def racing_swap(student, course, version, state):
        if not calls:
            KnowledgeState.objects.filter(student=student, course=course).update(version=version + 1)
        calls.append(version)
        return original(student, course, version, state)

    monkeypatch.setattr(practice, "_state_swap", racing_swap)
    second = serve(personas)
    practice_answer_submit(student=personas.student1, item_id=second.item.id, response="1")
    assert calls == [1, 2]
    assert KnowledgeState.objects.get(student=personas.student1).version == 3


def test_weak_skills_are_practised_unmastered_skills_weakest_first(personas, items):
    assert student_weak_skills(student=personas.student1, course=personas.course_a, limit=3) == []
    for key in ("solve-1", "solve-2"):
        served = ServedItem.objects.create(student=personas.student1, item=items[key], mode="diagnose")
        practice_answer_submit(student=personas.student1, item_id=served.item_id, response="999")
    weak = student_weak_skills(student=personas.student1, course=personas.course_a, limit=3)
    assert [name for name, _ in weak] == ["Solve"] and weak[0][1] < 0.5


@override_settings(LEARNING_CALIBRATION_MIN_ATTEMPTS=40, LEARNING_CALIBRATION_NEW_ATTEMPTS=10)
def test_calibration_fits_from_attempts_and_replays_states(personas, items):
    assert course_calibrate(course_id=personas.course_a.id) is None  # too few attempts: cold start stays
    for student in (personas.student1, personas.student2):
        for _ in range(22):
            served = serve(personas, "diagnose", student)
            hard = served.item.difficulty_hint in ("hard", "very hard")
            response = "0" if hard and student == personas.student1 else right_answer(served.item)
            practice_answer_submit(student=student, item_id=served.item.id, response=response)
    assert courses_due_for_calibration() == [personas.course_a.id]
    revision = Course.objects.get(pk=personas.course_a.pk).knowledge_revision
    report = course_calibrate(course_id=personas.course_a.id)
    assert report.attempts == 44 and report.students == 2 and report.states_replayed == 2
    calibration = KnowledgeCalibration.objects.get(course=personas.course_a)
    assert calibration.attempts_used == 44 and set(calibration.model["items"]) <= set(items)
    assert Course.objects.get(pk=personas.course_a.pk).knowledge_revision == revision + 1
    assert courses_due_for_calibration() == []
    knowledge = course_knowledge(course=personas.course_a)
    strong, weak = (student_state(student=s, course=personas.course_a)[0] for s in (personas.student2,
                                                                                    personas.student1))
    assert sum(knowledge.mastery(strong).values()) > sum(knowledge.mastery(weak).values())
    assert KnowledgeState.objects.get(student=personas.student1).version == 23  # 22 answers + the replay


def test_the_admin_action_queues_a_calibration_per_course(personas, monkeypatch):
    from django.test import Client

    from learning import admin as learning_admin

    queued = []
    monkeypatch.setattr(learning_admin.calibrate_course, "delay", queued.append)
    client = Client()
    client.force_login(personas.admin)
    ids = [personas.course_a.id, personas.course_b.id]
    response = client.post("/admin/learning/course/", {"action": "recalibrate", "_selected_action": ids})
    assert response.status_code == 302 and sorted(queued) == sorted(ids)


def open_item_of(personas, student=None):
    return open_item_served(student=student or personas.student1, course_id=personas.course_a.id)


def test_the_open_item_is_served_again_as_it_was_and_nothing_is_written(personas, items):
    served = serve(personas, mode="practice")
    rows = list(ServedItem.objects.values_list("pk", "answered_at", "skipped_at"))
    again = open_item_of(personas)
    assert (again.serving.pk, again.item, again.mode) == (served.serving.pk, served.item, "practice")
    assert (again.skill, again.skill_name) == (served.skill, served.skill_name)
    assert 0 < again.predicted_success < 1
    assert list(ServedItem.objects.values_list("pk", "answered_at", "skipped_at")) == rows
    graded = practice_answer_submit(student=personas.student1, item_id=again.item.id, response=right_answer(again.item))
    assert graded.attempt.correct  # still answerable


def test_no_open_item_before_serving_after_answering_or_for_another_student(personas, items):
    assert open_item_of(personas) is None
    served = serve(personas)
    assert open_item_of(personas, student=personas.student2) is None
    practice_answer_submit(student=personas.student1, item_id=served.item.id, response="12345")
    assert open_item_of(personas) is None


def test_an_item_left_longer_than_the_hints_window_is_not_the_open_item(personas, items):
    served = serve(personas)
    ServedItem.objects.filter(pk=served.serving.pk).update(served_at=timezone.now() - timedelta(hours=2))
    assert open_item_of(personas) is None
    assert open_item_for_hints(student=personas.student1, course=personas.course_a) is None


def test_the_open_item_of_a_course_the_student_is_not_in_looks_missing(personas, items):
    assert error_code(lambda: open_item_served(student=personas.student3, course_id=personas.course_a.id)) == \
        error_code(lambda: open_item_served(student=personas.student1, course_id=987654)) == "course_not_found"
