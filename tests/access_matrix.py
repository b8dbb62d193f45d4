"""The admin site's access matrix: every admin URL, the answer each persona gets, and the objects they ask for.

Anonymous visitors and students are not staff: every admin page sends them to the login page. Staff get 403
from a page their role has no business on, or 404 (or Django's "no such object" redirect to the index) where
the admin hides another course's object exactly as it hides a missing one.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import urlsplit

from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

PERSONAS = ["anonymous", "student1", "student2", "student3", "teacher1", "teacher2", "author1", "admin"]
OUTSIDERS = ("anonymous", "student1", "student2", "student3")
STAFF = ("teacher1", "teacher2", "author1", "admin")
MISSING_ID = 999999


def client_for(world, persona: str) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(getattr(world, persona))
    return client


@dataclass(frozen=True)
class Redirect:
    to: str  # the Location's path, without its query; "{path}" stands for the path asked for


LOGIN = Redirect("/admin/login/")
TO_INDEX = Redirect("/admin/")
# Django's answer to an object id it cannot find (or that the admin's queryset leaves out): back to the index.
NO_SUCH_OBJECT = TO_INDEX
TO_CHANGE_PAGE = Redirect("{path}change/")


def answer(response: HttpResponse) -> int | Redirect:
    if response.status_code == 302:
        return Redirect(urlsplit(response["Location"]).path)
    return response.status_code


def only(allowed: tuple[str, ...], ok=200, others=403) -> dict:
    """The staff personas' answers: ``ok`` for ``allowed``, ``others`` for the rest."""
    return {persona: ok if persona in allowed else others for persona in STAFF}


SUPERUSER = ("admin",)
TEACHERS = ("teacher1", "teacher2", "admin")
COURSE_A_TEACHERS = ("teacher1", "admin")
COURSE_A_AUTHORS = ("author1", "admin")
NOBODY: tuple[str, ...] = ()


@dataclass(frozen=True)
class AdminCase:
    path: Callable[[SimpleNamespace], str]
    staff: dict  # teacher1, teacher2, author1, admin -> status or Redirect
    outsiders: int | Redirect = LOGIN  # anonymous and the students

    def expected(self, persona: str, path: str) -> int | Redirect:
        expected = self.outsiders if persona in OUTSIDERS else self.staff[persona]
        return Redirect(expected.to.format(path=path)) if isinstance(expected, Redirect) else expected


def model_pages(name: str, base: str, obj_id: Callable, *, changelist, add, change, history, delete) -> dict:
    """A ModelAdmin's own pages. Its bare ``<id>/`` route redirects staff to the change page, which then decides."""
    return {
        f"{name}: list": AdminCase(lambda w: f"{base}/", changelist),
        f"{name}: add": AdminCase(lambda w: f"{base}/add/", add),
        f"{name}: change": AdminCase(lambda w: f"{base}/{obj_id(w)}/change/", change),
        f"{name}: history": AdminCase(lambda w: f"{base}/{obj_id(w)}/history/", history),
        f"{name}: delete": AdminCase(lambda w: f"{base}/{obj_id(w)}/delete/", delete),
        f"{name}: bare id": AdminCase(lambda w: f"{base}/{obj_id(w)}/", only(STAFF, TO_CHANGE_PAGE)),
    }


def superuser_model_pages(name: str, base: str, obj_id: Callable, *, add: tuple[str, ...] = SUPERUSER) -> dict:
    view = only(SUPERUSER)
    return model_pages(name, base, obj_id, changelist=view, add=only(add), change=view, history=view, delete=view)


CONVERSATION = "/admin/tutor/conversation"
CONTENT = "/admin/learning/coursecontent"
MASTERY = "/admin/learning/coursemastery"
REVIEW = "/admin/annotation/reviewtask"
RUNS = "/admin/annotation/trainingrun"
VERSIONS = "/admin/tutor/modelversion"
ALERTS = "/admin/tutor/safeguardingalert"
REVIEW_ACTIONS = ["claim", "release", "approve", "correct", "reject", "draft_approve", "draft_edit", "draft_reject"]

