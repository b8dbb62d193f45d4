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
