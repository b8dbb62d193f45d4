"""The platform's locale (launch_presentation.locale) is the language of the session it launches: it beats the
browser's Accept-Language; a locale the tutor has no translation for leaves the browser's choice."""
from __future__ import annotations

import pytest

from bench.lti.platform import launch, login
from lti.launch import CLAIM
from tutor.languages import SESSION_KEY

pytestmark = pytest.mark.django_db


def launch_with_locale(platform, locale: str | None, accept_language: str):
    started = login(platform)
    started.client.defaults["HTTP_ACCEPT_LANGUAGE"] = accept_language
    claims = platform.claims(nonce=started.nonce)
    if locale is not None:
        claims[CLAIM + "launch_presentation"] = {"locale": locale, "document_target": "iframe"}
    response = launch(started, platform.sign(claims))
    assert response.status_code == 302, response.content[:300]
    return started.client


def test_the_launch_locale_sv_se_beats_accept_language_en(mapped, platform):
    client = launch_with_locale(platform, "sv-SE", "en-US,en;q=0.9")
    assert client.session[SESSION_KEY] == "sv"
    page = client.get("/").content.decode()
    assert '<html lang="sv">' in page and "Logga ut" in page
    assert '"Nytt samtal"' in client.get("/jsi18n/").content.decode()


def test_an_unsupported_launch_locale_leaves_the_browsers_language(mapped, platform):
    client = launch_with_locale(platform, "de-DE", "sv")
    assert SESSION_KEY not in client.session
    assert '<html lang="sv">' in client.get("/").content.decode()


def test_a_launch_without_locale_follows_the_browser(mapped, platform):
    client = launch_with_locale(platform, None, "en")
    assert '<html lang="en">' in client.get("/").content.decode()


def test_a_later_launch_in_english_switches_the_session_back(mapped, platform):
    client = launch_with_locale(platform, "sv-SE", "en")
    started = login(platform, client=client)
    claims = {**platform.claims(nonce=started.nonce), CLAIM + "launch_presentation": {"locale": "en-GB"}}
    launch(started, platform.sign(claims))
    assert client.session[SESSION_KEY] == "en"
    assert '<html lang="en">' in client.get("/").content.decode()


def test_the_page_for_a_course_not_linked_yet_is_in_the_launch_language(registration, platform):
    started = login(platform)
    claims = {**platform.claims(nonce=started.nonce), CLAIM + "launch_presentation": {"locale": "sv_SE"}}
    response = launch(started, platform.sign(claims))
    assert response.status_code == 404
    assert "Denna kurs är inte kopplad till handledaren än" in response.content.decode()
