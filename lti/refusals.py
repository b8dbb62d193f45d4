"""Every way a login or launch is refused, in one table: the code, the page's title and what it tells the user.

Each refusal answers 400 with a page; nothing is created (the launch's writes share one transaction, and every
check that can fail runs before it or inside it)."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

REFUSALS: dict[str, tuple[str, str]] = {
    "unknown_issuer": ("This learning platform is not registered",
                       "The launch came from a platform (issuer) this tutor has no registration for. An "
                       "administrator registers it under LTI platforms in the tutor's admin."),
    "invalid_login": ("The login request is incomplete",
                      "A login initiation must carry the platform's issuer (iss) and a login_hint."),
    "client_id_required": ("The platform did not say which registration it used",
                           "This platform has several registrations here: its login request must carry the "
                           "client_id. Ask the LMS administrator to check the tool's settings."),
    "wrong_audience": ("This launch was meant for another tool",
                       "The launch's audience is not a client id registered here for this platform."),
    "unknown_deployment": ("This deployment of the tool is not registered",
                           "The platform sent a deployment id that is not registered for it here. An "
                           "administrator adds it to the platform's deployments in the tutor's admin."),
    "bad_signature": ("The launch's signature is not valid",
                      "The launch was not signed by the platform's registered key, so it cannot be trusted."),
    "unknown_key": ("The launch was signed with an unknown key",
                    "No key in the platform's keyset matches the one the launch names."),
    "keyset_unreachable": ("The platform's keys could not be fetched",
                           "The platform's keyset URL did not answer with a keyset; try again later, or ask an "
                           "administrator to check the platform's JWKS URL."),
    "expired": ("This launch has expired",
                "The launch's token is past its expiry time. Open the activity again from your course."),
    "malformed_token": ("The launch could not be read",
                        "The launch's id_token is missing or is not a well-formed signed token."),
    "state_mismatch": ("This launch did not start here",
                       "The launch's state does not match the login this browser started. Open the activity "
                       "again from your course; if it keeps happening, allow cookies for this site."),
    "replayed": ("This launch was already used",
                 "A launch can be used once, shortly after its login. Open the activity again from your course."),
    "missing_role": ("The launch names no role",
                     "The platform sent no course role for you, so the tutor cannot tell whether you learn or "
                     "teach in this course."),
    "unknown_role": ("The tutor has nothing for your role",
                     "Only learners, instructors and teaching assistants of the course can open the tutor."),
    "invalid_message": ("The launch is incomplete",
                        "The launch lacks a claim that LTI 1.3 requires."),
    "no_context": ("The launch came from outside a course",
                   "The tutor opens from inside a course of the platform; this launch named no course."),
    "unsupported_message": ("This kind of launch is not supported",
                            "The tutor accepts resource link and deep linking launches only."),
    "deep_link_not_instructor": (
        _("Only the course's instructors can add the tutor"),
        _("Adding the tutor as an activity (deep linking) is for the course's instructors and teaching "
          "assistants. The platform launched you as a learner, so nothing was added.")),
}


class LaunchRefused(Exception):
    def __init__(self, code: str, detail: str = ""):
        assert code in REFUSALS, code
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code, self.detail = code, detail

    @property
    def title(self) -> str:
        return REFUSALS[self.code][0]

    @property
    def explanation(self) -> str:
        return REFUSALS[self.code][1]
