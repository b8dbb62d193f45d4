"""``manage.py misconception_bench``: a thin wrapper over ``bench.misconceptions.benchmark.run_benchmark``."""
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bench.misconceptions.benchmark import run_benchmark
from bench.reports import report_save


class Command(BaseCommand):
    help = ("The share of the demo courses' wrong answers that get a misconception, and the cost of one graded "
            "frame with misconception matching against one without (p50/p99 ms). Prints JSON.")

    def add_arguments(self, parser):
        parser.add_argument("--content", type=Path, default=Path(settings.BASE_DIR) / "fixtures" / "content",
                            help="the folder of fractions.json and photosynthesis.json")
        parser.add_argument("--repeats", type=int, default=20, help="timed passes over every wrong answer")
        parser.add_argument("--out", type=Path, help="also write the JSON report here")

    def handle(self, *args, **opts):
        if not opts["content"].is_dir():
            raise CommandError(f"no such folder: {opts['content']}")
        text = json.dumps(run_benchmark(opts["content"], repeats=opts["repeats"]), indent=2)
        report_save(opts["out"], text)
        self.stdout.write(text)
