"""Deep linking acted out by the loopback platform: an instructor's request shows the course's activities, their
choice goes back signed to the platform's return URL, and a launch of the placed activity opens it."""
from __future__ import annotations

import jwt
import pytest
from django.test import Client

from bench.lti.platform import CLAIM, INSTRUCTOR, launch, login
from bench.lti.platform_services import activity_launch
from lti.models import ResourceLink

pytestmark = pytest.mark.django_db

DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"


def deep_linking_launch(platform, *, roles=None):
    started = login(platform)
    claims = platform.claims(nonce=started.nonce, sub="t-1", roles=roles or [INSTRUCTOR],
                             message_type="LtiDeepLinkingRequest")
    claims[DL + "deep_linking_settings"] = {
        "deep_link_return_url": platform.base_url + "/deep-link-return", "accept_types": ["ltiResourceLink"],
        "accept_presentation_document_targets": ["iframe", "window"], "data": "opaque-42"}
    return started, launch(started, platform.sign(claims))


def placed_item(response, key_pairs, platform) -> dict:
    """The content item of the signed response the page posts to the platform, checked as a platform checks it."""
    page = response.content.decode()
    assert f'action="{platform.base_url}/deep-link-return"' in page
    token = page.split('name="JWT" value="')[1].split('"')[0]
    tool = key_pairs[1]
    assert jwt.get_unverified_header(token)["kid"] == tool.kid
    message = jwt.decode(token, tool.public_pem, algorithms=["RS256"], audience=platform.issuer)
    assert (message["iss"], message[CLAIM + "message_type"], message[CLAIM + "deployment_id"]) == (
        platform.client_id, "LtiDeepLinkingResponse", platform.deployment_id)
    assert message[DL + "data"] == "opaque-42"
    [item] = message[DL + "content_items"]
    return item


def test_an_instructor_is_shown_the_courses_tutor_and_a_practice_per_skill(mapped, platform, personas, skills):
    started, response = deep_linking_launch(platform)
    assert response.status_code == 302 and response["Location"] == "/lti/deep-link"
    page = started.client.get("/lti/deep-link")
    assert page.status_code == 200
    text = page.content.decode()
    assert f"Tutor: {personas.course_a.title}" in text
    for skill in skills.values():
        assert f"Practice: {skill.name}" in text
    assert text.count('type="radio"') == 1 + len(skills)
    assert "frame-ancestors https://lms.example.org" in page["Content-Security-Policy"]


def test_choosing_practice_returns_a_signed_link_with_a_line_item_and_its_launch_opens_practice(
        mapped, platform, personas, skills, key_pairs, services):
    started, _ = deep_linking_launch(platform)
    skill = skills["isolate"]
    response = started.client.post("/lti/deep-link", {"target": "practice:isolate"})
    assert response.status_code == 200
    assert f"form-action 'self' {platform.base_url}" in response["Content-Security-Policy"]
    item = placed_item(response, key_pairs, platform)
    assert item["type"] == "ltiResourceLink" and item["url"] == "http://testserver/lti/launch"
    assert item["title"] == f"Practice: {skill.name}"
    assert item["custom"] == {"tutor_target": "practice", "tutor_course": str(personas.course_a.id),
                              "tutor_skill": "isolate"}
    assert item["lineItem"]["scoreMaximum"] == 100 and item["lineItem"]["label"] == item["title"]
    assert started.client.post("/lti/deep-link", {"target": "tutor"}).status_code == 404  # one answer per request

    _, landed = activity_launch(platform, services, custom=item["custom"])
    assert landed["Location"] == f"/?course={personas.course_a.id}&skill=isolate"
    link = ResourceLink.objects.get(resource_link_id="link-1")
    assert (link.target, link.skill, link.lineitem_url) == ("practice", skill, services.lineitem_url)


def test_choosing_the_tutor_places_the_course_and_its_launch_opens_the_chat(mapped, platform, personas, skills,
                                                                           key_pairs):
    started, _ = deep_linking_launch(platform)
    item = placed_item(started.client.post("/lti/deep-link", {"target": "tutor"}), key_pairs, platform)
    assert item["title"] == f"Tutor: {personas.course_a.title}" and "lineItem" not in item
    assert item["custom"] == {"tutor_target": "tutor", "tutor_course": str(personas.course_a.id)}
    _, landed = activity_launch(platform, custom=item["custom"])
    assert landed["Location"] == f"/?course={personas.course_a.id}"


def test_a_practice_skill_not_in_the_contexts_course_opens_the_tutor(mapped, platform, personas, skills):
    _, landed = activity_launch(platform, custom={"tutor_target": "practice", "tutor_skill": "no-such-skill"})
    assert landed["Location"] == f"/?course={personas.course_a.id}"
    assert ResourceLink.objects.get().target == "tutor"


def test_a_choice_that_was_not_offered_is_refused_and_the_request_still_waits(mapped, platform, skills):
    started, _ = deep_linking_launch(platform)
    response = started.client.post("/lti/deep-link", {"target": "practice:not-a-skill"})
    assert response.status_code == 400 and "Choose one of the activities listed." in response.content.decode()
    assert started.client.post("/lti/deep-link", {"target": "tutor"}).status_code == 200


def test_another_user_cannot_answer_an_instructors_deep_linking_request(mapped, platform, personas, skills):
    started, _ = deep_linking_launch(platform)
    assert started.client.get("/lti/deep-link").status_code == 200
    other = Client()
    other.force_login(personas.teacher1)  # course A's teacher, but without the request in their session
    assert other.get("/lti/deep-link").status_code == 404
    assert other.post("/lti/deep-link", {"target": "tutor"}).status_code == 404


def test_a_learners_deep_linking_request_is_refused_with_its_page(mapped, platform):
    started, response = deep_linking_launch(platform, roles=["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"])
    assert response.status_code == 400
    assert "<code>deep_link_not_instructor</code>" in response.content.decode()
    assert started.client.get("/lti/deep-link").status_code == 404
