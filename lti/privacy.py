"""LTI's section of a student's data (learning.privacy): the platform accounts their account is linked to (issuer
and ``sub``). Registered in ``LtiConfig.ready``.

On erase the link goes with the account. A later launch from the same platform user then makes a new, empty
account: the tool keeps nothing that would tie it to the erased one.
"""
from __future__ import annotations

from datetime import datetime

from learning.privacy.registry import Part, PrivacySection, Student, Tally
from lti.models import Identity

LTI_LEVEL = 3  # above annotation, as the app is


class IdentityPart(Part):
    issuer: str
    sub: str
    created_at: datetime


class LtiPart(Part):
    identities: list[IdentityPart]


def lti_export(student: Student) -> LtiPart:
    identities = Identity.objects.filter(user=student).order_by("created_at")
    return LtiPart(identities=[IdentityPart(issuer=i.issuer, sub=i.sub, created_at=i.created_at) for i in identities])


def lti_erase(student: Student, tally: Tally) -> None:
    tally.delete(Identity.objects.filter(user=student))


LTI_SECTION = PrivacySection(key="lti", level=LTI_LEVEL, part=LtiPart, export=lti_export, erase=lti_erase)
