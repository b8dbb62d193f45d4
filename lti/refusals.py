"""Every way a login or launch is refused, in one table: the code, the page's title and what it tells the user.

Each refusal answers 400 with a page; nothing is created (the launch's writes share one transaction, and every
check that can fail runs before it or inside it)."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

REFUSALS: dict[str, tuple[str, str]] = {
    "unknown_issuer": (_("This learning platform is not registered"),
                       _("The launch came from a platform (issuer) this tutor has no registration for. An "
                         "administrator registers it under LTI platforms in the tutor's admin.")),
    "invalid_login": (_("The login request is incomplete"),
                      _("A login initiation must carry the platform's issuer (iss) and a login_hint.")),
    "client_id_required": (_("The platform did not say which registration it used"),
                           _("This platform has several registrations here: its login request must carry the "
                             "client_id. Ask the LMS administrator to check the tool's settings.")),
    "wrong_audience": (_("This launch was meant for another tool"),
                       _("The launch's audience is not a client id registered here for this platform.")),
    "unknown_deployment": (_("This deployment of the tool is not registered"),
                           _("The platform sent a deployment id that is not registered for it here. An "
                             "administrator adds it to the platform's deployments in the tutor's admin.")),
    "bad_signature": (_("The launch's signature is not valid"),
                      _("The launch was not signed by the platform's registered key, so it cannot be trusted.")),
    "unknown_key": (_("The launch was signed with an unknown key"),
                    _("No key in the platform's keyset matches the one the launch names.")),
    "keyset_unreachable": (_("The platform's keys could not be fetched"),
                           _("The platform's keyset URL did not answer with a keyset; try again later, or ask an "
                             "administrator to check the platform's JWKS URL.")),
    "expired": (_("This launch has expired"),
                _("The launch's token is past its expiry time. Open the activity again from your course.")),
    "malformed_token": (_("The launch could not be read"),
                        _("The launch's id_token is missing or is not a well-formed signed token.")),
    "state_mismatch": (_("This launch did not start here"),
                       _("The launch's state does not match the login this browser started. Open the activity "
                         "again from your course; if it keeps happening, allow cookies for this site.")),
    "replayed": (_("This launch was already used"),
                 _("A launch can be used once, shortly after its login. Open the activity again from your course.")),
    "missing_role": (_("The launch names no role"),
                     _("The platform sent no course role for you, so the tutor cannot tell whether you learn or "
                       "teach in this course.")),
    "unknown_role": (_("The tutor has nothing for your role"),
                     _("Only learners, instructors and teaching assistants of the course can open the tutor.")),
    "invalid_message": (_("The launch is incomplete"),
                        _("The launch lacks a claim that LTI 1.3 requires.")),
    "no_context": (_("The launch came from outside a course"),
                   _("The tutor opens from inside a course of the platform; this launch named no course.")),
    "unsupported_message": (_("This kind of launch is not supported"),
                            _("The tutor accepts resource link and deep linking launches only.")),
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
