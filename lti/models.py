"""LTI 1.3 registrations (platforms and their deployments), the tool's signing keys, and what launches link:
a platform user to an account, a platform course (context) to a tutor course, and each login's one-time nonce;
the activities placed in a context (resource links), who the platform says belongs to it (memberships), and the
scores owed to its gradebook (the grade outbox)."""
from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def _origins_check(value: str) -> None:
    for origin in value.split():
        parts = urlsplit(origin)
        if parts.scheme not in ("https", "http") or not parts.netloc or parts.path or parts.query:
            raise ValidationError(f"{origin!r} is not an origin: expected scheme and host only, "
                                  "like https://school.instructure.com")


class Platform(models.Model):
    """One registration of this tool in a learning platform (a Moodle site, a Canvas instance)."""

    name = models.CharField(max_length=200, help_text=_("For administrators: which school's LMS this is."),
                            verbose_name=_("name"))
    issuer = models.CharField(max_length=255, help_text=_("The platform's issuer (iss), e.g. https://moodle.school.org "
                                                        "or https://canvas.instructure.com."), verbose_name=_("issuer"))
    client_id = models.CharField(max_length=255, help_text=_("The client id the platform gave this tool."),
                                 verbose_name=_("client id"))
    auth_login_url = models.URLField(max_length=500, help_text=_("The platform's OIDC authentication request URL."),
                                     verbose_name=_("auth login url"))
    auth_token_url = models.URLField(max_length=500, help_text=_("The platform's OAuth 2 access token URL "
                                                               "(grades and roster services)."),
                                     verbose_name=_("auth token url"))
    jwks_url = models.URLField(max_length=500, help_text=_("The platform's public keyset URL."),
                               verbose_name=_("jwks url"))
    frame_origins = models.CharField(
        max_length=1000, blank=True, validators=[_origins_check],
        help_text=_("Origins of the LMS pages that show the tool in a frame, separated by spaces "
                  "(a Canvas school: https://school.instructure.com). Empty: the issuer's origin."),
        verbose_name=_("frame origins"))
    is_active = models.BooleanField(default=True, help_text=_("Off: launches from this platform are refused."),
                                    verbose_name=_("is active"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("platform")
        verbose_name_plural = _("platforms")
        constraints = [models.UniqueConstraint(fields=["issuer", "client_id"], name="lti_platform_unique_client")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def framing_origins(self) -> list[str]:
        if self.frame_origins.strip():
            return self.frame_origins.split()
        issuer = urlsplit(self.issuer)
        return [f"{issuer.scheme}://{issuer.netloc}"]


class Deployment(models.Model):
    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="deployments",
                                 verbose_name=_("platform"))
    deployment_id = models.CharField(max_length=255, help_text=_("The deployment id the platform shows for this tool."),
                                     verbose_name=_("deployment id"))

    class Meta:
        verbose_name = _("deployment")
        verbose_name_plural = _("deployments")
        constraints = [models.UniqueConstraint(fields=["platform", "deployment_id"],
                                               name="lti_deployment_unique_id")]

    def __str__(self) -> str:
        return self.deployment_id


class ToolKey(models.Model):
    """One of the tool's RSA keys. The active key signs; a served key signed until the last rotation and stays
    in the JWKS while platforms may still hold tokens or cached keysets from it; a retired key is gone from it."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active: signs")
        SERVED = "served", _("Served: in the JWKS, no longer signs")
        RETIRED = "retired", _("Retired")

    kid = models.CharField(max_length=64, unique=True, verbose_name=_("kid"))
    private_key = models.TextField(verbose_name=_("private key"))
    public_key = models.TextField(verbose_name=_("public key"))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE, verbose_name=_("status"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    retired_at = models.DateTimeField(null=True, blank=True, verbose_name=_("retired at"))

    class Meta:
        verbose_name = _("tool key")
        verbose_name_plural = _("tool keys")
        constraints = [models.UniqueConstraint(fields=["status"], condition=Q(status="active"),
                                               name="lti_tool_key_one_active")]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kid[:12]}… ({self.status})"


class Identity(models.Model):
    """A platform user, by issuer and ``sub``: the only way a launch finds an account."""

    issuer = models.CharField(max_length=255, verbose_name=_("issuer"))
    sub = models.CharField(max_length=255, verbose_name=_("sub"))
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_identity",
                                verbose_name=_("user"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("identity")
        constraints = [models.UniqueConstraint(fields=["issuer", "sub"], name="lti_identity_unique_sub")]
        verbose_name_plural = _("identities")

    def __str__(self) -> str:
        return f"{self.sub} at {self.issuer}"


class Context(models.Model):
    """A course of the platform (the LTI context). Launches from it enrol in ``course``; until an administrator
    sets one, its launches get a page saying so."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="contexts",
                                 verbose_name=_("platform"))
    context_id = models.CharField(max_length=255, verbose_name=_("context id"))
    title = models.CharField(max_length=255, blank=True, help_text=_("As the platform last sent it."),
                             verbose_name=_("title"))
    course = models.ForeignKey("learning.Course", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="lti_contexts", help_text=_("The tutor course its launches open."),
                               verbose_name=_("course"))
    memberships_url = models.URLField(max_length=500, blank=True, verbose_name=_("roster URL"),
                                      help_text=_("Its roster (Names and Role Provisioning Services), as the last "
                                                  "launch named it; empty when the platform offers none."))
    roster_synced_at = models.DateTimeField(null=True, blank=True, verbose_name=_("roster synced at"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("context")
        verbose_name_plural = _("contexts")
        constraints = [models.UniqueConstraint(fields=["platform", "context_id"], name="lti_context_unique_id")]
        ordering = ["platform", "title"]

    def __str__(self) -> str:
        return self.title or self.context_id


class LoginNonce(models.Model):
    """The nonce of one OIDC login initiation: a launch may use it once, within the login's lifetime."""

    nonce = models.CharField(max_length=128, unique=True, verbose_name=_("nonce"))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("created at"))
    used_at = models.DateTimeField(null=True, blank=True, verbose_name=_("used at"))

    class Meta:
        verbose_name = _("login nonce")
        verbose_name_plural = _("login nonces")


class ResourceLink(models.Model):
    """An activity placed in a platform's course, as its launches describe it: what it opens (the custom
    parameters deep linking gave it) and, for a practice activity, the line item its score goes to."""

    class Target(models.TextChoices):
        TUTOR = "tutor", _("Tutor: the course's chat")
        PRACTICE = "practice", _("Practice: one skill")

    context = models.ForeignKey(Context, on_delete=models.CASCADE, related_name="resource_links",
                                verbose_name=_("context"))
    resource_link_id = models.CharField(max_length=255, verbose_name=_("resource link id"))
    title = models.CharField(max_length=255, blank=True, verbose_name=_("title"))
    target = models.CharField(max_length=10, choices=Target.choices, default=Target.TUTOR, verbose_name=_("target"))
    skill = models.ForeignKey("learning.Skill", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="lti_resource_links", verbose_name=_("skill"))
    lineitem_url = models.URLField(max_length=500, blank=True, verbose_name=_("line item URL"),
                                   help_text=_("Its line item (Assignment and Grade Services), as the last launch "
                                               "named it."))
    ags_scopes = models.JSONField(default=list, blank=True, help_text=_("The grade scopes the platform granted."),
                                  verbose_name=_("grade scopes"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [models.UniqueConstraint(fields=["context", "resource_link_id"],
                                               name="lti_resource_link_unique_id")]

    def __str__(self) -> str:
        return self.title or self.resource_link_id


class Membership(models.Model):
    """Someone the platform lists in a context, with a role there: written by launches and roster syncs. A sync
    replaces its context's rows; an enrolment goes when no context of its course lists it any more."""

    class Role(models.TextChoices):
        LEARNER = "learner", _("Learner")
        INSTRUCTOR = "instructor", _("Instructor")

    context = models.ForeignKey(Context, on_delete=models.CASCADE, related_name="memberships",
                                verbose_name=_("context"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_memberships",
                             verbose_name=_("user"))
    role = models.CharField(max_length=10, choices=Role.choices, verbose_name=_("role"))

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["context", "user", "role"], name="lti_membership_unique")]


class Score(models.Model):
    """The grade outbox: one user's latest score on one practice activity, and whether the platform has it.

    Written before any send; ``version`` goes up with every new value and ``sent_version`` records the one the
    platform acknowledged, so a row is owed while they differ. A sender holds a row by ``claimed_until`` (one
    send per row at a time, so an older value can never overtake a newer one); a failed send sets the next try
    after a back-off. Rows are never given up on."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending: not yet accepted by the platform")
        SENT = "sent", _("Sent: the platform has this value")

    resource_link = models.ForeignKey(ResourceLink, on_delete=models.CASCADE, related_name="scores",
                                      verbose_name=_("activity"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_scores",
                             verbose_name=_("user"))
    score_given = models.FloatField(verbose_name=_("score given"))
    score_maximum = models.FloatField(verbose_name=_("score maximum"))
    computed_at = models.DateTimeField(help_text=_("When the mastery was read; sent as the score's timestamp."),
                                       verbose_name=_("computed at"))
    version = models.PositiveIntegerField(default=1, verbose_name=_("version"))
    sent_version = models.PositiveIntegerField(default=0, verbose_name=_("sent version"))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING, verbose_name=_("status"))
    tries = models.PositiveIntegerField(default=0, help_text=_("Failed sends of the current value."),
                                        verbose_name=_("tries"))
    next_try_at = models.DateTimeField(db_index=True, verbose_name=_("next try at"))
    claimed_until = models.DateTimeField(null=True, blank=True, verbose_name=_("claimed until"))
    last_error = models.CharField(max_length=500, blank=True, verbose_name=_("last error"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [models.UniqueConstraint(fields=["resource_link", "user"], name="lti_score_unique_user")]
        indexes = [models.Index(fields=["status", "next_try_at"])]

    def __str__(self) -> str:
        return f"{self.user} on {self.resource_link}: {self.score_given:g}/{self.score_maximum:g} ({self.status})"