SITE_PAGES = {
    "index": AdminCase(lambda w: "/admin/", only(STAFF)),
    # The login page shows students that they are signed in without admin access; staff go on to the index.
    "login": AdminCase(lambda w: "/admin/login/", only(NOBODY, others=TO_INDEX), outsiders=200),
    "logout by GET": AdminCase(lambda w: "/admin/logout/", only(NOBODY, others=405), outsiders=TO_INDEX),
    "password change": AdminCase(lambda w: "/admin/password_change/", only(STAFF)),
    "password change done": AdminCase(lambda w: "/admin/password_change/done/", only(STAFF)),
    "autocomplete of users (enrolments)": AdminCase(
        lambda w: "/admin/autocomplete/?app_label=learning&model_name=enrollment&field_name=user&term=stu",
        only(SUPERUSER)),
    "autocomplete of courses (review policies)": AdminCase(
        lambda w: "/admin/autocomplete/?app_label=annotation&model_name=reviewpolicy&field_name=course&term=a",
        only(SUPERUSER)),
    "jsi18n": AdminCase(lambda w: "/admin/jsi18n/", only(STAFF)),
    # No model has a public page (get_absolute_url): the shortcut answers 404 whatever the object.
    "view on site, a conversation": AdminCase(
        lambda w: f"/admin/r/{w.conversation_type_id}/{w.conversation.pk}/", only(NOBODY, others=404)),
    "app index, auth": AdminCase(lambda w: "/admin/auth/", only(SUPERUSER, others=404)),
    "app index, tutor": AdminCase(lambda w: "/admin/tutor/", only(TEACHERS, others=404)),  # safeguarding alerts
    "app index, learning": AdminCase(lambda w: "/admin/learning/", only(STAFF, others=404)),
    "app index, annotation": AdminCase(lambda w: "/admin/annotation/", only(TEACHERS, others=404)),
    "no such admin page": AdminCase(lambda w: "/admin/no-such-page/", only(NOBODY, others=404)),
}

AUTH_PAGES = {
    **superuser_model_pages("group", "/admin/auth/group", lambda w: w.group.pk),
    **superuser_model_pages("user", "/admin/auth/user", lambda w: w.student1.pk),
    "user: set password": AdminCase(lambda w: f"/admin/auth/user/{w.student1.pk}/password/", only(SUPERUSER)),
    "user: set password, missing": AdminCase(lambda w: f"/admin/auth/user/{MISSING_ID}/password/",
                                             only(SUPERUSER, ok=404)),
}

# Privacy: the user list's export and erase actions are the superusers' (test_access_admin posts them as every
# persona); the audit records they leave are read-only, for superusers only.
PRIVACY_PAGES = model_pages("privacy audit", "/admin/learning/privacyaudit", lambda w: w.privacy_audit.pk,
                            changelist=only(SUPERUSER), add=only(NOBODY), change=only(SUPERUSER),
                            history=only(SUPERUSER), delete=only(NOBODY))

# Chat records are students' data: administrators only, and nobody writes them through the admin.
CHAT_PAGES = {
    **superuser_model_pages("conversation", CONVERSATION, lambda w: w.conversation.pk, add=NOBODY),
    # Django asks for the permission before it looks the id up, except on the history page.
    "conversation: change, missing": AdminCase(lambda w: f"{CONVERSATION}/{MISSING_ID}/change/",
                                               only(SUPERUSER, ok=NO_SUCH_OBJECT)),
    "conversation: history, missing": AdminCase(lambda w: f"{CONVERSATION}/{MISSING_ID}/history/",
                                                only(SUPERUSER, ok=NO_SUCH_OBJECT)),
    "conversation: delete, missing": AdminCase(lambda w: f"{CONVERSATION}/{MISSING_ID}/delete/",
                                               only(SUPERUSER, ok=NO_SUCH_OBJECT)),
    **superuser_model_pages("message", "/admin/tutor/message", lambda w: w.answer.pk, add=NOBODY),
    **superuser_model_pages("API token", "/admin/tutor/apitoken", lambda w: w.api_token.pk, add=NOBODY),
}

