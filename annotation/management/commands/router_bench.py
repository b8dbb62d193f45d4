"""``manage.py router_bench``: a thin wrapper over ``annotation.router_bench.run_benchmark``."""
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test import override_settings

from annotation.router_bench import BenchInputError, regrade, report_for, run_benchmark

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


class Command(BaseCommand):
    help = (
        "Answer every question of a QA file with the active model (as the tutor would, with the course notes), "
        "grade each answer in code, and report as JSON how well the confidence router tells wrong answers from "
        "right ones: AUROC, wrong answers caught at 10/20/30 %% flagged against random flagging and the raw mean "
        "token log-probability, calibration, and an active-learning simulation against random verdicts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--qa", type=Path, default=FIXTURES / "router_qa.jsonl",
                            help='JSON lines: {"question", "gold": [...], "check": "exact"|"numeric"|"contains", "course"}')
        parser.add_argument("--content", type=Path, default=FIXTURES / "content",
                            help="course notes; fractions.md holds the notes of the course fractions")
        parser.add_argument("--holdout", type=Path, metavar="FILE",
                            help="a second QA file: the router fitted on every answer of --qa is judged on its answers")
        parser.add_argument("--course", help="the course of questions whose line names none")
        parser.add_argument("--out", type=Path, help="also write the JSON report, with every graded answer, here")
        parser.add_argument("--regrade", type=Path, metavar="REPORT",
                            help="skip the model: grade and score again the answers of an earlier --out report")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--repeats", type=int, default=10, help="random splits in the active simulation")
        parser.add_argument("--batch", type=int, default=10, help="verdicts per batch in the active simulation")

    def handle(self, *args, **opts):
        for option in ("qa", "holdout", "regrade"):
            if opts[option] and not opts[option].is_file():
                raise CommandError(f"no such file: {opts[option]}")
        if not opts["content"].is_dir():
            raise CommandError(f"no such folder: {opts['content']}")
        if opts["repeats"] < 1 or opts["batch"] < 1:
            raise CommandError("--repeats and --batch must be at least 1")
        try:
            if opts["regrade"]:
                graded, held_out, generation = regrade(opts["regrade"])
                report = report_for(graded, generation, held_out=held_out, seed=opts["seed"],
                                    simulation_repeats=opts["repeats"], batch=opts["batch"])
            else:
                # Every question is queued at once, so one may wait long for a batch slot: time out only a stall.
                try:
                    with override_settings(TUTOR_GENERATION_TIMEOUT_S=max(settings.TUTOR_GENERATION_TIMEOUT_S, 900.0)):
                        report = run_benchmark(opts["qa"], opts["content"], holdout_path=opts["holdout"],
                                               default_course=opts["course"],
                                               seed=opts["seed"], simulation_repeats=opts["repeats"], batch=opts["batch"])
                finally:
                    _close_engine()
        except BenchInputError as error:
            raise CommandError(str(error)) from error
        if opts["out"]:
            opts["out"].parent.mkdir(parents=True, exist_ok=True)
            opts["out"].write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        summary = {key: value for key, value in report.items() if key not in ("answers", "held_out_answers")}
        for name in ("router", "prior"):
            summary[name] = {k: v for k, v in summary[name].items() if k != "reliability"}
        if summary["active_simulation"]:
            for strategy in ("router", "random"):
                summary["active_simulation"][strategy].pop("curve")
        self.stdout.write(json.dumps(summary, indent=2, ensure_ascii=False))


def _close_engine() -> None:
    """Stop the engine's thread before the interpreter exits (it would abort the process otherwise)."""
    from tutor.engine import set_engine

    engine = set_engine(None)
    if hasattr(engine, "close"):
        engine.close()
