"""``manage.py draft_bench``: a thin wrapper over ``bench.drafts.benchmark`` (bench/README.md)."""
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bench.reports import report_save
from bench.drafts.benchmark import run_draft_bench
from bench.router.questions import QAFormatError, read_qa
from tutor.engine import set_engine
from tutor.engine.fake import FakeEngine

DEFAULT_QA = Path(settings.BASE_DIR) / "fixtures" / "router_qa.jsonl"


class Command(BaseCommand):
    help = ("Draft approval in the seeded demo with simulated teachers, in a throwaway database: the latency from a "
            "teacher's decision to the released frame on the student's socket, and the approve-as-is rate per "
            "course and teacher. Prints JSON. The rate is a property of the simulated teachers (bench/README.md).")

    def add_arguments(self, parser):
        parser.add_argument("--qa", type=Path, default=DEFAULT_QA, help="the router's question file (JSON lines)")
        parser.add_argument("--limit", type=int, default=40, help="questions asked (default 40)")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--typo-rate", type=float, default=0.15,
                            help="share of right drafts a simulated teacher touches up by one or two characters")
        parser.add_argument("--reject-rate", type=float, default=0.2,
                            help="share of wrong drafts a simulated teacher rejects rather than edits")
        parser.add_argument("--configured-engine", action="store_true",
                            help="answer with the configured engine (TUTOR_ENGINE) instead of the fake one")
        parser.add_argument("--out", type=Path, help="also write the JSON report here")

    def handle(self, *args, **opts):
        if not opts["qa"].is_file():
            raise CommandError(f"no such file: {opts['qa']}")
        if not 1 <= opts["limit"] <= 1000:
            raise CommandError(f"--limit must be from 1 to 1000; got {opts['limit']}.")
        for rate in ("typo_rate", "reject_rate"):
            if not 0.0 <= opts[rate] <= 1.0:
                raise CommandError(f"--{rate.replace('_', '-')} must be from 0 to 1; got {opts[rate]}.")
        try:
            questions = read_qa(opts["qa"])
        except QAFormatError as error:
            raise CommandError(str(error)) from error
        if not opts["configured_engine"]:
            set_engine(FakeEngine())
        report = run_draft_bench(questions=questions, limit=opts["limit"], seed=opts["seed"],
                                 typo_rate=opts["typo_rate"], reject_rate=opts["reject_rate"])
        report["engine"] = "configured" if opts["configured_engine"] else "fake"
        text = json.dumps(report, indent=2, ensure_ascii=False)
        report_save(opts["out"], text)
        self.stdout.write(text)
