"""Deep linking: the activities an instructor may place from a course, and the signed answer that places one.

A deep linking launch (an instructor's, checked in ``lti.launch``) shows the offers; the request's settings wait
in the instructor's session until they choose: the platform's return URL, the opaque ``data`` it asked to get
back, the deployment. One choice answers one request (the session's entry is taken when the answer is built).

The answer is pylti1p3's ``DeepLink``: an ``LtiDeepLinkingResponse`` JWT signed with the tool's active key, one
``ltiResourceLink`` content item whose custom parameters name the target (``lti.claims``), so that a later launch
of the placed activity opens it. A practice activity also asks the platform for a line item (score out of 100):
its launches then carry the line item the activity's mastery is sent to (``lti.grades``).
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem

from learning.models import Course, Skill
from lti import claims
from lti.launch import DEEP_LINKING_SETTINGS, ValidLaunch
from lti.models import Platform
from lti.selectors import tool_key_active
from lti.tool_conf import registration_of

SESSION_KEY = "lti_deep_link"
SCORE_MAXIMUM = 100.0
PRACTICE_TAG = "tutor-practice"


@dataclass(frozen=True)
class Offer:
    key: str  # the form's value: "tutor" or "practice:<skill key>"
    title: str
    skill_key: str = ""

    @property
    def is_practice(self) -> bool:
        return bool(self.skill_key)

    def custom(self, course: Course) -> dict[str, str]:
        target = {claims.TARGET_PARAM: "practice" if self.is_practice else "tutor",
                  claims.COURSE_PARAM: str(course.pk)}
        return {**target, claims.SKILL_PARAM: self.skill_key} if self.is_practice else target


@dataclass(frozen=True)
class Answer:
    return_url: str
    jwt: str


def offers(course: Course) -> list[Offer]:
    """The course's tutor, then practice on each skill that has items, by name."""
    skills = Skill.objects.filter(course=course, items__retired=False).distinct().order_by("name", "key")
    return [Offer("tutor", _("Tutor: %(course)s") % {"course": course.title}),
            *(Offer(f"practice:{skill.key}", _("Practice: %(skill)s") % {"skill": skill.name}, skill.key)
              for skill in skills)]


def deep_link_hold(session, *, launch: ValidLaunch, user, course: Course) -> None:
    """Keeps the request's settings in the session until the instructor chooses."""
    session[SESSION_KEY] = {"platform": launch.platform.pk, "deployment_id": launch.deployment_id,
                            "settings": launch.body[DEEP_LINKING_SETTINGS], "user": user.pk, "course": course.pk,
                            "at": time.time()}


def deep_link_pending(session, *, user) -> dict | None:
    """The request this user's session holds, if it is theirs and recent enough; else None."""
    pending = session.get(SESSION_KEY)
    if not isinstance(pending, dict) or pending.get("user") != user.pk:
        return None
    if time.time() - pending.get("at", 0) > settings.LTI_DEEP_LINK_TTL_S:
        return None
    return pending


def deep_link_answer(session, *, pending: dict, course: Course, offer: Offer, launch_url: str) -> Answer | None:
    """The signed answer placing ``offer``; takes the request out of the session. None when the platform was
    deactivated or the tool has no signing key since the request came."""
    platform = Platform.objects.filter(pk=pending["platform"], is_active=True).first()
    if platform is None or tool_key_active() is None:
        return None
    session.pop(SESSION_KEY, None)
    resource = (DeepLinkResource().set_url(launch_url).set_title(offer.title)
                .set_custom_params(offer.custom(course)))
    if offer.is_practice:
        resource.set_lineitem(LineItem().set_score_maximum(SCORE_MAXIMUM).set_label(offer.title)
                              .set_resource_id(offer.key).set_tag(PRACTICE_TAG))
    link = DeepLink(registration_of(platform), pending["deployment_id"], pending["settings"])
    message = link.get_message_jwt([resource])
    if message[claims.DL_DATA_CLAIM] is None:  # pylti1p3 sends null; the spec returns data only when it came
        del message[claims.DL_DATA_CLAIM]
    return Answer(return_url=pending["settings"]["deep_link_return_url"], jwt=link.encode_jwt(message))
