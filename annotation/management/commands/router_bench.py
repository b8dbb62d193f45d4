"""``manage.py router_bench``: a thin wrapper over ``bench.router.benchmark.run_router_bench``."""
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bench.commands import add_question_file_arguments, paths_check
from bench.reports import report_save
from annotation.router.picking import LEARN_STRATEGIES
from bench.router.benchmark import BenchInputError, SimulationOptions, report_summary, run_router_bench

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


class Command(BaseCommand):
    help = (
        "Answer every question of a QA file with the active model (as the tutor would, with the course notes), "
        "grade each answer in code, and report as JSON how well the confidence router tells wrong answers from "
        "right ones: AUROC, wrong answers caught at 10/20/30 %% flagged against random flagging and the raw mean "
        "token log-probability, calibration, and an active-learning simulation against random verdicts."
    )

    def add_arguments(self, parser):
        add_question_file_arguments(parser, default_qa=FIXTURES / "router_qa.jsonl", content=FIXTURES / "content")
        parser.add_argument("--holdout", type=Path, metavar="FILE",
                            help="a second QA file: the router fitted on every answer of --qa is judged on its answers")
        parser.add_argument("--out", type=Path, help="also write the JSON report, with every graded answer, here")
        parser.add_argument("--regrade", type=Path, metavar="REPORT",
                            help="skip the model: grade and score again the answers of an earlier --out report")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--repeats", type=int, default=20, help="random splits in the active simulation")
        parser.add_argument("--batch", type=int, default=10, help="verdicts per batch in the active simulation")
        parser.add_argument("--learn-strategy", choices=LEARN_STRATEGIES, default="uncertainty",
                            help="how the learn part of a split batch is picked (production's: uncertainty)")
        parser.add_argument("--learn-share", type=float, default=0.5,
                            help="share of each batch that learns in the split plan (0 to 1)")

    def handle(self, *args, **opts):
        paths_check(opts, files=("qa", "holdout", "regrade"))
        if opts["repeats"] < 2 or opts["batch"] < 1:
            raise CommandError("--repeats must be at least 2 (for an interval) and --batch at least 1")
        if not 0.0 <= opts["learn_share"] <= 1.0:
            raise CommandError(f"--learn-share: expected a share from 0 to 1; got {opts['learn_share']}")
        simulation = SimulationOptions(opts["repeats"], opts["batch"], opts["learn_strategy"], opts["learn_share"])
        try:
            report = run_router_bench(opts["qa"], opts["content"], holdout_path=opts["holdout"],
                                      default_course=opts["course"], regrade_path=opts["regrade"], seed=opts["seed"],
                                      simulation=simulation)
        except BenchInputError as error:
            raise CommandError(str(error)) from error
        report_save(opts["out"], json.dumps(report, indent=2, ensure_ascii=False))
        self.stdout.write(json.dumps(report_summary(report), indent=2, ensure_ascii=False))
