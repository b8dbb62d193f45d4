"""``manage.py lti_bench``: a thin wrapper over ``bench.lti.launch_bench.run_launch_bench``."""
import json
from pathlib import Path

from django.core.management.base import BaseCommand

from bench.lti.launch_bench import run_launch_bench
from bench.reports import report_save


class Command(BaseCommand):
    help = ("LTI launch-to-page time: a platform on loopback launches learners (new and returning) and "
            "instructors into a throwaway test database; prints milliseconds as JSON.")

    def add_arguments(self, parser):
        parser.add_argument("--launches", type=int, default=50, help="launches of each kind")
        parser.add_argument("--out", type=Path)

    def handle(self, *args, **opts):
        text = json.dumps(run_launch_bench(launches=opts["launches"]), indent=2)
        report_save(opts["out"], text)
        self.stdout.write(text)
