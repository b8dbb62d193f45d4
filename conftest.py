"""Personas and engines shared by every test suite."""
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model

from learning.models import Course, Enrollment
from tutor.engine import set_engine
from tutor.engine.fake import FakeEngine


def pytest_configure(config):
    from django.conf import settings

    # Password hashing is deliberately slow; the tests create many accounts and don't test hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Web-layer tests never load a real model; engine tests build their own tiny one.
    settings.TUTOR_ENGINE = "fake"
    # Likewise web-layer tests retrieve passages with TF-IDF; the embedding back end has its own tests.
    settings.LEARNING_RETRIEVAL = "tfidf"


@dataclass
class Personas:
    course_a: Course
    course_b: Course
    student1: object  # course A
    student2: object  # course A
    student3: object  # course B
    teacher1: object  # course A
    teacher2: object  # course B
    author1: object  # course A
    admin: object


def _user(username: str, **extra):
    return get_user_model().objects.create_user(username=username, password="pw-" + username, **extra)


def make_personas() -> Personas:
    course_a = Course.objects.create(slug="algebra", title="Algebra", description="Linear equations.")
    course_b = Course.objects.create(slug="biology", title="Biology", description="Cells.")
    people = {
        name: _user(name, is_staff=name.startswith(("teacher", "author")))
        for name in ["student1", "student2", "student3", "teacher1", "teacher2", "author1"]
    }
    roles = [
        ("student1", course_a, "student"), ("student2", course_a, "student"), ("student3", course_b, "student"),
        ("teacher1", course_a, "teacher"), ("teacher2", course_b, "teacher"), ("author1", course_a, "author"),
    ]
    for name, course, role in roles:
        Enrollment.objects.create(user=people[name], course=course, role=role)
    admin = get_user_model().objects.create_superuser("admin", "admin@example.org", "pw-admin")
    return Personas(course_a=course_a, course_b=course_b, admin=admin, **people)


@pytest.fixture
def personas() -> Personas:
    """Needs a database mark on the test (``django_db``, transactional or not)."""
    return make_personas()


@pytest.fixture
def use_engine():
    """Install an engine for one test: ``use_engine(FakeEngine(...))``; the previous one comes back after."""
    previous = set_engine(None)

    def install(engine) -> None:
        set_engine(engine)

    yield install
    set_engine(previous)


@pytest.fixture
def fake_engine(use_engine):
    engine = FakeEngine()
    use_engine(engine)
    return engine


@pytest.fixture(autouse=True)
def default_language_after_each_test():
    """A request leaves its language active in the thread that served it (Django's LocaleMiddleware never
    deactivates; a server activates each request's anew): a Swedish request must not word a later test's text."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def fresh_channel_layer():
    """Each async test runs on its own event loop; a channel layer (Redis's holds asyncio locks) must not
    outlive the loop it was made on."""
    from channels.layers import channel_layers

    yield
    channel_layers.backends.clear()


@pytest.fixture(autouse=True)
def _database_thread_idle_before_flush():
    """Async code runs its ORM calls on one thread of its own (Channels' thread-sensitive calls; every call on
    SQLite, see tutor/dbcall.py), with its own connection. Work a test started but did not wait for (an answer
    still being stored and routed after its socket closed) keeps running there after the test's event loop is
    gone. Were it inside a transaction when a transactional test's teardown flushes the database, SQLite's
    shared in-memory database refuses the flush ("database table is locked"), database access is then closed
    under the call, and its connection is left with autocommit off: every later test's ``on_commit`` fails on
    that thread. Set up after pytest-django's database fixture, this is torn down before the flush: it waits
    until the thread has finished what it was given, and fails here, not in the tests after, if a call left
    its connection inside a transaction."""
    yield
    from asgiref.sync import SyncToAsync

    leaked = SyncToAsync.single_thread_executor.submit(_close_leaked_transaction).result(timeout=60)
    if leaked:
        pytest.fail(f"an ORM call on the async database thread left its connection {leaked}")


def _close_leaked_transaction() -> str:
    """On the async database thread: roll back a transaction a call left open, and say what was left."""
    from django.db import connection

    if connection.connection is None or (connection.autocommit and not connection.in_atomic_block):
        return ""
    leaked = "inside an atomic block" if connection.in_atomic_block else "with autocommit off"
    connection.atomic_blocks.clear()
    connection.savepoint_ids.clear()
    connection.in_atomic_block = False
    connection.rollback()
    connection.set_autocommit(True)
    return leaked


@pytest.fixture(scope="session", autouse=True)
def _close_stray_postgres_sessions(django_db_setup, django_db_blocker):
    """Threads used by database_sync_to_async keep their own connections; on PostgreSQL they would stop the
    test database from being dropped at the end of the run."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
