"""Launches acted out by a platform on loopback: login initiation, the signed id_token, and where each role lands."""
from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from bench.lti.platform import INSTRUCTOR, LEARNER, launch, login
from learning.models import Enrollment
from lti.models import Context, Identity, LoginNonce

pytestmark = pytest.mark.django_db


def test_login_initiation_redirects_to_the_platform_with_a_stored_nonce_and_a_state_cookie(registration, platform):
    started = login(platform)
    assert started.redirect["client_id"] == platform.client_id
    assert started.redirect["redirect_uri"] == "http://testserver/lti/launch"
    assert (started.redirect["response_type"], started.redirect["prompt"]) == ("id_token", "none")
    assert LoginNonce.objects.filter(nonce=started.nonce, used_at=None).exists()
    assert started.client.cookies[f"lti1p3-{started.state}"].value == started.state


def test_login_without_client_id_finds_the_issuers_only_registration(registration, platform):
    assert login(platform, client_id="").redirect["client_id"] == platform.client_id


def test_a_learner_is_created_by_sub_enrolled_and_lands_on_the_courses_chat(mapped, platform, personas):
    started = login(platform)
    response = launch(started, platform.sign(platform.claims(nonce=started.nonce)))
    assert response.status_code == 302
    assert response["Location"] == f"/?course={personas.course_a.id}"
    identity = Identity.objects.get(issuer=platform.issuer, sub="user-1")
    user = identity.user
    assert (user.first_name, user.last_name, user.is_staff, user.has_usable_password()) == (
        "Ada", "Lovelace", False, False)
    assert list(Enrollment.objects.filter(user=user).values_list("course", "role")) == [
        (personas.course_a.id, "student")]
    me = started.client.get("/api/me").json()
    assert me["courses"] == [{"id": personas.course_a.id, "title": personas.course_a.title}]
    assert LoginNonce.objects.get(nonce=started.nonce).used_at is not None


def test_an_instructor_is_made_staff_teacher_and_lands_on_the_courses_review_queue(mapped, platform, personas):
    started = login(platform)
    response = launch(started, platform.sign(platform.claims(nonce=started.nonce, sub="t-1", roles=[INSTRUCTOR])))
    assert response["Location"] == f"/admin/annotation/reviewtask/?course={personas.course_a.id}"
    user = Identity.objects.get(sub="t-1").user
    assert user.is_staff and not user.is_superuser
    assert Enrollment.objects.filter(user=user, course=personas.course_a, role="teacher").exists()
    assert started.client.get(response["Location"]).status_code == 200


def test_a_second_launch_links_the_same_account_and_refreshes_its_name(mapped, platform):
    first = login(platform)
    launch(first, platform.sign(platform.claims(nonce=first.nonce)))
    second = login(platform)
    claims = {**platform.claims(nonce=second.nonce), "given_name": "Augusta"}
    assert launch(second, platform.sign(claims)).status_code == 302
    assert get_user_model().objects.filter(lti_identity__isnull=False).count() == 1
    assert Identity.objects.get().user.first_name == "Augusta"


def test_accounts_are_never_linked_by_email_or_name(mapped, platform, personas):
    """Another sub with the same name and email, or student1's email, is another account."""
    personas.student1.email = "ada@school.example.org"
    personas.student1.save()
    for sub in ("user-1", "user-2"):
        started = login(platform)
        launch(started, platform.sign(platform.claims(nonce=started.nonce, sub=sub)))
    users = {identity.user_id for identity in Identity.objects.all()}
    assert len(users) == 2 and personas.student1.id not in users


def test_the_same_sub_from_another_issuer_is_another_account(mapped, platform, registration):
    from lti.models import Deployment, Platform

    other = Platform.objects.create(name="Other", issuer="https://other.example.org", client_id="c2",
                                    auth_login_url="https://other.example.org/auth",
                                    auth_token_url="https://other.example.org/token", jwks_url=platform.jwks_url)
    Deployment.objects.create(platform=other, deployment_id=platform.deployment_id)
    Context.objects.create(platform=other, context_id="course-101", course=mapped.course)
    started = login(platform)
    launch(started, platform.sign(platform.claims(nonce=started.nonce)))
    started = login(platform, iss=other.issuer, client_id="c2")
    claims = {**platform.claims(nonce=started.nonce), "iss": other.issuer, "aud": "c2"}
    assert launch(started, platform.sign(claims)).status_code == 302
    assert Identity.objects.filter(sub="user-1").count() == 2


def test_an_unmapped_context_is_recorded_for_the_admin_and_creates_no_account(registration, platform):
    started = login(platform)
    response = launch(started, platform.sign(platform.claims(nonce=started.nonce, context_id="course-999")))
    assert response.status_code == 404
    assert "not linked to the tutor yet" in response.content.decode()
    context = Context.objects.get(context_id="course-999")
    assert (context.title, context.course) == ("Algebra 101", None)
    assert not Identity.objects.exists()


def test_a_platform_that_rotated_its_key_is_trusted_after_a_fresh_keyset_fetch(mapped, platform):
    from lti.keys import key_pair_generate

    started = login(platform)
    launch(started, platform.sign(platform.claims(nonce=started.nonce)))  # caches the keyset
    platform.key = key_pair_generate()
    started = login(platform, client=Client())
    assert launch(started, platform.sign(platform.claims(nonce=started.nonce))).status_code == 302


def test_a_launched_session_may_be_framed_by_the_platform_only(mapped, platform):
    started = login(platform)
    response = launch(started, platform.sign(platform.claims(nonce=started.nonce)))
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert (cookie["samesite"], cookie["secure"]) == ("None", True)
    page = started.client.get(response["Location"])
    assert "X-Frame-Options" not in page.headers
    assert "frame-ancestors https://lms.example.org" in page["Content-Security-Policy"]
    assert "frame-ancestors 'none'" not in page["Content-Security-Policy"]
    assert page.cookies[settings.CSRF_COOKIE_NAME]["samesite"] == "None"


def test_a_session_without_a_launch_keeps_the_strict_frame_and_cookie_policy(personas):
    client = Client()
    client.force_login(personas.student1)
    page = client.get("/")
    assert page["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    assert page.cookies[settings.CSRF_COOKIE_NAME]["samesite"] == "Lax"


def test_frame_origins_set_on_the_platform_replace_the_issuers(mapped, platform, registration):
    registration.frame_origins = "https://school.instructure.com https://other.school.org"
    registration.save()
    started = login(platform)
    page = started.client.get(launch(started, platform.sign(platform.claims(nonce=started.nonce)))["Location"])
    assert "frame-ancestors https://school.instructure.com https://other.school.org" in page[
        "Content-Security-Policy"]


def test_learner_and_instructor_roles_together_enrol_in_both_and_land_as_instructor(mapped, platform, personas):
    started = login(platform)
    response = launch(started, platform.sign(platform.claims(nonce=started.nonce, roles=[LEARNER, INSTRUCTOR])))
    assert response["Location"].startswith("/admin/annotation/reviewtask/")
    assert set(Enrollment.objects.filter(user__lti_identity__sub="user-1").values_list("role", flat=True)) == {
        "student", "teacher"}