COURSE_PAGES = {
    **superuser_model_pages("course", "/admin/learning/course", lambda w: w.course_a.pk),
    "course: upload page, course A": AdminCase(lambda w: f"/admin/learning/course/{w.course_a.pk}/content/",
                                               only(COURSE_A_AUTHORS, others=404)),
    "course: upload page, missing": AdminCase(lambda w: f"/admin/learning/course/{MISSING_ID}/content/",
                                              only(NOBODY, others=404)),
    # Course content is read-only, and its queryset holds only the courses one authors: another course's
    # page is Django's "no such object" redirect, as a missing one is.
    **model_pages("content", CONTENT, lambda w: w.course_a.pk, changelist=only(COURSE_A_AUTHORS),
                  add=only(NOBODY), change=only(COURSE_A_AUTHORS), delete=only(NOBODY),
                  history=only(COURSE_A_AUTHORS, others=NO_SUCH_OBJECT)),
    "content: change, course B": AdminCase(lambda w: f"{CONTENT}/{w.course_b.pk}/change/",
                                           {**only(SUPERUSER), "author1": NO_SUCH_OBJECT}),
    "content: change, missing": AdminCase(lambda w: f"{CONTENT}/{MISSING_ID}/change/",
                                          only(COURSE_A_AUTHORS, ok=NO_SUCH_OBJECT)),
    "content: history, course B": AdminCase(lambda w: f"{CONTENT}/{w.course_b.pk}/history/",
                                            only(SUPERUSER, others=NO_SUCH_OBJECT)),
    "mastery: list": AdminCase(lambda w: f"{MASTERY}/", only(TEACHERS)),
    **{f"mastery: {view}, course A": AdminCase(lambda w, view=view: f"{MASTERY}/{w.course_a.pk}/{view}",
                                               only(COURSE_A_TEACHERS, others=404))
       for view in ("mastery/", "heatmap.svg", "mastery.csv", "change/")},
    **{f"mastery: {view}, missing": AdminCase(lambda w, view=view: f"{MASTERY}/{MISSING_ID}/{view}",
                                              only(NOBODY, others=404))
       for view in ("mastery/", "heatmap.svg", "mastery.csv", "change/")},
}

# Teacher review: authors are staff, but review is for the course's teachers only.
REVIEW_PAGES = {
    "review: list": AdminCase(lambda w: f"{REVIEW}/", only(TEACHERS)),
    "review: workload": AdminCase(lambda w: f"{REVIEW}/workload/", only(TEACHERS)),
    # Draft approval: each teacher's page lists only their courses' drafts (annotation/tests/test_draft_admin.py).
    "review: drafts page": AdminCase(lambda w: f"{REVIEW}/drafts/", only(TEACHERS)),
    "review: drafts list": AdminCase(lambda w: f"{REVIEW}/drafts/list/", only(TEACHERS)),
    "review: draft statistics": AdminCase(lambda w: f"{REVIEW}/drafts/stats/", only(TEACHERS)),
    "review: task in course A": AdminCase(lambda w: f"{REVIEW}/{w.review_task.pk}/change/",
                                          only(COURSE_A_TEACHERS, others=404)),
    "review: history of a task in course A": AdminCase(lambda w: f"{REVIEW}/{w.review_task.pk}/history/",
                                                       only(COURSE_A_TEACHERS, others=404)),
    "review: missing task": AdminCase(lambda w: f"{REVIEW}/{MISSING_ID}/change/", only(NOBODY, others=404)),
    "review: history of a missing task": AdminCase(lambda w: f"{REVIEW}/{MISSING_ID}/history/",
                                                   only(NOBODY, others=404)),
    # The actions take POST only (test_access_admin posts each of them as every persona).
    **{f"review: {action} by GET": AdminCase(lambda w, action=action: f"{REVIEW}/{w.review_task.pk}/{action}/",
                                             only(NOBODY, others=405))
       for action in REVIEW_ACTIONS},
    "router: versions": AdminCase(lambda w: "/admin/annotation/routerversion/", only(TEACHERS)),
    "router: reliability page": AdminCase(lambda w: "/admin/annotation/routerversion/reliability/", only(TEACHERS)),
    "router: reliability SVG": AdminCase(lambda w: "/admin/annotation/routerversion/reliability.svg",
                                         only(TEACHERS)),
    **superuser_model_pages("review policy", "/admin/annotation/reviewpolicy", lambda w: w.review_policy.pk),
}

