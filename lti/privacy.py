"""LTI's section of a student's data (learning.privacy): the platform accounts their account is linked to (issuer
and ``sub``), the platform courses that list them (memberships), and the scores sent or owed to gradebooks.
Registered in ``LtiConfig.ready``.

On erase the link goes with the account. A later launch from the same platform user then makes a new, empty
account: the tool keeps nothing that would tie it to the erased one.
"""
from __future__ import annotations

from datetime import datetime

from learning.privacy.registry import Part, PrivacySection, Student, Tally
from lti.models import Identity, Membership, Score

LTI_LEVEL = 3  # above annotation, as the app is


class IdentityPart(Part):
    issuer: str
    sub: str
    created_at: datetime


class MembershipPart(Part):
    issuer: str
    context: str  # the platform's context id
    role: str


class ScorePart(Part):
    issuer: str
    activity: str  # the platform's resource link id
    score_given: float
    score_maximum: float
    computed_at: datetime
    status: str


class LtiPart(Part):
    identities: list[IdentityPart]
    memberships: list[MembershipPart] = []
    scores: list[ScorePart] = []


def lti_export(student: Student) -> LtiPart:
    identities = Identity.objects.filter(user=student).order_by("created_at")
    memberships = Membership.objects.filter(user=student).select_related("context__platform").order_by("pk")
    scores = Score.objects.filter(user=student).select_related("resource_link__context__platform").order_by("pk")
    return LtiPart(
        identities=[IdentityPart(issuer=i.issuer, sub=i.sub, created_at=i.created_at) for i in identities],
        memberships=[MembershipPart(issuer=m.context.platform.issuer, context=m.context.context_id, role=m.role)
                     for m in memberships],
        scores=[ScorePart(issuer=s.resource_link.context.platform.issuer, activity=s.resource_link.resource_link_id,
                          score_given=s.score_given, score_maximum=s.score_maximum, computed_at=s.computed_at,
                          status=s.status) for s in scores])


def lti_erase(student: Student, tally: Tally) -> None:
    """Scores still owed are dropped with the rest: the platform keeps what it was sent, which is its to erase."""
    tally.delete(Score.objects.filter(user=student))
    tally.delete(Membership.objects.filter(user=student))
    tally.delete(Identity.objects.filter(user=student))


LTI_SECTION = PrivacySection(key="lti", level=LTI_LEVEL, part=LtiPart, export=lti_export, erase=lti_erase)
