"""Running ORM code from async code."""
from __future__ import annotations

from channels.db import database_sync_to_async
from django.db import connection


def db_sync_to_async(function):
    """``database_sync_to_async`` that lets calls run side by side where the database can take it.

    On PostgreSQL each call runs on a pool thread with its own connection, so one slow query (routing an
    answer) does not hold up every other socket's ack. SQLite takes one writer at a time, so there every call
    shares one thread, as Channels does by default.
    """
    return database_sync_to_async(function, thread_sensitive=connection.vendor == "sqlite")
