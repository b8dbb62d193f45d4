import csv
import io
import xml.etree.ElementTree as ET
from statistics import fmean

import pytest
from django.contrib.admin.sites import site
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from learning.admin.mastery import csv_safe
from learning.course_knowledge import course_knowledge, course_revision_bump, student_state
from learning.mastery import course_mastery_table, courses_for_teacher
from learning.models import Attempt, CourseMastery, Enrollment, Skill
from learning.practice import practice_answer_submit, practice_item_serve
from learning.tests.factories import practice_content

pytestmark = pytest.mark.django_db

VIEWS = ["mastery", "heatmap", "csv", "change"]


@pytest.fixture
def content(personas):
    return practice_content(personas.course_a), practice_content(personas.course_b)


def answer(student, course, count: int, right=lambda n: n % 2 == 0) -> None:
    for n in range(count):
        item = practice_item_serve(student=student, course_id=course.id, mode="diagnose").item
        response = str(int(item.answer_spec["value"])) if right(n) else "9999"
        practice_answer_submit(student=student, item_id=item.id, response=response)


def student(name: str, course):
    user = get_user_model().objects.create_user(username=name, password="pw")
    Enrollment.objects.create(user=user, course=course, role=Enrollment.Role.STUDENT)
    return user


def url(view: str, course_id: int | None = None) -> str:
    args = [] if course_id is None else [course_id]
    return reverse(f"admin:learning_coursemastery_{view}", args=args)


def get_as(client, user, path: str):
    if user is not None:
        client.force_login(user)
    return client.get(path)


# --- the table -----------------------------------------------------------------------------------------------

def test_table_values_equal_the_knowledge_model_for_each_student(personas, content):
    answer(personas.student1, personas.course_a, 5)
    answer(personas.student2, personas.course_a, 2, right=lambda n: True)
    table = course_mastery_table(course=personas.course_a)
    knowledge = course_knowledge(course=personas.course_a)
    assert [s.key for s in table.skills] == ["isolate", "solve", "two-step"]
    assert [s.name for s in table.skills] == ["Isolate", "Solve", "Two Step"]
    assert [s.username for s in table.students] == ["student1", "student2"]
    for row in table.students:
        state, _ = student_state(student=get_user_model().objects.get(pk=row.student_id), course=personas.course_a)
        mastery = knowledge.mastery(state)
        for skill, cell in zip(table.skills, row.cells):
            assert cell.mastery == pytest.approx(mastery[skill.key])
            assert cell.practised == (skill.key in state.estimates)
            assert cell.attempts == (state.estimates[skill.key].attempts if cell.practised else 0)
        attempts = Attempt.objects.filter(student_id=row.student_id)
        assert row.attempts == attempts.count()
        assert row.correct == attempts.filter(correct=True).count()
        assert row.last_activity == attempts.aggregate(last=Max("created_at"))["last"]
    assert table.students[1].accuracy == 1.0 and table.students[0].accuracy == pytest.approx(3 / 5)
    for j, skill in enumerate(table.skills):
        assert skill.class_mean == pytest.approx(fmean(row.cells[j].mastery for row in table.students))
    assert table.mastery_level == 0.8


def test_student_who_never_practised_shows_the_prior_unpractised(personas, content):
    table = course_mastery_table(course=personas.course_a)
    prior = course_knowledge(course=personas.course_a).mastery(student_state(student=personas.student2,
                                                                             course=personas.course_a)[0])
    row = table.students[1]
    assert [c.practised for c in row.cells] == [False, False, False]
    assert [c.mastery for c in row.cells] == pytest.approx([prior[s.key] for s in table.skills])
    assert (row.attempts, row.accuracy, row.last_activity) == (0, None, None)


def test_table_lists_only_the_courses_students(personas, content):
    answer(personas.student3, personas.course_b, 2)
    assert [s.username for s in course_mastery_table(course=personas.course_a).students] == ["student1", "student2"]
    assert [s.username for s in course_mastery_table(course=personas.course_b).students] == ["student3"]


