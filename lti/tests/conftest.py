"""A registered platform played on loopback (bench.lti.platform), mapped to the personas' course A. The
browser's side of a launch (``login``, ``launch``) is in bench.lti.platform, shared with the benchmark."""
from __future__ import annotations

import pytest
from django.core.cache import cache

from bench.lti.platform import FakePlatform
from bench.lti.platform_services import PlatformServices
from learning.models import Skill
from learning.tests.factories import practice_content
from lti.keys import KeyPair, key_pair_generate
from lti.models import Context, Deployment, Platform, ToolKey


@pytest.fixture(scope="session")
def key_pairs() -> list[KeyPair]:
    """RSA keys made once (each takes a tenth of a second): the platform's, the tool's, and a stranger's."""
    return [key_pair_generate() for _ in range(3)]


@pytest.fixture
def platform(key_pairs):
    cache.clear()  # keysets are cached by URL, and a later test's server may get the same port
    fake = FakePlatform(key=key_pairs[0])
    yield fake
    fake.close()


@pytest.fixture
def registration(db, platform, key_pairs) -> Platform:
    tool = key_pairs[1]
    ToolKey.objects.create(kid=tool.kid, private_key=tool.private_pem, public_key=tool.public_pem)
    registered = Platform.objects.create(
        name="School Moodle", issuer=platform.issuer, client_id=platform.client_id,
        auth_login_url=platform.auth_login_url, auth_token_url=platform.auth_token_url, jwks_url=platform.jwks_url)
    Deployment.objects.create(platform=registered, deployment_id=platform.deployment_id)
    return registered


@pytest.fixture
def mapped(registration, personas) -> Context:
    return Context.objects.create(platform=registration, context_id="course-101", title="Algebra 101",
                                  course=personas.course_a)


@pytest.fixture
def services(platform, key_pairs) -> PlatformServices:
    """The platform's token, grade and roster endpoints, checking assertions signed by the tool's key."""
    return PlatformServices(platform, key_pairs[1])


@pytest.fixture
def skills(personas) -> dict[str, Skill]:
    practice_content(personas.course_a)
    return {skill.key: skill for skill in Skill.objects.filter(course=personas.course_a)}
