"""Bearer tokens are revocable: by logging out with one, by their owner over the API, by an administrator."""
import pytest
from django.test import Client

from tutor.models import ApiToken
from tutor.services import api_token_issue

pytestmark = pytest.mark.django_db


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def token_id(raw: str) -> int:
    return ApiToken.objects.get(key_hash=ApiToken.hash_key(raw)).id


def test_logout_with_a_token_revokes_it_without_csrf(personas):
    raw = api_token_issue(user=personas.student1)
    client = Client(enforce_csrf_checks=True)
    assert client.post("/api/auth/logout", **bearer(raw)).status_code == 200
    assert client.get("/api/me", **bearer(raw)).status_code == 401
    assert client.post("/api/auth/logout", **bearer(raw)).status_code == 401
    assert ApiToken.objects.get(id=token_id(raw)).revoked_at is not None


def test_logout_with_one_token_leaves_the_others_and_the_session(personas):
    first, second = api_token_issue(user=personas.student1), api_token_issue(user=personas.student1)
    client = Client()
    client.force_login(personas.student1)
    client.post("/api/auth/logout", **bearer(first))
    assert client.get("/api/me", **bearer(second)).status_code == 200
    assert client.get("/api/me").status_code == 200  # the session: the request authenticated with the token


def test_session_logout_still_needs_csrf(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.student1)
    refused = client.post("/api/auth/logout")
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "csrf_failed")
    client.get("/")  # the student page sets the CSRF cookie
    assert client.post("/api/auth/logout", HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value).status_code == 200
    assert client.get("/api/me").status_code == 401


def test_a_user_lists_only_their_live_tokens_and_which_one_asks(personas):
    mine, revoked, expired = (api_token_issue(user=personas.student1) for _ in range(3))
    api_token_issue(user=personas.student2)
    ApiToken.objects.filter(id=token_id(revoked)).update(revoked_at="2026-01-01T00:00Z")
    ApiToken.objects.filter(id=token_id(expired)).update(expires_at="2026-01-01T00:00Z")
    tokens = Client().get("/api/auth/tokens", **bearer(mine)).json()["tokens"]
    assert [(t["id"], t["current"]) for t in tokens] == [(token_id(mine), True)]
    assert set(tokens[0]) == {"id", "created_at", "expires_at", "current"}  # never the token or its hash


def test_a_user_revokes_their_own_token(personas):
    keep, drop = api_token_issue(user=personas.student1), api_token_issue(user=personas.student1)
    client = Client(enforce_csrf_checks=True)
    assert client.delete(f"/api/auth/tokens/{token_id(drop)}", **bearer(keep)).status_code == 200
    assert client.get("/api/me", **bearer(drop)).status_code == 401
    assert client.get("/api/me", **bearer(keep)).status_code == 200


def test_another_users_token_looks_exactly_like_a_missing_one(personas):
    theirs = api_token_issue(user=personas.student2)
    client = Client()
    client.force_login(personas.student1)
    not_yours = client.delete(f"/api/auth/tokens/{token_id(theirs)}")
    missing = client.delete("/api/auth/tokens/999999")
    assert not_yours.status_code == missing.status_code == 404
    assert not_yours.json() == missing.json() and missing.json()["error"]["code"] == "token_not_found"
    assert Client().get("/api/me", **bearer(theirs)).status_code == 200


def test_revoking_a_revoked_token_is_404(personas):
    raw = api_token_issue(user=personas.student1)
    client = Client()
    client.force_login(personas.student1)
    assert client.delete(f"/api/auth/tokens/{token_id(raw)}").status_code == 200
    assert client.delete(f"/api/auth/tokens/{token_id(raw)}").status_code == 404


def test_an_administrator_revokes_any_token_from_the_admin(personas):
    raws = [api_token_issue(user=personas.student1), api_token_issue(user=personas.student2)]
    client = Client()
    client.force_login(personas.admin)
    response = client.post("/admin/tutor/apitoken/", {"action": "revoke", "_selected_action": [token_id(r) for r in raws]})
    assert response.status_code == 302
    assert all(Client().get("/api/me", **bearer(raw)).status_code == 401 for raw in raws)
    assert ApiToken.objects.filter(revoked_at=None).count() == 0
