"""The demo course file in fixtures/, shared by the demo set-up and the benchmarks."""
import json
from pathlib import Path

from django.conf import settings

DEMO_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "demo_course.json"
DEMO_CONTENT = Path(settings.BASE_DIR) / "fixtures" / "content"  # <slug>.json and <slug>.md per course


def load_demo(path: Path = DEMO_FIXTURE) -> dict:
    """{"courses": [{"slug", "title", "description"}, ...], "enrollments": {slug: {role: [username, ...]}},
    "administrators": [username, ...]} (superusers; optional)"""
    return json.loads(path.read_text())