# Retraining and serving versions: a course's teachers read their courses' runs and versions (another course's run
# answers 404, as a missing one does; the author teaches nothing: 403 on the lists, 404 on a run). Starting a run,
# promotion and rollback are the superusers' (test_access_admin POSTs them as every persona).
TRAINING_PAGES = {
    "training runs: list": AdminCase(lambda w: f"{RUNS}/", only(TEACHERS)),
    "training runs: start": AdminCase(lambda w: f"{RUNS}/start/", only(SUPERUSER)),
    "training runs: run of course A": AdminCase(lambda w: f"{RUNS}/{w.training_run.pk}/change/",
                                                only(COURSE_A_TEACHERS, others=404)),
    "training runs: loss curve of course A": AdminCase(lambda w: f"{RUNS}/{w.training_run.pk}/loss.svg",
                                                       only(COURSE_A_TEACHERS, others=404)),
    "training runs: missing run": AdminCase(lambda w: f"{RUNS}/{MISSING_ID}/change/", only(NOBODY, others=404)),
    "training runs: loss curve of a missing run": AdminCase(lambda w: f"{RUNS}/{MISSING_ID}/loss.svg",
                                                            only(NOBODY, others=404)),
    "model versions: list": AdminCase(lambda w: f"{VERSIONS}/", only(TEACHERS)),
}

# Safeguarding alerts: the course's teachers and safeguarding contacts (test_access_admin has a contact). Another
# course's alert is outside the queryset: Django's "no such object", exactly as for a missing alert. Staff with no
# course to be alerted about (the author) get 403 on an alert's page, whether it exists or not; its history page,
# as Django looks the id up first, is "no such object" for them.
ALERT_READERS = ("teacher1", "teacher2", "admin")


def _alert_object(allowed: tuple[str, ...]) -> dict:
    return {**only(allowed, others=NO_SUCH_OBJECT), "author1": 403}


ALERT_PAGES = {
    **model_pages("safeguarding alert", ALERTS, lambda w: w.alert.pk, changelist=only(ALERT_READERS),
                  add=only(NOBODY), change=_alert_object(COURSE_A_TEACHERS),
                  history=only(COURSE_A_TEACHERS, others=NO_SUCH_OBJECT), delete=only(NOBODY)),
    "safeguarding alert: change, missing": AdminCase(lambda w: f"{ALERTS}/{MISSING_ID}/change/", _alert_object(NOBODY)),
    "safeguarding alert: history, missing": AdminCase(lambda w: f"{ALERTS}/{MISSING_ID}/history/",
                                                      only(NOBODY, others=NO_SUCH_OBJECT)),
}

# Course AI settings: a course's teachers view and change their own courses' settings (and review budget); another
# course's page answers as a missing one's ("no such object"), staff who teach nothing (the author) get 403 as for
# alerts, and nobody adds or deletes courses here.
AI_SETTINGS = "/admin/learning/courseaisettings"
AI_SETTINGS_PAGES = {
    **model_pages("course AI settings", AI_SETTINGS, lambda w: w.course_a.pk, changelist=only(TEACHERS),
                  add=only(NOBODY), change=_alert_object(COURSE_A_TEACHERS),
                  history=only(COURSE_A_TEACHERS, others=NO_SUCH_OBJECT), delete=only(NOBODY)),
    "course AI settings: change, course B": AdminCase(lambda w: f"{AI_SETTINGS}/{w.course_b.pk}/change/",
                                                      _alert_object(("teacher2", "admin"))),
    "course AI settings: change, missing": AdminCase(lambda w: f"{AI_SETTINGS}/{MISSING_ID}/change/",
                                                     _alert_object(NOBODY)),
    "course AI settings: history, missing": AdminCase(lambda w: f"{AI_SETTINGS}/{MISSING_ID}/history/",
                                                      only(NOBODY, others=NO_SUCH_OBJECT)),
}