def test_table_query_count_does_not_grow_with_students(personas, content):
    def queries() -> int:
        course_mastery_table(course=personas.course_a)  # the knowledge model is built and cached once
        with CaptureQueriesContext(connection) as captured:
            table = course_mastery_table(course=personas.course_a)
        return len(captured), len(table.students)

    answer(personas.student1, personas.course_a, 2)
    few = queries()
    for n in range(10):
        answer(student(f"extra{n:02}", personas.course_a), personas.course_a, 2)
    many = queries()
    assert (few[1], many[1]) == (2, 12)
    assert few[0] == many[0] <= 4


def test_courses_for_teacher(personas):
    assert list(courses_for_teacher(user=personas.teacher1)) == [personas.course_a]
    assert list(courses_for_teacher(user=personas.teacher2)) == [personas.course_b]
    assert list(courses_for_teacher(user=personas.author1)) == []
    assert list(courses_for_teacher(user=personas.student1)) == []
    assert set(courses_for_teacher(user=personas.admin)) == {personas.course_a, personas.course_b}


# --- access --------------------------------------------------------------------------------------------------

# persona -> (changelist, course_a views, course_b views)
ACCESS = {
    "teacher1": (200, 200, 404),
    "teacher2": (200, 404, 200),
    "admin": (200, 200, 200),
    "author1": (403, 404, 404),  # staff without the module: admin's 403; a course they don't teach: 404
}


@pytest.mark.parametrize("persona", ACCESS)
@pytest.mark.parametrize("view", VIEWS)
def test_access_matrix_for_staff(client, personas, content, persona, view):
    changelist, on_a, on_b = ACCESS[persona]
    user = getattr(personas, persona)
    assert get_as(client, user, url("changelist")).status_code == changelist
    assert client.get(url(view, personas.course_a.id)).status_code == on_a
    assert client.get(url(view, personas.course_b.id)).status_code == on_b


@pytest.mark.parametrize("persona", ["student1", None])
@pytest.mark.parametrize("view", VIEWS)
def test_students_and_anonymous_are_sent_to_the_admin_login(client, personas, persona, view):
    user = getattr(personas, persona) if persona else None
    for path in [url("changelist"), url(view, personas.course_a.id), url(view, personas.course_b.id)]:
        response = get_as(client, user, path)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login") + "?next=")


@pytest.mark.parametrize("view", ["mastery", "heatmap", "csv"])
def test_missing_course_and_other_teachers_course_give_the_same_404(client, personas, content, view):
    client.force_login(personas.teacher1)
    missing = client.get(url(view, 987654))
    not_yours = client.get(url(view, personas.course_b.id))
    assert missing.status_code == not_yours.status_code == 404
    assert missing.content == not_yours.content


def test_changelist_lists_only_the_teachers_courses(client, personas):
    client.force_login(personas.teacher1)
    response = client.get(url("changelist"))
    assert list(response.context["cl"].result_list) == [personas.course_a]
    assert url("mastery", personas.course_a.id).encode() in response.content
    assert b"Biology" not in response.content
    client.force_login(personas.admin)
    assert set(client.get(url("changelist")).context["cl"].result_list) == {personas.course_a, personas.course_b}


def test_nobody_may_add_change_or_delete(client, personas, rf):
    admin = site._registry[CourseMastery]
    request = rf.get("/")
    request.user = personas.admin
    assert admin.get_model_perms(request) == {"add": False, "change": False, "delete": False, "view": True}
    client.force_login(personas.admin)
    base = reverse("admin:learning_coursemastery_changelist")
    for path in ["add/", f"{personas.course_a.id}/delete/", f"{personas.course_a.id}/history/"]:
        assert client.get(base + path).status_code == 404


def test_menu_shows_the_module_to_teachers_only(client, personas):
    for user, shown in [(personas.teacher1, True), (personas.author1, False), (personas.admin, True)]:
        client.force_login(user)
        assert (url("changelist").encode() in client.get(reverse("admin:index")).content) == shown


# --- the page, the image and the CSV -------------------------------------------------------------------------

@pytest.fixture
def hostile(personas, content):
    """Names from users and authors that would break out of markup or into a spreadsheet formula."""
    Skill.objects.filter(course=personas.course_a, key="solve").update(name="<script>alert(1)</script> & co")
    Skill.objects.filter(course=personas.course_a, key="isolate").update(name="=HYPERLINK(\"http://x\")")
    course_revision_bump(course_id=personas.course_a.id)
    personas.course_a.title = "Algebra <b>&</b>"
    personas.course_a.save()
    evil = student("<img src=x onerror=alert(1)>&", personas.course_a)
    answer(evil, personas.course_a, 2)
    return student("@SUM(1+1)", personas.course_a)


