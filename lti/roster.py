"""Roster sync (Names and Role Provisioning Services): the context's members, as the platform lists them.

Each active member with a role this tool maps is found or created by (issuer, ``user_id``), the same ``sub`` its
launches carry, never by name or email; the names and email are copied for display. They are enrolled as
student (Learner) and/or teacher (Instructor, TeachingAssistant), and recorded as members of the context.

A member the platform no longer lists, or lists as Inactive or Deleted, loses that membership; their enrolment
in the course is **removed** (the Enrollment row is deleted) once no context of the course lists them in that
role. Their attempts, knowledge and conversations stay, so a member listed again finds them. Only accounts
linked to this platform are touched: an account made in the tutor itself is never unenrolled by a sync.

Pages are followed through ``Link: <...>; rel="next"`` (``lti.platform_client`` reads it as sent), at most
``MAX_PAGES`` of them, each URL once. Reading uses pylti1p3's ``NamesRolesProvisioningService`` (media type
``application/vnd.ims.lti-nrps.v2.membershipcontainer+json``) and nothing is written until every page is read.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from pylti1p3.names_roles import NamesRolesProvisioningService

from learning.models import Enrollment
from lti.models import Context, Identity, Membership
from lti.platform_client import PlatformConnector, PlatformServiceError, platform_connector
from lti.roles import CourseRole, course_roles
from lti.services import ENROLMENT_ROLE, member_enrol, user_for_sub

logger = logging.getLogger(__name__)
MAX_PAGES = 1000
LOOKUP_CHUNK = 500  # subs per query (SQLite limits a query's parameters)


class RosterError(Exception):
    pass


@dataclass(frozen=True)
class RosterSynced:
    listed: int  # active members with a mapped role
    skipped: int  # inactive members, or without a user_id or a mapped role
    removed: int  # enrolments removed


def roster_sync(*, context: Context, connector: PlatformConnector | None = None) -> RosterSynced:
    """Reads the context's whole roster, then enrols and removes in one transaction. Raises ``RosterError`` when
    the context has no course or roster URL, and when the platform cannot be read (nothing is written then)."""
    if context.course is None or not context.memberships_url:
        raise RosterError(f"{context}: the context has no tutor course or the platform named no roster for it")
    try:
        members = _members(context, connector or platform_connector(context.platform))
    except PlatformServiceError as exc:
        raise RosterError(f"{context}: {exc}") from exc
    listed, skipped = set(), 0
    with transaction.atomic():
        known, already = _known_users(context, members), _memberships_and_enrolments(context)
        for member in members:
            roles = _roles(member)
            if not roles:
                skipped += 1
                continue
            user = user_for_sub(issuer=context.platform.issuer, sub=member["user_id"], details=member,
                                instructor=CourseRole.INSTRUCTOR in roles, known=known.get(member["user_id"]))
            for role in roles:
                if (user.pk, role.value, ENROLMENT_ROLE[role]) not in already:
                    member_enrol(context=context, user=user, role=role)
                listed.add((user.pk, role.value))
        removed = _unlisted_remove(context, listed)
        Context.objects.filter(pk=context.pk).update(roster_synced_at=timezone.now())
    return RosterSynced(listed=len({user for user, _ in listed}), skipped=skipped, removed=removed)


def _members(context: Context, connector: PlatformConnector) -> list[dict]:
    service = NamesRolesProvisioningService(connector, {"context_memberships_url": context.memberships_url})
    members, url, seen = [], context.memberships_url, set()
    while url and url not in seen and len(seen) < MAX_PAGES:
        seen.add(url)
        page, url = service.get_members_page(url)
        if not isinstance(page, list):
            raise PlatformServiceError(f"{context.memberships_url} did not answer with a list of members")
        members.extend(member for member in page if isinstance(member, dict))
    return members


def _known_users(context: Context, members: list[dict]) -> dict[str, object]:
    """The accounts already linked to the members' subs, looked up together: {sub: user}."""
    subs = [member["user_id"] for member in members if isinstance(member.get("user_id"), str)]
    known = {}
    for start in range(0, len(subs), LOOKUP_CHUNK):
        identities = Identity.objects.filter(issuer=context.platform.issuer, sub__in=subs[start:start + LOOKUP_CHUNK])
        known.update((identity.sub, identity.user) for identity in identities.select_related("user"))
    return known


def _memberships_and_enrolments(context: Context) -> set[tuple[int, str, str]]:
    """(user, membership role, enrolment role) for each member of the context who is also enrolled so: the
    pairs a sync has nothing to write for."""
    enrolled = set(Enrollment.objects.filter(course=context.course).values_list("user_id", "role"))
    return {(user_id, role, ENROLMENT_ROLE[CourseRole(role)])
            for user_id, role in Membership.objects.filter(context=context).values_list("user_id", "role")
            if (user_id, ENROLMENT_ROLE[CourseRole(role)]) in enrolled}


def _roles(member: dict) -> set[CourseRole]:
    """The member's course roles; empty when they are not active or have no user_id or mapped role."""
    sub = member.get("user_id")
    if member.get("status", "Active") != "Active" or not isinstance(sub, str) or not 0 < len(sub) <= 255:
        return set()
    return course_roles(member.get("roles")) or set()


def _unlisted_remove(context: Context, listed: set[tuple[int, str]]) -> int:
    """Drops the context's memberships the roster no longer has, then the enrolments of this platform's
    accounts that no context of the course lists in that role; returns how many enrolments went."""
    for user_id, role in set(Membership.objects.filter(context=context).values_list("user_id", "role")) - listed:
        Membership.objects.filter(context=context, user_id=user_id, role=role).delete()
    removed = 0
    for role in CourseRole:
        still_listed = Membership.objects.filter(context__course=context.course, role=role.value).values("user")
        enrolments = (Enrollment.objects.filter(course=context.course, role=ENROLMENT_ROLE[role],
                                                user__lti_identity__issuer=context.platform.issuer)
                      .exclude(user__in=still_listed))
        removed += enrolments.delete()[0]
    return removed


def rosters_sync() -> dict[str, int]:
    """Syncs every context that has a course and a roster URL, one platform connector each; counts outcomes."""
    connectors: dict[int, PlatformConnector] = {}
    outcomes = {"synced": 0, "failed": 0}
    contexts = Context.objects.filter(course__isnull=False, platform__is_active=True).exclude(memberships_url="")
    for context in contexts.select_related("platform", "course"):
        try:
            if context.platform_id not in connectors:
                connectors[context.platform_id] = platform_connector(context.platform)
            roster_sync(context=context, connector=connectors[context.platform_id])
            outcomes["synced"] += 1
        except (RosterError, PlatformServiceError) as exc:
            logger.warning("roster of context %s not synced: %s", context.pk, exc)
            outcomes["failed"] += 1
    return outcomes
