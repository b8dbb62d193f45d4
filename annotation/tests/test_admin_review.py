import xml.etree.ElementTree as ET

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.test import Client, override_settings

from annotation.models import ReviewEvent, ReviewPolicy, ReviewTask, RouterVersion, TrainingExample
from annotation.routing import answer_route
from annotation.tests.factories import UNSURE, answered_question
from annotation.tests.review_factories import flagged_task
from learning.models import Enrollment, Passage
from tutor.models import Message

pytestmark = pytest.mark.django_db

REVIEW = "/admin/annotation/reviewtask"
ACTIONS = ["approve", "claim", "correct", "reject", "release"]


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(user, task, action: str, **data):
    return as_user(user).post(f"{REVIEW}/{task.id}/{action}/", data)


def shown_messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def fresh(task: ReviewTask) -> ReviewTask:
    return ReviewTask.objects.get(id=task.id)


@pytest.fixture
def task_a(personas):
    return flagged_task(course=personas.course_a, student=personas.student1, question="What is 1/2 + 1/4?",
                        answer="It is 2/6.")


@pytest.fixture
def task_b(personas):
    return flagged_task(course=personas.course_b, student=personas.student3, question="What do cells divide by?",
                        answer="By photosynthesis.")


@pytest.fixture
def teacher3(personas):
    """A second teacher of course A."""
    user = get_user_model().objects.create_user(username="teacher3", password="pw", is_staff=True)
    Enrollment.objects.create(user=user, course=personas.course_a, role=Enrollment.Role.TEACHER)
    return user


# --- the queue -----------------------------------------------------------------------------------------------

def test_teacher_sees_own_courses_tasks_and_not_the_other_courses(personas, task_a, task_b):
    teacher1_page = as_user(personas.teacher1).get(f"{REVIEW}/").content.decode()
    teacher2_page = as_user(personas.teacher2).get(f"{REVIEW}/").content.decode()
    admin_page = as_user(personas.admin).get(f"{REVIEW}/").content.decode()
    assert "What is 1/2 + 1/4?" in teacher1_page and "What do cells divide by?" not in teacher1_page
    assert "What do cells divide by?" in teacher2_page and "What is 1/2 + 1/4?" not in teacher2_page
    assert "What is 1/2 + 1/4?" in admin_page and "What do cells divide by?" in admin_page


def test_the_queue_shows_unresolved_tasks_likeliest_wrong_first(personas):
    def task(question, p):
        return flagged_task(course=personas.course_a, student=personas.student1, question=question, p_correct=p)

    doubtful, likely_wrong, done = task("Doubtful?", 0.4), task("Likely wrong?", 0.1), task("Done?", 0.05)
    ReviewTask.objects.filter(id=done.id).update(status=ReviewTask.Status.APPROVED)
    response = as_user(personas.teacher1).get(f"{REVIEW}/")
    assert [t.id for t in response.context["cl"].result_list] == [likely_wrong.id, doubtful.id]
    assert "10%" in response.content.decode()  # the router's confidence, as a percentage
    everything = as_user(personas.teacher1).get(f"{REVIEW}/?status=all").context["cl"].result_list
    assert {t.id for t in everything} == {doubtful.id, likely_wrong.id, done.id}
    approved = as_user(personas.teacher1).get(f"{REVIEW}/?status=approved").context["cl"].result_list
    assert [t.id for t in approved] == [done.id]


def test_the_course_filter_offers_only_the_teachers_courses(personas, task_a, task_b):
    response = as_user(personas.teacher1).get(f"{REVIEW}/")
    (course_filter,) = [spec for spec in response.context["cl"].filter_specs if spec.title == "course"]
    assert list(course_filter.lookup_choices) == [(personas.course_a.id, "Algebra")]
    assert "Biology" not in response.content.decode()
    for course in (personas.course_b.id, "9" * 30, "x"):
        other = as_user(personas.teacher1).get(f"{REVIEW}/?course={course}&status=all")
        assert other.status_code == 200 and list(other.context["cl"].result_list) == []


def test_the_queue_has_no_add_delete_or_bulk_actions(personas, task_a):
    client = as_user(personas.admin)
    page = client.get(f"{REVIEW}/").content.decode()
    assert 'name="action"' not in page and f"{REVIEW}/add/" not in page
    assert client.get(f"{REVIEW}/add/").status_code == 404
    assert client.get(f"{REVIEW}/{task_a.id}/delete/").status_code == 404


def test_the_queue_links_the_workload_and_reliability_pages(personas, task_a):
    page = as_user(personas.teacher1).get(f"{REVIEW}/").content.decode()
    assert f'href="{REVIEW}/workload/"' in page and 'href="/admin/annotation/routerversion/reliability/"' in page


