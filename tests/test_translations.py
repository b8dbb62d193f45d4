"""Translations: the catalogs are complete and compiled, every template string is marked, and the language a
page is read in follows the browser (an LTI launch's locale is tested in lti/tests/test_launch_language.py)."""
from __future__ import annotations

import shutil
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils.functional import Promise

from annotation.tests.review_factories import flagged_task
from tests.template_words import unmarked_in_files, unmarked_words

LOCALE = Path(settings.BASE_DIR) / "locale"
TRANSLATED = [code for code, _ in settings.LANGUAGES if code != "en"]
CATALOGS = [LOCALE / language / "LC_MESSAGES" / f"{domain}.po" for language in TRANSLATED
            for domain in ("django", "djangojs")]
PROJECT_APPS = ("tutor", "learning", "annotation", "lti")


def _untranslated(po: polib.POFile) -> list[str]:
    def done(entry: polib.POEntry) -> bool:
        forms = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        return "fuzzy" not in entry.flags and all(form.strip() for form in forms)

    return [entry.msgid for entry in po if not entry.obsolete and not done(entry)]


def _as_catalog(entries) -> dict:
    catalog = {}
    for entry in entries:
        key = (entry.msgctxt, entry.msgid, entry.msgid_plural)
        catalog[key] = dict(entry.msgstr_plural) if entry.msgid_plural else entry.msgstr
    return catalog


def test_swedish_is_english_and_swedish():
    assert [code for code, _ in settings.LANGUAGES] == ["en", "sv"] and TRANSLATED == ["sv"]


@pytest.mark.parametrize("path", CATALOGS, ids=lambda path: f"{path.parent.parent.name}/{path.name}")
def test_every_message_is_translated_and_none_is_fuzzy(path):
    po = polib.pofile(str(path))
    assert len(po) > 0 and not po.metadata_is_fuzzy
    assert _untranslated(po) == []


@pytest.mark.parametrize("path", CATALOGS, ids=lambda path: f"{path.parent.parent.name}/{path.name}")
def test_the_committed_mo_is_compiled_from_its_po(path):
    po = polib.pofile(str(path))
    mo = polib.mofile(str(path.with_suffix(".mo")))
    translated = [entry for entry in po if entry.translated() and not entry.obsolete]
    assert _as_catalog(mo) == _as_catalog(translated), "stale .mo: run scripts/messages"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs gettext's xgettext (apt-get install gettext)")
def test_the_catalogs_hold_every_marked_string_of_the_code(tmp_path, monkeypatch):
    """makemessages, run over the apps into a copy of the catalogs, adds no message: nobody marked a string and
    forgot to regenerate (scripts/messages). It runs in a folder of links to the apps, because makemessages
    writes into any ``locale`` folder of the folder it runs in."""
    base = Path(settings.BASE_DIR)
    for app in PROJECT_APPS:
        (tmp_path / app).symlink_to(base / app, target_is_directory=True)
    shutil.copytree(LOCALE, tmp_path / "locale")
    monkeypatch.chdir(tmp_path)
    with override_settings(LOCALE_PATHS=[tmp_path / "locale"]):
        for domain in ("django", "djangojs"):
            call_command("makemessages", locale=TRANSLATED, domain=domain, ignore_patterns=["*/tests/*"],
                         symlinks=True, no_obsolete=True, verbosity=0)
    for path in CATALOGS:
        regenerated = polib.pofile(str(tmp_path / "locale" / path.relative_to(LOCALE)))
        assert len(regenerated) >= len(polib.pofile(str(path)))
        assert _untranslated(regenerated) == [], f"{path.name}: new strings, run scripts/messages and translate"


def test_every_name_the_admin_shows_of_the_projects_apps_models_and_fields_is_translatable():
    names = []
    for label in PROJECT_APPS:
        config = apps.get_app_config(label)
        names.append((label, config.verbose_name))
        for model in config.get_models():
            names += [(model._meta.label, model._meta.verbose_name),
                      (f"{model._meta.label} (plural)", model._meta.verbose_name_plural)]
            names += [(f"{model._meta.label}.{field.name}", field.verbose_name) for field in model._meta.get_fields()
                      if field.concrete and not field.auto_created]
    assert len(names) > 250
    assert [where for where, name in names if not isinstance(name, Promise)] == []