# Experiments: the course's teachers define and read them. Another course's experiment is outside the queryset,
# so its pages answer as a missing one's: "no such object" on Django's pages, 404 on the report and CSV. Staff who
# teach nothing (the author) get 403, as for alerts.
EXPERIMENTS = "/admin/tutor/experiment"
EXPERIMENT_PAGES = {
    **model_pages("experiment", EXPERIMENTS, lambda w: w.experiment.pk, changelist=only(TEACHERS),
                  add=only(TEACHERS), change=_alert_object(COURSE_A_TEACHERS),
                  history=only(COURSE_A_TEACHERS, others=NO_SUCH_OBJECT), delete=_alert_object(COURSE_A_TEACHERS)),
    "experiment: change, missing": AdminCase(lambda w: f"{EXPERIMENTS}/{MISSING_ID}/change/", _alert_object(NOBODY)),
    **{f"experiment: {view}, course A": AdminCase(lambda w, view=view: f"{EXPERIMENTS}/{w.experiment.pk}/{view}",
                                                  only(COURSE_A_TEACHERS, others=404))
       for view in ("report/", "report.csv")},
    **{f"experiment: {view}, missing": AdminCase(lambda w, view=view: f"{EXPERIMENTS}/{MISSING_ID}/{view}",
                                                 only(NOBODY, others=404))
       for view in ("report/", "report.csv")},
}

# LTI registrations, the contexts launches recorded, the accounts they linked and the tool's keys: administrators
# only. Contexts are recorded by launches (nobody adds one), identities and keys are read-only, keys are made by
# rotation (POST only: test_access_admin posts it as every persona) and never deleted.
LTI = "/admin/lti"
_READ_ONLY = dict(changelist=only(SUPERUSER), add=only(NOBODY), change=only(SUPERUSER), history=only(SUPERUSER),
                  delete=only(NOBODY))
LTI_PAGES = {
    "app index, lti": AdminCase(lambda w: f"{LTI}/", only(SUPERUSER, others=404)),
    **superuser_model_pages("LTI platform", f"{LTI}/platform", lambda w: w.lti_platform.pk),
    **superuser_model_pages("LTI context", f"{LTI}/context", lambda w: w.lti_context.pk, add=NOBODY),
    **model_pages("LTI identity", f"{LTI}/identity", lambda w: w.lti_identity.pk, **_READ_ONLY),
    **model_pages("LTI tool key", f"{LTI}/toolkey", lambda w: w.tool_key.pk, **_READ_ONLY),
    **model_pages("LTI resource link", f"{LTI}/resourcelink", lambda w: w.lti_resource_link.pk, **_READ_ONLY),
    **model_pages("LTI score", f"{LTI}/score", lambda w: w.lti_score.pk, **_READ_ONLY),
    "LTI tool key: rotate by GET": AdminCase(lambda w: f"{LTI}/toolkey/rotate/", only(NOBODY, others=405)),
}

ADMIN_MATRIX: dict[str, AdminCase] = {
    **SITE_PAGES, **AUTH_PAGES, **PRIVACY_PAGES, **CHAT_PAGES, **COURSE_PAGES, **AI_SETTINGS_PAGES, **REVIEW_PAGES,
    **TRAINING_PAGES, **ALERT_PAGES, **EXPERIMENT_PAGES, **LTI_PAGES,
}