def test_the_admin_index_offers_review_to_teachers_not_to_authors(personas):
    assert "Review tasks" in as_user(personas.teacher1).get("/admin/").content.decode()
    author_index = as_user(personas.author1).get("/admin/").content.decode()
    assert "Review tasks" not in author_index and "Router versions" not in author_index
    assert "Review policies" not in as_user(personas.teacher1).get("/admin/").content.decode()


def test_a_routed_answer_lands_in_its_teachers_queue(personas):
    answer = answered_question(student=personas.student1, course=personas.course_a, features=UNSURE,
                               question="How many sides has a hexagon?", answer="Five.")
    assert answer_route(answer_id=answer.id, random_draw=0.99).flag == "low_confidence"
    assert "How many sides has a hexagon?" in as_user(personas.teacher1).get(f"{REVIEW}/").content.decode()


# --- the review page -----------------------------------------------------------------------------------------

def test_the_review_page_shows_the_question_its_context_and_the_passages(personas):
    earlier = answered_question(student=personas.student1, course=personas.course_a, question="What is a fraction?",
                                answer="A part of a whole.")
    own = Passage.objects.create(course=personas.course_a, source="notes", ordinal=0, title="Adding fractions",
                                 text="Use a common denominator.")
    foreign = Passage.objects.create(course=personas.course_b, source="notes", ordinal=0, title="Cells",
                                     text="Mitosis is secret to course A.")
    hits = [{"id": own.id, "title": "Adding fractions", "score": 0.8123, "source": "notes"},
            {"id": foreign.id, "title": "Recorded title", "score": 0.5, "source": "notes"},
            {"id": 987654, "title": "Deleted since", "score": 0.4, "source": "old"}]
    task = flagged_task(course=personas.course_a, student=personas.student1, question="What is 1/2 + 1/4?",
                        answer="It is 2/6.", p_correct=0.23, context={"passages": hits})
    Message.objects.filter(id__in=[earlier.id, earlier.reply_to_id]).update(conversation=task.answer.conversation)
    page = as_user(personas.teacher1).get(f"{REVIEW}/{task.id}/change/").content.decode()
    for shown in ["What is a fraction?", "A part of a whole.", "What is 1/2 + 1/4?", "It is 2/6.", "23%",
                  "Likely wrong", "Adding fractions", "Use a common denominator.", "0.812", "Deleted since", "Open"]:
        assert shown in page, shown
    assert "Mitosis" not in page  # another course's passage: its text never shows
    assert page.count("no longer in the course notes") == 2
    assert "Flagged" in page  # the history


def test_model_output_is_escaped_on_the_review_page(personas):
    attack = "<script>alert(1)</script>"
    task = flagged_task(course=personas.course_a, student=personas.student1, question=f"Q {attack}",
                        answer=f"A {attack}", context={"passages": [{"id": 1, "title": attack, "score": 1}]})
    post(personas.teacher1, task, "reject", reason=f"R {attack}")
    for path in (f"{REVIEW}/{task.id}/change/", f"{REVIEW}/{task.id}/history/"):
        page = as_user(personas.teacher1).get(path).content.decode()
        assert attack not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page, path


def test_the_correction_box_starts_with_the_answer(personas, task_a):
    page = as_user(personas.teacher1).get(f"{REVIEW}/{task_a.id}/change/").content.decode()
    assert 'name="text"' in page and ">It is 2/6.</textarea>" in page and 'name="reason"' in page


def test_a_resolved_task_offers_no_verdict(personas, task_a):
    post(personas.teacher1, task_a, "approve")
    page = as_user(personas.teacher1).get(f"{REVIEW}/{task_a.id}/change/").content.decode()
    assert "/approve/" not in page and "nothing left to decide" in page


# --- verdicts --------------------------------------------------------------------------------------------------

def test_approve_makes_a_training_example_and_returns_to_the_queue(personas, task_a):
    response = post(personas.teacher1, task_a, "approve")
    assert response.status_code == 302 and response["Location"] == f"{REVIEW}/"
    assert any("Approved" in m for m in shown_messages(response))
    task = fresh(task_a)
    assert (task.status, task.resolved_by) == ("approved", personas.teacher1)
    example = TrainingExample.objects.get(review_task=task)
    assert (example.kind, example.answer, example.question) == ("approved", "It is 2/6.", "What is 1/2 + 1/4?")
    assert list(task.events.values_list("action", "actor")) == [("flagged", None), ("approved", personas.teacher1.id)]


