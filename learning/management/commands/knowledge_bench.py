"""``manage.py knowledge_bench``: a thin wrapper over ``bench.knowledge.benchmark.run_benchmark``."""
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bench.knowledge.benchmark import ResponseFormatError, run_benchmark
from bench.reports import report_save


class Command(BaseCommand):
    help = (
        "Benchmark the student-knowledge model on a responses CSV (student,item,skill,correct[,order]): "
        "next-response AUC/log-loss against pyBKT and a per-item baseline on held-out students, "
        "diagnose vs random adaptive efficiency, and update/selection latency over a 10,000-item bank. Prints JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("--responses", type=Path, required=True, help="the responses CSV")
        parser.add_argument("--out", type=Path, help="also write the JSON report here")
        parser.add_argument("--seed", type=int, default=0, help="seed of the student split and of every sample")
        parser.add_argument("--bkt-fits", type=int, default=1,
                            help="pyBKT random restarts per skill (pyBKT's own default is 5; each costs a full EM)")
        parser.add_argument("--bkt-parallel", action="store_true", help="let pyBKT's EM use all cores")
        parser.add_argument("--adaptive-students", type=int, default=500,
                            help="held-out students sampled for the adaptive-efficiency part")
        parser.add_argument("--latency-repeats", type=int, default=1000, help="timed update+selection rounds")

    def handle(self, *args, **opts):
        if not opts["responses"].is_file():
            raise CommandError(f"no such file: {opts['responses']}")
        try:
            report = run_benchmark(opts["responses"], seed=opts["seed"], bkt_fits=opts["bkt_fits"],
                                   bkt_parallel=opts["bkt_parallel"], adaptive_students=opts["adaptive_students"],
                                   latency_repeats=opts["latency_repeats"])
        except ResponseFormatError as error:
            raise CommandError(str(error)) from error
        text = json.dumps(report, indent=2)
        report_save(opts["out"], text)
        self.stdout.write(text)
