"""The tool's keys: rotation keeps the previous key in the JWKS until it is retired; one key signs."""
from __future__ import annotations

import jwt
import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from lti.keys import public_jwk
from lti.models import ToolKey
from lti.services import tool_key_retire, tool_key_rotate
from lti.tool_conf import registration_of

pytestmark = pytest.mark.django_db


def _served_kids() -> list[str]:
    return [key["kid"] for key in Client().get("/lti/jwks.json").json()["keys"]]


def test_rotation_keeps_the_previous_key_served_until_it_is_retired():
    first = tool_key_rotate()
    second = tool_key_rotate()
    assert _served_kids() == [second.kid, first.kid]
    assert ToolKey.objects.get(pk=first.pk).status == ToolKey.Status.SERVED
    assert tool_key_retire(key_id=first.pk)
    assert _served_kids() == [second.kid]
    retired = ToolKey.objects.get(pk=first.pk)
    assert (retired.status, retired.private_key) == (ToolKey.Status.RETIRED, "")


def test_the_active_key_cannot_be_retired():
    active = tool_key_rotate()
    assert not tool_key_retire(key_id=active.pk)
    assert _served_kids() == [active.kid]


def test_only_one_key_is_active():
    key = tool_key_rotate()
    with pytest.raises(IntegrityError), transaction.atomic():
        ToolKey.objects.create(kid="other", private_key="x", public_key="y", status=ToolKey.Status.ACTIVE)
    assert ToolKey.objects.get(status=ToolKey.Status.ACTIVE) == key


def test_the_jwks_holds_public_keys_only_and_verifies_what_the_active_key_signs():
    key = tool_key_rotate()
    served = Client().get("/lti/jwks.json").json()["keys"][0]
    assert set(served) == {"kty", "n", "e", "kid", "alg", "use"}  # no private exponent or primes
    token = jwt.encode({"iss": "tool"}, key.private_key, algorithm="RS256", headers={"kid": key.kid})
    assert jwt.decode(token, jwt.PyJWK(served).key, algorithms=["RS256"]) == {"iss": "tool"}
    assert served == public_jwk(key.public_key)


def test_registrations_sign_with_the_active_key(registration):
    newer = tool_key_rotate()
    assert registration_of(registration).get_tool_private_key() == newer.private_key
