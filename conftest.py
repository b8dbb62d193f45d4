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
def fresh_channel_layer():
    """Each async test runs on its own event loop; a channel layer (Redis's holds asyncio locks) must not
    outlive the loop it was made on."""
    from channels.layers import channel_layers

    yield
    channel_layers.backends.clear()


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