def test_mastery_page_shows_coloured_cells_class_means_and_the_heatmap(client, personas, content):
    answer(personas.student1, personas.course_a, 3)
    client.force_login(personas.teacher1)
    response = client.get(url("mastery", personas.course_a.id))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Two Step" in html and "Class mean" in html and "student1" in html and "student2" in html
    assert "background-color: #" in html and "unpractised" in html
    assert f'src="{url("heatmap", personas.course_a.id)}"' in html
    assert url("csv", personas.course_a.id) in html


def test_mastery_page_escapes_names(client, personas, hostile):
    client.force_login(personas.teacher1)
    html = client.get(url("mastery", personas.course_a.id)).content.decode()
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html


def test_heatmap_is_safe_svg_with_escaped_names(client, personas, hostile):
    client.force_login(personas.teacher1)
    response = client.get(url("heatmap", personas.course_a.id))
    assert response["Content-Type"] == "image/svg+xml"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    svg = response.content.decode()
    root = ET.fromstring(svg)
    shown = {"".join(node.itertext()) for node in root.iter("{http://www.w3.org/2000/svg}text")}
    assert any("<script>alert(1)</script> & co" in text for text in shown)
    assert any("<img src=x onerror=alert(1)>&" in text for text in shown)
    assert "<script" not in svg and "<img" not in svg and "&lt;script&gt;" in svg
    assert not list(root.iter("{http://www.w3.org/2000/svg}script"))


def test_csv_has_every_student_and_guards_against_formulas(client, personas, hostile):
    client.force_login(personas.teacher1)
    response = client.get(url("csv", personas.course_a.id))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header, students, means = rows[0], rows[1:-1], rows[-1]
    assert header[:4] == ["student", "attempts", "accuracy", "last activity"]
    assert "'=HYPERLINK(\"http://x\") mastery" in header
    assert "<script>alert(1)</script> & co mastery" in header
    assert [r[0] for r in students] == ["<img src=x onerror=alert(1)>&", "'@SUM(1+1)", "student1", "student2"]
    assert students[0][1] == "2" and means[0] == "class mean"
    assert len({len(r) for r in rows}) == 1 and len(header) == 4 + 2 * 3


@pytest.mark.parametrize("value, safe", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"), ("\t=1", "'\t=1"),
    ("0.8000", "0.8000"), ("a=b", "a=b"), ("", ""),
])
def test_csv_safe(value, safe):
    assert csv_safe(value) == safe


# --- misconceptions ------------------------------------------------------------------------------------------


def _misconceptions_in(course, text="1/3 + 1/4 is not 2/7."):
    from learning.misconceptions.matching import Misconception
    from learning.practice import student_misconception_record

    return lambda student, key, times=1: [
        student_misconception_record(student=student, course=course, misconception=Misconception(key, text))
        for _ in range(times)]


def test_the_most_widely_held_misconceptions_come_first_with_who_holds_them(personas, content):
    from learning.mastery import course_common_misconceptions

    record = _misconceptions_in(personas.course_a)
    record(personas.student1, "adds-across", 3)
    record(personas.student2, "adds-across")
    record(personas.student1, "flips-wrong-fraction", 5)
    _misconceptions_in(personas.course_b)(personas.student3, "whole-number-bias")
    held = course_common_misconceptions(course=personas.course_a)
    assert [(h.key, h.times, h.students) for h in held] == [
        ("adds-across", 4, (("student1", 3), ("student2", 1))),
        ("flips-wrong-fraction", 5, (("student1", 5),)),
    ]


def test_the_mastery_page_lists_misconceptions_of_the_teachers_course_only(client, personas, content):
    _misconceptions_in(personas.course_a)(personas.student1, "adds-across", 2)
    _misconceptions_in(personas.course_b, "Course B's.")(personas.student3, "whole-number-bias")
    client.force_login(personas.teacher1)
    html = client.get(url("mastery", personas.course_a.id)).content.decode()
    assert "Most common misconceptions" in html and "adds-across" in html and "student1 (2×)" in html
    assert "whole-number-bias" not in html and "student3" not in html
    assert client.get(url("mastery", personas.course_b.id)).status_code == 404