def test_correct_shows_the_student_the_correction(personas, task_a):
    response = post(personas.teacher1, task_a, "correct", text="  It is 3/4.  ")
    assert response.status_code == 302 and response["Location"] == f"{REVIEW}/"
    assert fresh(task_a).status == "corrected"
    assert Message.objects.get(id=task_a.answer_id).corrected_text == "It is 3/4."
    example = TrainingExample.objects.get(review_task=task_a)
    assert (example.kind, example.answer, example.original_answer) == ("correction", "It is 3/4.", "It is 2/6.")
    event = ReviewEvent.objects.get(task=task_a, action="corrected")
    assert event.detail == {"corrected_text": "It is 3/4."}
    history = as_user(personas.teacher1).get(f"{REVIEW}/{task_a.id}/history/").content.decode()
    assert "Corrected" in history and "It is 3/4." in history and "teacher1" in history


def test_reject_records_the_reason_without_a_training_example(personas, task_a):
    post(personas.teacher1, task_a, "reject", reason="Off topic.")
    task = fresh(task_a)
    assert (task.status, task.reject_reason) == ("rejected", "Off topic.")
    assert not TrainingExample.objects.exists()
    assert Message.objects.get(id=task_a.answer_id).corrected_text == ""


@pytest.mark.parametrize("action, field", [("correct", "text"), ("reject", "reason")])
def test_a_missing_field_is_refused_with_a_message(personas, task_a, action, field):
    response = post(personas.teacher1, task_a, action)
    assert response.status_code == 302 and response["Location"] == f"{REVIEW}/{task_a.id}/change/"
    (message,) = shown_messages(response)
    assert f"no “{field}” field" in message
    assert fresh(task_a).status == "open" and task_a.events.count() == 1


@override_settings(ANNOTATION_MAX_CORRECTION_CHARS=10)
def test_a_too_long_or_empty_input_is_refused_by_the_service(personas, task_a):
    too_long = post(personas.teacher1, task_a, "correct", text="x" * 11)
    assert shown_messages(too_long) == ["The correction has 11 characters; at most 10 are allowed."]
    blank = post(personas.teacher1, task_a, "reject", reason="   ")
    assert shown_messages(blank) == ["The reason is empty; expected some text."]
    assert fresh(task_a).status == "open" and not TrainingExample.objects.exists()


def test_a_second_teacher_cannot_resolve_a_claimed_task(personas, task_a, teacher3):
    claimed = post(personas.teacher1, task_a, "claim")
    assert claimed["Location"] == f"{REVIEW}/{task_a.id}/change/"  # claiming is to review it now
    before = fresh(task_a)
    response = post(teacher3, task_a, "approve")
    assert response["Location"] == f"{REVIEW}/{task_a.id}/change/"
    assert shown_messages(response) == ["teacher1 is reviewing this answer."]
    after = fresh(task_a)
    assert (after.status, after.claimed_by, after.resolved_by) == ("claimed", personas.teacher1, None)
    assert after.claimed_at == before.claimed_at and not TrainingExample.objects.exists()
    assert "teacher1 is reviewing it" in as_user(teacher3).get(f"{REVIEW}/{task_a.id}/change/").content.decode()


def test_claim_and_release_leave_history(personas, task_a):
    post(personas.teacher1, task_a, "claim")
    released = post(personas.teacher1, task_a, "release")
    assert released["Location"] == f"{REVIEW}/" and fresh(task_a).status == "open"
    assert list(task_a.events.values_list("action", flat=True)) == ["flagged", "claimed", "released"]


def test_a_second_verdict_changes_nothing(personas, task_a, teacher3):
    post(personas.teacher1, task_a, "approve")
    events = task_a.events.count()
    for user, action, data in [(personas.teacher1, "approve", {}), (teacher3, "correct", {"text": "It is 3/4."})]:
        response = post(user, task_a, action, **data)
        assert shown_messages(response) == ["teacher1 already approved this answer."]
    assert fresh(task_a).status == "approved" and task_a.events.count() == events
    assert TrainingExample.objects.count() == 1 and Message.objects.get(id=task_a.answer_id).corrected_text == ""


@pytest.mark.parametrize("action", ACTIONS)
def test_an_action_url_answers_get_with_405(personas, task_a, action):
    assert as_user(personas.teacher1).get(f"{REVIEW}/{task_a.id}/{action}/").status_code == 405
    assert fresh(task_a).status == "open"


def test_an_action_without_the_csrf_token_is_refused(personas, task_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.teacher1)
    assert client.post(f"{REVIEW}/{task_a.id}/approve/").status_code == 403
    assert fresh(task_a).status == "open"


def test_another_courses_task_and_a_missing_one_give_the_same_404(personas, task_b):
    client = as_user(personas.teacher1)
    for suffix in ("change/", "history/"):
        foreign, missing = client.get(f"{REVIEW}/{task_b.id}/{suffix}"), client.get(f"{REVIEW}/999999/{suffix}")
        assert foreign.status_code == missing.status_code == 404
        same_path = foreign.content.replace(f"/{task_b.id}/".encode(), b"/999999/")
        assert same_path == missing.content


