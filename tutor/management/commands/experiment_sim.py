"""``manage.py experiment_sim``: a thin wrapper over ``bench.experiments.simulation``."""
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bench.experiments.simulation import simulate
from bench.reports import report_save
from tutor.models import Experiment

MIN_RUNS = 200


class Command(BaseCommand):
    help = ("Run synthetic students through two arms with a known true effect on next-item correctness, analysed "
            "by the admin report's code; prints the power at the planned size and the false-positive rate as JSON.")

    def add_arguments(self, parser):
        parser.add_argument("--effect", type=float, default=0.05, help="the true difference (0.05: 5 points)")
        parser.add_argument("--runs", type=int, default=MIN_RUNS, help=f"experiments per case, at least {MIN_RUNS}")
        parser.add_argument("--planned", type=int, default=Experiment._meta.get_field("planned_per_arm").default,
                            help="students per arm (default: an experiment's default planned size)")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--out", type=Path, help="also write the JSON report here")

    def handle(self, *args, **opts):
        if opts["runs"] < MIN_RUNS:
            raise CommandError(f"--runs must be at least {MIN_RUNS}, got {opts['runs']}")
        if not 0 <= opts["effect"] < 1 or opts["planned"] < 2:
            raise CommandError("--effect must be in [0, 1) and --planned at least 2")
        report = simulate(effect=opts["effect"], runs=opts["runs"], planned=opts["planned"], seed=opts["seed"])
        text = json.dumps(report, indent=2)
        report_save(opts["out"], text)
        self.stdout.write(text)
