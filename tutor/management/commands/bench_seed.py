"""Create the benchmark course and students (used by the benchmark commands on their throwaway database)."""
import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError

from learning.models import Enrollment
from learning.services import course_upsert
from tutor.bench.server import BENCH_PASSWORD
from tutor.demo import load_demo
from tutor.services import api_token_issue


class Command(BaseCommand):
    help = "Create a benchmark course from the demo fixture and N enrolled students (bench0, bench1, ...)."

    def add_arguments(self, parser):
        parser.add_argument("--students", type=int, required=True)
        parser.add_argument("--tokens", type=Path, help="write one bearer token per student here (JSON list), so a "
                                                        "load test need not hash 500 passwords to log in")

    def handle(self, *args, students: int, tokens: Path | None = None, **options):
        if not settings.TUTOR_EMBEDDED:
            raise CommandError("Benchmark accounts share one password; they are created in embedded mode only.")
        course = course_upsert(**load_demo()["courses"][0])
        password = make_password(BENCH_PASSWORD)  # hashed once, not once per student
        users = get_user_model().objects.bulk_create(
            [get_user_model()(username=f"bench{i}", password=password) for i in range(students)]
        )
        Enrollment.objects.bulk_create([Enrollment(user=u, course=course, role="student") for u in users])
        if tokens:
            tokens.write_text(json.dumps([api_token_issue(user=user) for user in users]))