# --- workload ------------------------------------------------------------------------------------------------

def test_workload_counts_todays_verdicts_against_the_budget(personas, task_a, teacher3):
    ReviewPolicy.objects.create(course=personas.course_a, reviews_per_teacher_per_day=7, random_share=0.1)
    flagged_task(course=personas.course_a, student=personas.student2, question="What is 2 + 2?")
    post(personas.teacher1, task_a, "approve")
    rows = as_user(personas.teacher1).get(f"{REVIEW}/workload/").context["rows"]
    shown = [(r.course.title, r.teacher_username, r.resolved_today, r.budget_per_day, r.open_in_course) for r in rows]
    assert shown == [("Algebra", "teacher1", 1, 7, 1), ("Algebra", "teacher3", 0, 7, 1)]
    everyone = as_user(personas.admin).get(f"{REVIEW}/workload/").context["rows"]
    assert {r.course.title for r in everyone} == {"Algebra", "Biology"}


# --- the router pages ----------------------------------------------------------------------------------------

@pytest.fixture
def verdicts(personas):
    """Two verdicts in course A (right at p 0.85, wrong at p 0.15) and one in course B (wrong at p 0.95)."""
    right = flagged_task(course=personas.course_a, student=personas.student1, question="Right?", p_correct=0.85)
    wrong = flagged_task(course=personas.course_a, student=personas.student2, question="Wrong?", p_correct=0.15)
    other = flagged_task(course=personas.course_b, student=personas.student3, question="Other?", p_correct=0.95)
    post(personas.teacher1, right, "approve")
    post(personas.teacher1, wrong, "correct", text="Fixed.")
    post(personas.teacher2, other, "reject", reason="No.")


def svg_counts(svg: str) -> list[str]:
    texts = ("".join(node.itertext()) for node in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text"))
    return sorted(text for text in texts if text.startswith("n="))


def test_the_reliability_diagram_uses_only_the_teachers_courses(personas, verdicts):
    response = as_user(personas.teacher1).get("/admin/annotation/routerversion/reliability.svg")
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    assert response["X-Content-Type-Options"] == "nosniff"
    svg = response.content.decode()
    assert svg_counts(svg) == ["n=1", "n=1"] and "2 verdicts" in svg
    assert "<script" not in svg and not list(ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}script"))
    everyone = as_user(personas.admin).get("/admin/annotation/routerversion/reliability.svg").content.decode()
    assert svg_counts(everyone) == ["n=1", "n=1", "n=1"] and "3 verdicts" in everyone


def test_the_reliability_page_reports_verdicts_and_the_prior(personas, verdicts):
    response = as_user(personas.teacher1).get("/admin/annotation/routerversion/reliability/")
    report = response.context["report"]
    assert (report.verdicts, report.approved) == (2, 1)
    assert report.ece == pytest.approx(0.15)  # |0.85 - 1| and |0.15 - 0|
    page = response.content.decode()
    assert 'src="/admin/annotation/routerversion/reliability.svg"' in page and "prior (no verdicts yet)" in page


def test_the_reliability_page_shows_the_active_versions_out_of_fold_metrics(personas):
    metrics = {"answers": 40, "right": 25, "auroc": 0.8123, "brier": 0.1777, "ece": 0.0456,
               "reliability": [{"low": 0.0, "high": 0.1, "count": 4, "mean_predicted": 0.05, "observed": 0.25}]}
    RouterVersion.objects.create(model={}, verdicts_used=40, last_verdict_id=1, metrics=metrics)
    page = as_user(personas.teacher2).get("/admin/annotation/routerversion/reliability/").content.decode()
    assert "0.812" in page and "0.178" in page and "0.046" in page and "prior (no verdicts yet)" not in page
    empty = as_user(personas.teacher2).get("/admin/annotation/routerversion/reliability.svg").content.decode()
    assert "No verdicts yet" in empty and svg_counts(empty) == []
    versions = as_user(personas.teacher2).get("/admin/annotation/routerversion/").content.decode()
    assert "0.812" in versions and "(40 verdicts)" in versions


# --- review policies -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("share, created", [(0.7, False), (-0.1, False), (0.5, True), (0.0, True)])
def test_a_review_policys_random_share_is_from_0_to_half(personas, share, created):
    data = {"course": personas.course_a.id, "reviews_per_teacher_per_day": 5, "random_share": share}
    response = as_user(personas.admin).post("/admin/annotation/reviewpolicy/add/", data)
    assert ReviewPolicy.objects.filter(course=personas.course_a).exists() == created
    if not created:
        assert "Expected a share from 0 to 0.5" in response.content.decode()
