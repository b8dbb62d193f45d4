"""An open socket closes within TUTOR_AUTH_RECHECK_S once its credentials end (tutor/socket_auth.py)."""
import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from tutor.models import ApiToken
from tutor.socket_auth import CREDENTIALS_ENDED
from tutor.tests.wsclient import ORIGIN, ask_frame, open_socket, session_cookie_for, token_for

pytestmark = pytest.mark.django_db(transaction=True)
RECHECK_S = 0.1


@pytest.fixture(autouse=True)
def quick_recheck(settings):
    settings.TUTOR_AUTH_RECHECK_S = RECHECK_S


async def token_socket(user):
    raw = await token_for(user)
    communicator, connected = await open_socket([(b"authorization", f"Bearer {raw}".encode())])
    assert connected
    return communicator, raw


async def cookie_socket(user):
    cookie = await database_sync_to_async(session_cookie_for)(user)
    communicator, connected = await open_socket([(b"cookie", cookie), (b"origin", ORIGIN)])
    assert connected
    return communicator, cookie


async def expect_closed_for(communicator, code: str) -> None:
    frame = await communicator.receive_json_from(timeout=RECHECK_S * 20)
    assert (frame["type"], frame["code"]) == ("error", code) and frame["detail"]
    assert await communicator.receive_output(timeout=1) == {"type": "websocket.close", "code": CREDENTIALS_ENDED}
    await communicator.wait()


def post(path: str, **headers):
    return Client().post(path, **headers).status_code


async def test_a_socket_whose_token_logs_out_closes(personas):
    communicator, raw = await token_socket(personas.student1)
    assert await database_sync_to_async(post)("/api/auth/logout", HTTP_AUTHORIZATION=f"Bearer {raw}") == 200
    await expect_closed_for(communicator, "token_revoked")


async def test_a_socket_whose_token_expires_closes(personas):
    communicator, _ = await token_socket(personas.student1)
    await database_sync_to_async(ApiToken.objects.update)(expires_at=timezone.now())
    await expect_closed_for(communicator, "token_expired")


async def test_a_socket_whose_token_an_administrator_deleted_closes(personas):
    communicator, _ = await token_socket(personas.student1)
    await database_sync_to_async(ApiToken.objects.all().delete)()
    await expect_closed_for(communicator, "token_revoked")


async def test_a_token_socket_of_a_disabled_account_closes(personas):
    communicator, _ = await token_socket(personas.student1)
    await database_sync_to_async(get_user_model().objects.filter(pk=personas.student1.pk).update)(is_active=False)
    await expect_closed_for(communicator, "account_disabled")


async def test_a_cookie_socket_whose_session_logs_out_closes(personas):
    communicator, cookie = await cookie_socket(personas.student1)
    # The browser's logout: the same session cookie (Client's CSRF exemption stands in for the page's header).
    status = await database_sync_to_async(post)("/api/auth/logout", HTTP_COOKIE=cookie.decode())
    assert status == 200
    await expect_closed_for(communicator, "session_ended")


async def test_a_cookie_socket_closes_when_the_password_changes(personas):
    communicator, _ = await cookie_socket(personas.student1)

    def change_password():
        personas.student1.set_password("a-new-password")
        personas.student1.save()

    await database_sync_to_async(change_password)()
    await expect_closed_for(communicator, "session_ended")


@pytest.mark.parametrize("opened_with", [token_socket, cookie_socket])
async def test_a_socket_whose_credentials_hold_stays_open(personas, fake_engine, opened_with):
    communicator, _ = await opened_with(personas.student1)
    assert await communicator.receive_nothing(timeout=RECHECK_S * 5)  # several checks passed, nothing sent
    await communicator.send_json_to(ask_frame(personas.course_a.id))
    assert (await communicator.receive_json_from())["type"] == "ack"
    await communicator.disconnect()


async def test_revoking_one_token_leaves_the_other_sockets_open(personas):
    revoked, _ = await token_socket(personas.student1)
    other, _ = await token_socket(personas.student1)
    first = await database_sync_to_async(ApiToken.objects.order_by("id").first)()
    await database_sync_to_async(ApiToken.objects.filter(id=first.id).update)(revoked_at=timezone.now())
    await expect_closed_for(revoked, "token_revoked")
    assert await other.receive_nothing(timeout=RECHECK_S * 3)
    await other.disconnect()
