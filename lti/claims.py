"""The service claims of a validated launch, read strictly: where its grades and roster live, and what the
activity opens. A claim that is missing or malformed counts as absent (the launch itself stays valid: these
claims are optional in LTI 1.3), so nothing of it is stored. Pure: no Django."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
CUSTOM_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/custom"
RESOURCE_LINK_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/resource_link"
DL_DATA_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/data"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
AGS_SCOPES = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    SCORE_SCOPE,
)
MEMBERSHIP_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
URL_LIMIT = 500
# The custom parameters deep linking gives an activity (lti.deep_linking) and launches read back.
TARGET_PARAM, COURSE_PARAM, SKILL_PARAM = "tutor_target", "tutor_course", "tutor_skill"


@dataclass(frozen=True)
class GradeService:
    lineitem_url: str  # "" when the activity has no line item of its own
    scopes: tuple[str, ...]


@dataclass(frozen=True)
class Target:
    kind: str  # "tutor" or "practice"
    skill_key: str = ""


def service_url(value: object) -> str:
    """``value`` when it is an absolute http(s) URL within the length limit, else ""."""
    if not isinstance(value, str) or len(value) > URL_LIMIT:
        return ""
    parts = urlsplit(value)
    return value if parts.scheme in ("https", "http") and parts.netloc else ""


def grade_service(body: dict) -> GradeService | None:
    claim = body.get(AGS_CLAIM)
    if not isinstance(claim, dict) or not isinstance(claim.get("scope"), list):
        return None
    scopes = tuple(scope for scope in claim["scope"] if scope in AGS_SCOPES)
    return GradeService(lineitem_url=service_url(claim.get("lineitem")), scopes=scopes)


def memberships_url(body: dict) -> str:
    claim = body.get(NRPS_CLAIM)
    return service_url(claim.get("context_memberships_url")) if isinstance(claim, dict) else ""


def target(body: dict) -> Target:
    """What the activity opens, from its custom parameters; the course's tutor when they name nothing valid."""
    custom = body.get(CUSTOM_CLAIM)
    if not isinstance(custom, dict):
        return Target("tutor")
    skill = custom.get(SKILL_PARAM)
    if custom.get(TARGET_PARAM) == "practice" and isinstance(skill, str) and 0 < len(skill) <= 80:
        return Target("practice", skill)
    return Target("tutor")
