"""``manage.py tutor_eval``: a thin wrapper over ``bench.tutor_eval.benchmark.run_tutor_eval``."""
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bench.commands import add_question_file_arguments, paths_check
from bench.reports import report_save
from bench.router.benchmark import BenchInputError
from bench.tutor_eval.benchmark import ARMS, regrade_report, report_summary, run_tutor_eval

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


class Command(BaseCommand):
    help = (
        "Answer every question of a QA file once per arm (off: no grounding; on: grounded answers; hints: "
        "grounded, hints only) with the active model, grade each answer in code, and report as JSON the accuracy "
        "by check type, category and course, contradictions of the exact solver shown and caught, abstentions, "
        "answers that reveal the result, time to first token and tokens per answer."
    )

    def add_arguments(self, parser):
        add_question_file_arguments(parser, default_qa=FIXTURES / "tutor_eval.jsonl", content=FIXTURES / "content")
        parser.add_argument("--compare", default="off,on",
                            help=f"comma-separated arms to run, of {', '.join(ARMS)} (default off,on)")
        parser.add_argument("--concurrency", type=int, default=8, help="questions answered at once (default 8)")
        parser.add_argument("--abstain-below", type=float,
                            help="the on arm's abstention threshold (default: a new course's)")
        parser.add_argument("--out", type=Path, help="also write the JSON report, with every graded answer, here")
        parser.add_argument("--regrade", type=Path, metavar="REPORT.json",
                            help="generate nothing: grade the answers of a saved report (--out of an earlier run) "
                                 "again with today's grader, against the questions of --qa")

    def handle(self, *args, **opts):
        arms = [arm.strip() for arm in opts["compare"].split(",") if arm.strip()]
        unknown = sorted(set(arms) - set(ARMS))
        if not arms or unknown:
            raise CommandError(f"--compare takes arms from {', '.join(ARMS)}; found {', '.join(unknown) or 'none'}")
        paths_check(opts, files=("qa",))
        if opts["concurrency"] < 1:
            raise CommandError("--concurrency must be at least 1")
        threshold = opts["abstain_below"]
        if threshold is not None and not 0.0 <= threshold <= 1.0:
            raise CommandError("--abstain-below must be between 0 and 1")
        if opts["regrade"] is not None:
            report = self._regraded(opts)
        else:
            report = self._run(opts, arms, threshold)
        report_save(opts["out"], json.dumps(report, indent=2, ensure_ascii=False))
        self.stdout.write(json.dumps(report_summary(report), indent=2, ensure_ascii=False))

    def _regraded(self, opts) -> dict:
        try:
            saved = json.loads(opts["regrade"].read_text(encoding="utf-8"))
            return regrade_report(saved, opts["qa"], opts["course"])
        except (OSError, ValueError, KeyError, TypeError, BenchInputError) as error:
            raise CommandError(f"--regrade {opts['regrade']}: {error}") from error

    def _run(self, opts, arms: list[str], threshold: float | None) -> dict:
        try:
            return run_tutor_eval(opts["qa"], opts["content"], default_course=opts["course"],
                                  arms=list(dict.fromkeys(arms)), concurrency=opts["concurrency"],
                                  abstain_below=threshold)
        except BenchInputError as error:
            raise CommandError(str(error)) from error
