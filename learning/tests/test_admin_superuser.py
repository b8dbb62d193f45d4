"""The superuser-only admin rule (learning.admin.superuser), seen through the course admin that uses it."""
import pytest

pytestmark = pytest.mark.django_db

MISSING_ID = 987654


def history(course_id: int) -> str:
    return f"/admin/learning/course/{course_id}/history/"


@pytest.mark.parametrize("persona", ["teacher1", "author1"])
def test_staff_get_403_for_an_existing_and_a_missing_course_history_alike(client, personas, persona):
    client.force_login(getattr(personas, persona))
    assert client.get(history(personas.course_a.pk)).status_code == 403
    assert client.get(history(MISSING_ID)).status_code == 403


def test_a_superuser_sees_a_course_history_and_is_told_when_the_course_is_missing(client, personas):
    client.force_login(personas.admin)
    assert client.get(history(personas.course_a.pk)).status_code == 200
    assert client.get(history(MISSING_ID)).status_code == 302  # Django's "does not exist" redirect


def test_staff_see_no_course_module_and_may_not_add_change_or_delete(client, personas):
    client.force_login(personas.teacher1)
    for url in ("/admin/learning/course/", "/admin/learning/course/add/",
                f"/admin/learning/course/{personas.course_a.pk}/change/",
                f"/admin/learning/course/{personas.course_a.pk}/delete/"):
        assert client.get(url).status_code == 403, url
    assert "/admin/learning/course/" not in client.get("/admin/").content.decode()


@pytest.mark.parametrize("threshold, stored", [("", None), ("0.45", 0.45)])
def test_a_superuser_sets_the_answer_style_and_the_abstention_threshold(client, personas, threshold, stored):
    from learning.models import Course

    client.force_login(personas.admin)
    course = personas.course_a
    form = {"slug": course.slug, "title": course.title, "description": "", "content_revision": 0,
            "knowledge_revision": 0, "answer_style": "hints", "abstain_below": threshold,
            "enrollments-TOTAL_FORMS": 0, "enrollments-INITIAL_FORMS": 0}
    response = client.post(f"/admin/learning/course/{course.pk}/change/", form)
    assert response.status_code == 302, response.content[:2000]
    course = Course.objects.get(pk=course.pk)
    assert (course.answer_style, course.abstain_below) == ("hints", stored)
    assert client.post(f"/admin/learning/course/{course.pk}/change/", {**form, "abstain_below": "1.5"}).status_code == 200
    assert Course.objects.get(pk=course.pk).abstain_below == stored  # out of [0, 1]: refused, nothing written
