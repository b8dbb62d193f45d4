"""Roster sync against the loopback platform's NRPS endpoint, served in pages: members are created or linked by
their platform user id, enrolled by role, and removed when the platform stops listing them."""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from bench.lti.platform_services import activity_launch, member
from learning.models import Enrollment
from lti.models import Context, Identity, Membership
from lti.roster import RosterError, roster_sync

pytestmark = pytest.mark.django_db


@pytest.fixture
def context(mapped, platform, services) -> Context:
    """The mapped context, after a launch that named its roster (and linked the learner "user-1")."""
    activity_launch(platform, services)
    return Context.objects.select_related("platform", "course").get(pk=mapped.pk)


def roles_in(course, sub: str) -> set[str]:
    return set(Enrollment.objects.filter(course=course, user__lti_identity__sub=sub).values_list("role", flat=True))


def test_a_sync_reads_every_page_and_creates_links_and_enrols_by_sub(context, services, personas):
    launched = Identity.objects.get(sub="user-1").user
    services.roster_pages([[member("user-1"), member("user-2", name="Grace Hopper")],
                           [member("t-9", role="Instructor", name="Alan Turing")], [member("user-3")]])
    synced = roster_sync(context=context)
    assert (synced.listed, synced.skipped, synced.removed) == (4, 0, 0)
    assert Identity.objects.get(sub="user-1").user == launched  # linked, not duplicated
    course = personas.course_a
    assert [roles_in(course, sub) for sub in ("user-1", "user-2", "t-9", "user-3")] == [
        {"student"}, {"student"}, {"teacher"}, {"student"}]
    teacher = Identity.objects.get(sub="t-9").user
    assert (teacher.first_name, teacher.last_name, teacher.is_staff) == ("Alan", "Turing", True)
    assert context.memberships.count() == 4
    assert Context.objects.get(pk=context.pk).roster_synced_at is not None


def test_members_are_never_linked_by_name_or_email(context, services, personas):
    personas.student1.email = "user-2@school.example.org"
    personas.student1.save()
    services.roster_pages([[member("user-2", name=f"{personas.student1.first_name or 'S'} One")]])
    roster_sync(context=context)
    assert Identity.objects.get(sub="user-2").user != personas.student1


def test_members_the_platform_drops_or_deactivates_lose_their_enrolment_and_keep_their_account(
        context, services, personas):
    services.roster_pages([[member("user-1"), member("user-2"), member("t-9", role="Instructor")]])
    roster_sync(context=context)
    services.roster_pages([[member("user-1"), member("user-2", status="Inactive")]])
    synced = roster_sync(context=context)
    assert (synced.listed, synced.skipped, synced.removed) == (1, 1, 2)
    course = personas.course_a
    assert roles_in(course, "user-1") == {"student"}
    assert roles_in(course, "user-2") == roles_in(course, "t-9") == set()
    assert Identity.objects.filter(sub__in=["user-2", "t-9"]).count() == 2
    assert set(context.memberships.values_list("user__lti_identity__sub", flat=True)) == {"user-1"}


def test_a_sync_never_unenrols_accounts_made_in_the_tutor(context, services, personas):
    services.roster_pages([[member("user-1")]])
    roster_sync(context=context)
    assert Enrollment.objects.filter(course=personas.course_a, user=personas.student1).exists()
    assert Enrollment.objects.filter(course=personas.course_a, user=personas.teacher1).exists()


def test_a_member_listed_by_another_context_of_the_course_stays_enrolled(context, services, personas):
    other = Context.objects.create(platform=context.platform, context_id="section-2", course=personas.course_a)
    services.roster_pages([[member("user-1"), member("user-2")]])
    roster_sync(context=context)
    Membership.objects.create(context=other, user=Identity.objects.get(sub="user-2").user, role="learner")
    services.roster_pages([[member("user-1")]])
    assert roster_sync(context=context).removed == 0
    assert roles_in(personas.course_a, "user-2") == {"student"}


def test_a_roster_that_cannot_be_read_changes_nothing(context, services):
    services.roster_pages([[member("user-1"), member("user-2")], [member("user-3")]])
    services.fail_next["/api/lti/courses/101/names_and_roles/Page-1Xy"] = 1
    users = get_user_model().objects.count()
    with pytest.raises(RosterError, match="503"):
        roster_sync(context=context)
    assert get_user_model().objects.count() == users and not Membership.objects.exclude(
        user__lti_identity__sub="user-1").exists()


def test_the_command_syncs_one_context_or_says_why_not(context, services, capsys):
    services.roster_pages([[member("user-1"), member("user-2")]])
    call_command("lti_roster_sync", "--context", str(context.pk))
    assert "2 member(s) enrolled, 0 skipped, 0 enrolment(s) removed" in capsys.readouterr().out
    with pytest.raises(CommandError, match="no LTI context"):
        call_command("lti_roster_sync", "--context", "999999")
    call_command("lti_roster_sync")
    assert "1 context(s) synced, 0 failed" in capsys.readouterr().out


def test_the_admin_action_syncs_the_selected_contexts_and_reports_each(context, services, personas):
    from django.test import Client

    services.roster_pages([[member("user-1"), member("user-2")]])
    Context.objects.create(platform=context.platform, context_id="unmapped")
    client = Client()
    client.force_login(personas.admin)
    response = client.post("/admin/lti/context/", {"action": "sync_roster", "_selected_action": [
        c.pk for c in Context.objects.all()]}, follow=True)
    page = response.content.decode()
    assert "2 member(s) enrolled, 0 skipped, 0 enrolment(s) removed." in page
    assert "the context has no tutor course" in page
    assert roles_in(personas.course_a, "user-2") == {"student"}
