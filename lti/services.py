"""Writes: the tool's keys, login nonces, and accepting a validated launch (account, context, enrolment, and
what the launch says about the activity and the context's services)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from learning.models import Course, Enrollment, Skill
from learning.services import enrollment_ensure
from lti.keys import key_pair_generate
from lti import claims
from lti.launch import ValidLaunch
from lti.models import Context, Identity, LoginNonce, Membership, Platform, ResourceLink, ToolKey
from lti.refusals import LaunchRefused
from lti.roles import CourseRole
from lti.selectors import identity_user

ENROLMENT_ROLE = {CourseRole.LEARNER: Enrollment.Role.STUDENT, CourseRole.INSTRUCTOR: Enrollment.Role.TEACHER}


def tool_key_rotate() -> ToolKey:
    """A new active key; the previous active key stays in the JWKS (served) until retired."""
    pair = key_pair_generate()
    with transaction.atomic():
        ToolKey.objects.filter(status=ToolKey.Status.ACTIVE).update(status=ToolKey.Status.SERVED)
        return ToolKey.objects.create(kid=pair.kid, private_key=pair.private_pem, public_key=pair.public_pem,
                                      status=ToolKey.Status.ACTIVE)


def tool_key_retire(*, key_id: int) -> bool:
    """Takes a served key out of the JWKS and forgets its private half. The active key cannot be retired (rotate
    first); False when the key is not a served one."""
    return ToolKey.objects.filter(id=key_id, status=ToolKey.Status.SERVED).update(
        status=ToolKey.Status.RETIRED, retired_at=timezone.now(), private_key="") == 1


def login_nonce_issue(*, nonce: str) -> None:
    LoginNonce.objects.create(nonce=nonce)


def login_nonce_claim(*, nonce: str) -> bool:
    """Compare-and-swap: True for the first launch that uses a fresh nonce, False for a replay, an unknown
    nonce or one whose login is older than LTI_LOGIN_TTL_S."""
    now = timezone.now()
    fresh = LoginNonce.objects.filter(nonce=nonce, used_at=None,
                                      created_at__gte=now - timedelta(seconds=settings.LTI_LOGIN_TTL_S))
    return fresh.update(used_at=now) == 1


def login_nonces_purge() -> int:
    """Deletes nonces past their lifetime (used or not): a replay of them is refused as unknown anyway."""
    cutoff = timezone.now() - timedelta(seconds=settings.LTI_LOGIN_TTL_S)
    return LoginNonce.objects.filter(created_at__lt=cutoff).delete()[0]


@dataclass(frozen=True)
class Accepted:
    user: object
    course: Course
    roles: frozenset[CourseRole]
    platform: Platform
    resource_link: ResourceLink | None = None  # None for a deep linking request


@dataclass(frozen=True)
class Unmapped:
    context: Context


def launch_accept(*, launch: ValidLaunch) -> Accepted | Unmapped:
    """Claims the launch's nonce, records its context, and (when the context is mapped to a course) creates or
    finds the account by (issuer, sub), enrols it, and records the activity (its resource link) and the grade
    and roster services the launch names. One transaction: a refusal leaves nothing written."""
    context_claim = launch.claim("context")
    if not isinstance(context_claim, dict) or not isinstance(context_claim.get("id"), str):
        raise LaunchRefused("no_context")
    with transaction.atomic():
        if not login_nonce_claim(nonce=launch.nonce):
            raise LaunchRefused("replayed")
        context = context_record(platform=launch.platform, claim=context_claim)
        if context.course is None:
            return Unmapped(context)
        user = user_for_sub(issuer=launch.platform.issuer, sub=launch.body["sub"], details=launch.body,
                            instructor=CourseRole.INSTRUCTOR in launch.roles)
        for role in launch.roles:
            member_enrol(context=context, user=user, role=role)
        context_services_record(context=context, body=launch.body)
        link = None if launch.is_deep_linking else resource_link_record(context=context, body=launch.body)
    return Accepted(user=user, course=context.course, roles=launch.roles, platform=launch.platform,
                    resource_link=link)


def member_enrol(*, context: Context, user, role: CourseRole) -> None:
    """Records that the platform lists ``user`` in ``context`` with ``role`` and enrols them in its course."""
    Membership.objects.get_or_create(context=context, user=user, role=role.value)
    enrollment_ensure(user=user, course=context.course, role=ENROLMENT_ROLE[role])


def context_services_record(*, context: Context, body: dict) -> None:
    url = claims.memberships_url(body)
    if url and url != context.memberships_url:
        Context.objects.filter(pk=context.pk).update(memberships_url=url)


def resource_link_record(*, context: Context, body: dict) -> ResourceLink:
    """The launched activity, with what its custom parameters open (a practice skill that is not in the
    context's course opens the tutor) and its line item."""
    claim = body[claims.RESOURCE_LINK_CLAIM]
    target = claims.target(body)
    skill = (Skill.objects.filter(course=context.course, key=target.skill_key).first()
             if target.kind == ResourceLink.Target.PRACTICE else None)
    grades = claims.grade_service(body)
    fields = {"title": str(claim.get("title") or "")[:255],
              "target": ResourceLink.Target.PRACTICE if skill else ResourceLink.Target.TUTOR, "skill": skill}
    if grades is not None:
        fields.update(lineitem_url=grades.lineitem_url, ags_scopes=list(grades.scopes))
    link, _ = ResourceLink.objects.update_or_create(context=context, resource_link_id=str(claim["id"])[:255],
                                                    defaults=fields)
    return link


def context_record(*, platform: Platform, claim: dict) -> Context:
    title = str(claim.get("title") or claim.get("label") or "")[:255]
    context, created = Context.objects.get_or_create(platform=platform, context_id=claim["id"][:255],
                                                     defaults={"title": title})
    if not created and title and context.title != title:
        Context.objects.filter(pk=context.pk).update(title=title)
    return Context.objects.select_related("course").get(pk=context.pk)


def user_for_sub(*, issuer: str, sub: str, details: dict, instructor: bool, known=None):
    """The account linked to (issuer, sub), created on first sight (a launch or a roster sync). Never found by
    name or email: ``details``' names and email are copied onto the account for display only. ``known`` is that
    account when the caller already looked it up (a roster sync looks its members up together)."""
    user = known or identity_user(issuer=issuer, sub=sub) or _user_create(issuer, sub)
    profile = _profile(details)
    if instructor:
        profile["is_staff"] = True  # the review queue is in the admin; what they see there is their courses'
    changed = {field: value for field, value in profile.items() if getattr(user, field) != value}
    if changed:
        for field, value in changed.items():
            setattr(user, field, value)
        user.save(update_fields=list(changed))
    return user


def _user_create(issuer: str, sub: str):
    digest = hashlib.sha256(f"{issuer}\0{sub}".encode()).hexdigest()[:24]
    try:
        with transaction.atomic():
            user = get_user_model().objects.create_user(username=f"lti-{digest}")
            Identity.objects.create(issuer=issuer, sub=sub, user=user)
            return user
    except IntegrityError:  # the same user's launch in another tab created it first
        user = identity_user(issuer=issuer, sub=sub)
        if user is None:
            raise
        return user


def _profile(body: dict) -> dict:
    def text(claim: str, limit: int) -> str:
        value = body.get(claim)
        return value[:limit] if isinstance(value, str) else ""

    email = text("email", 254)
    return {"first_name": text("given_name", 150), "last_name": text("family_name", 150),
            "email": email if "@" in email else ""}
