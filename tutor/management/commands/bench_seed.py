"""``manage.py bench_seed``: a thin wrapper over ``bench.chat.seed.bench_course_seed``."""
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bench.chat.seed import bench_course_seed


class Command(BaseCommand):
    help = "Create a benchmark course from the demo fixture and N enrolled students (bench0, bench1, ...)."

    def add_arguments(self, parser):
        parser.add_argument("--students", type=int, required=True)
        parser.add_argument("--tokens", type=Path, help="write one bearer token per student here (JSON list), so a "
                                                        "load test need not hash 500 passwords to log in")

    def handle(self, *args, students: int, tokens: Path | None = None, **options):
        if not settings.TUTOR_EMBEDDED:
            raise CommandError("Benchmark accounts share one password; they are created in embedded mode only.")
        issued = bench_course_seed(students=students, with_tokens=tokens is not None)
        if tokens:
            tokens.write_text(json.dumps(issued))
