from __future__ import annotations

from django.db.models import QuerySet

from lti.models import Context, Deployment, Identity, Platform, ToolKey


def platforms_of_issuer(*, issuer: str) -> QuerySet[Platform]:
    return Platform.objects.filter(issuer=issuer, is_active=True)


def deployment_exists(*, platform: Platform, deployment_id: str) -> bool:
    return Deployment.objects.filter(platform=platform, deployment_id=deployment_id).exists()


def tool_key_active() -> ToolKey | None:
    return ToolKey.objects.filter(status=ToolKey.Status.ACTIVE).first()


def tool_keys_served() -> QuerySet[ToolKey]:
    """The keys the JWKS publishes: the active one and those rotated out but not yet retired."""
    return ToolKey.objects.filter(status__in=[ToolKey.Status.ACTIVE, ToolKey.Status.SERVED]).order_by("-created_at")


def identity_user(*, issuer: str, sub: str):
    identity = Identity.objects.select_related("user").filter(issuer=issuer, sub=sub).first()
    return identity.user if identity else None


def context_get(*, platform: Platform, context_id: str) -> Context | None:
    return Context.objects.select_related("course").filter(platform=platform, context_id=context_id).first()
