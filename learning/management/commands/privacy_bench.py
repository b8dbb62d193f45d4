"""``manage.py privacy_bench``: a thin wrapper over ``bench.privacy.benchmark.run_privacy_bench``."""
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bench.privacy.benchmark import run_privacy_bench
from bench.reports import report_save


class Command(BaseCommand):
    help = ("Export and erase time for one student with N chat messages, against a plain read and a plain bulk "
            "delete of the same rows measured in the same run (medians, per message and as ratios), in a "
            "throwaway database. Prints JSON.")

    def add_arguments(self, parser):
        parser.add_argument("--messages", type=int, default=1000, help="chat messages of the student (even)")
        parser.add_argument("--repeats", type=int, default=3, help="students exported and erased; medians reported")
        parser.add_argument("--bystanders", type=int, default=10, help="other students with as many messages")
        parser.add_argument("--out", type=Path, help="also write the JSON report here")

    def handle(self, *args, **opts):
        if opts["messages"] < 2 or opts["repeats"] < 1 or opts["bystanders"] < 0:
            raise CommandError("--messages must be at least 2, --repeats at least 1, --bystanders at least 0")
        report = run_privacy_bench(messages=opts["messages"], repeats=opts["repeats"], bystanders=opts["bystanders"])
        text = json.dumps(report, indent=2)
        report_save(opts["out"], text)
        self.stdout.write(text)
