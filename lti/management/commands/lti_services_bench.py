"""``manage.py lti_services_bench``: a thin wrapper over ``bench.lti.services_bench.run_services_bench``."""
import json
from pathlib import Path

from django.core.management.base import BaseCommand

from bench.lti.services_bench import run_services_bench
from bench.reports import report_save


class Command(BaseCommand):
    help = ("LTI Advantage service times against a platform on loopback, in a throwaway test database: a score "
            "sent on its own (token + score) and in a batch, and a paged roster sync; prints milliseconds as JSON.")

    def add_arguments(self, parser):
        parser.add_argument("--scores", type=int, default=50, help="learners, each owed one score")
        parser.add_argument("--members", type=int, default=500, help="members of the roster, in pages of 100")
        parser.add_argument("--out", type=Path)

    def handle(self, *args, **opts):
        text = json.dumps(run_services_bench(scores=opts["scores"], members=opts["members"]), indent=2)
        report_save(opts["out"], text)
        self.stdout.write(text)