# --- every template string is marked ---------------------------------------------------------------------


def project_templates() -> list[Path]:
    base = Path(settings.BASE_DIR)
    return sorted(path for app in PROJECT_APPS for path in (base / app).glob("templates/**/*.html"))


def test_the_project_has_templates_to_check():
    names = {path.name for path in project_templates()}
    assert {"index.html", "review.html", "refused.html", "mastery.html"} <= names


def test_every_template_string_is_marked_for_translation():
    assert unmarked_in_files(project_templates()) == {}


def test_the_checker_finds_an_unmarked_string():
    bad = """{% load i18n %}<p>{% translate "Marked" %} but this is not</p>
      <input type="submit" value="Send it"><img src="x.png" alt="A picture">
      <textarea placeholder="Ask here"></textarea>{% block title %}Unmarked title{% endblock %}"""
    assert unmarked_words(bad) == ["but this is not", "Send it", "A picture", "Ask here", "Unmarked title"]


def test_the_checker_accepts_marked_text_code_and_values():
    good = """{% load i18n %}<!doctype html><html lang="{{ LANGUAGE_CODE }}"><head>
      <style>body { font: 16px system-ui; }</style><script>const x = "not words";</script></head>
      <body class="page" {% if user %}hidden{% endif %}>
      <p>{% translate "Marked" %} {{ user.username }} &rsaquo; 42 · –</p>
      {% blocktranslate trimmed with name=user.username %}Hello {{ name }}, welcome.{% endblocktranslate %}
      {% comment %}A note for developers{% endcomment %}
      <input type="submit" value="{% translate "Send" %}"><img src="x.png" alt="{% translate "A picture" %}">
      </body></html>"""
    assert unmarked_words(good) == []


# --- the language of a page ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_accept_language_sv_gives_the_swedish_student_page():
    page = Client(HTTP_ACCEPT_LANGUAGE="sv-SE,sv;q=0.9,en;q=0.5").get("/").content.decode()
    assert '<html lang="sv">' in page and "Ställ en fråga till handledaren…" in page and "Logga in" in page


@pytest.mark.django_db
def test_without_a_language_the_page_is_english():
    response = Client().get("/")
    page = response.content.decode()
    assert '<html lang="en">' in page and "Ask the tutor a question…" in page
    assert response["Content-Language"] == "en" and "Accept-Language" in response["Vary"]


@pytest.mark.django_db
def test_an_unsupported_language_falls_back_to_english():
    assert '<html lang="en">' in Client(HTTP_ACCEPT_LANGUAGE="de-DE,de").get("/").content.decode()


@pytest.mark.django_db
def test_the_javascript_catalog_serves_swedish():
    swedish = Client(HTTP_ACCEPT_LANGUAGE="sv").get("/jsi18n/")
    assert swedish.status_code == 200 and "javascript" in swedish["Content-Type"]
    assert '"New conversation": "Nytt samtal"' in swedish.content.decode()
    assert "Nytt samtal" not in Client(HTTP_ACCEPT_LANGUAGE="en").get("/jsi18n/").content.decode()


@pytest.mark.django_db
def test_the_student_page_loads_the_catalog_before_its_script():
    page = Client().get("/").content.decode()
    assert page.index('src="/jsi18n/"') < page.index("tutor/chat.js")


@pytest.mark.django_db
def test_an_api_error_detail_is_translated_and_its_code_is_not():
    response = Client(HTTP_ACCEPT_LANGUAGE="sv").get("/api/me")
    assert response.status_code == 401
    body = response.json()
    assert body["error"]["code"] == "not_authenticated"
    assert body["error"]["detail"] == "Logga in först, eller skicka en giltig bearer-token."


@pytest.mark.django_db
def test_a_teacher_reviews_in_swedish(personas):
    task = flagged_task(course=personas.course_a, student=personas.student1)
    client = Client(HTTP_ACCEPT_LANGUAGE="sv")
    client.force_login(personas.teacher1)
    page = client.get(f"/admin/annotation/reviewtask/{task.pk}/change/").content.decode()
    assert '<html lang="sv"' in page
    assert "Din bedömning" in page and "Troligen fel" in page  # this project's template and a model's choice
    assert "Godkänn: svaret är rätt" in page and "Logga ut" in page  # a button, and Django's own admin