def build_world(personas) -> SimpleNamespace:
    """The personas, plus one object of every kind the admin has a page for: student1's flagged answer in
    course A (its conversation, question, answer and review task), student2's answer that nobody flagged (an
    administrator may delete it: no review task hangs on it), an API token of student1, a group, course A's
    review policy, a training run of course A and two model versions of it (the first serving), an
    experiment of course A, a privacy audit record, and the LTI records (a platform, its context mapped to course A,
    student1's identity and a tool key)."""
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType

    from annotation.models import ReviewPolicy, TrainingRun
    from annotation.tests.factories import answered_question
    from annotation.tests.review_factories import flagged_task
    from learning.models import PrivacyAudit
    from tutor.models import ApiToken, Conversation, ModelVersion
    from tutor.services import api_token_issue

    task = flagged_task(course=personas.course_a, student=personas.student1)
    api_token_issue(user=personas.student1)
    versions = [ModelVersion.objects.create(course=personas.course_a, number=n, base_model="tiny", folder=f"a/v{n}",
                                            sha256="0" * 64, status=status)
                for n, status in ((1, "active"), (2, "retired"))]
    return SimpleNamespace(
        **vars(personas), review_task=task, answer=task.answer, question=task.answer.reply_to,
        conversation=task.answer.conversation,
        unflagged_answer=answered_question(student=personas.student2, course=personas.course_a, question="3 + 4?",
                                           answer="It is 7."),
        conversation_type_id=ContentType.objects.get_for_model(Conversation).pk,
        api_token=ApiToken.objects.get(user=personas.student1), group=Group.objects.create(name="reviewers"),
        review_policy=ReviewPolicy.objects.create(course=personas.course_a, reviews_per_teacher_per_day=5,
                                                  random_share=0.1),
        training_run=TrainingRun.objects.create(course=personas.course_a, trigger=TrainingRun.Trigger.ADMIN,
                                                losses=[2.0, 1.5]),
        model_versions=versions, alert=_alert(personas.course_a, task.answer.reply_to),
        experiment=_experiment(personas.course_a), **_lti_records(personas),
        privacy_audit=PrivacyAudit.objects.create(action="export", channel="command", counts={"exported": {}}),
    )


def _lti_records(personas) -> dict:
    """A registered platform, a context of it mapped to course A with a practice activity, student1 linked to a
    platform user with a score owed to it, a key."""
    from lti.keys import key_pair_generate
    from django.utils import timezone

    from lti.models import Context, Identity, Platform, ResourceLink, Score, ToolKey

    platform = Platform.objects.create(name="School Moodle", issuer="https://lms.example.org", client_id="c1",
                                       auth_login_url="https://lms.example.org/auth",
                                       auth_token_url="https://lms.example.org/token",
                                       jwks_url="https://lms.example.org/jwks")
    pair = key_pair_generate()
    context = Context.objects.create(platform=platform, context_id="101", course=personas.course_a)
    link = ResourceLink.objects.create(context=context, resource_link_id="link-1", target="practice",
                                       lineitem_url="https://lms.example.org/lineitems/1")
    return {
        "lti_platform": platform,
        "lti_context": context,
        "lti_identity": Identity.objects.create(issuer=platform.issuer, sub="u1", user=personas.student1),
        "tool_key": ToolKey.objects.create(kid=pair.kid, private_key=pair.private_pem, public_key=pair.public_pem),
        "lti_resource_link": link,
        "lti_score": Score.objects.create(resource_link=link, user=personas.student1, score_given=50.0,
                                          score_maximum=100.0, computed_at=timezone.now(),
                                          next_try_at=timezone.now()),
    }


def _experiment(course):
    from tutor.models import Experiment, ExperimentArm

    experiment = Experiment.objects.create(name="hints or explain", course=course, factor="answer_style")
    for name in ("explain", "hints"):
        ExperimentArm.objects.create(experiment=experiment, name=name, setting=name)
    return experiment


def _alert(course, question):
    from tutor.models import SafeguardingAlert

    return SafeguardingAlert.objects.create(student_id=question.sender_id, course=course, question=question,
                                            kind="bullying", signal="phrase: bullied", text=question.text)


# --- which admin routes exist ------------------------------------------------------------------------


def admin_site_resolver() -> URLResolver:
    return next(p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and p.namespace == "admin")


def routes_under(resolver: URLResolver, prefix: str) -> set[str]:
    """Every route below ``resolver`` as ``ResolverMatch.route`` spells it: named or not (Django's redirect
    from a bare object id and the admin's catch-all have no name), each route counts."""
    routes = set()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern).removeprefix("^")
        if isinstance(pattern, URLResolver):
            routes |= routes_under(pattern, route)
        elif isinstance(pattern, URLPattern):
            routes.add(route)
    return routes


def admin_routes() -> set[str]:
    site = admin_site_resolver()
    return routes_under(site, str(site.pattern))
