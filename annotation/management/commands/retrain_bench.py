"""``manage.py retrain_bench``: a thin wrapper over ``bench.retraining.benchmark.run_benchmark``.

Outside its private installation it runs itself again inside one (``bench.retraining.installation``), and that
run prints the report; ``--throughput`` and ``--eval-prefix`` need no installation.
"""
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bench.reports import report_save
from bench.retraining.benchmark import BenchInputError, run_benchmark
from bench.retraining.eval_prefix import eval_prefix_report
from bench.retraining.installation import in_private_installation, private_installation_run
from bench.retraining.throughput import throughput_report


class Command(BaseCommand):
    help = (
        "Retrain the tutor on teachers' corrections with the real Celery task on a real worker, and report as JSON "
        "the accuracy on the corrected questions, their held-out rewordings and the golden set before and after, "
        "the gate's decisions (also on a batch of deliberately wrong corrections), training tokens/s, wall time, "
        "peak memory, and chat latency while training runs against idle."
    )

    def add_arguments(self, parser):
        parser.add_argument("--corrections", type=Path,
                            default=Path(settings.BASE_DIR) / "fixtures" / "retrain_corrections.jsonl",
                            help='JSON lines: {"course", "question", "answer", "gold": [...], "check", "rewordings": [...]}')
        parser.add_argument("--holdout-corrections", type=Path,
                            help="train and report on this file instead, written apart from --corrections (the file "
                                 "the settings were tuned on); refused when the two share a question or rewording")
        parser.add_argument("--out", type=Path, help="also write the JSON report here")
        parser.add_argument("--wrong-batch", type=int, default=12,
                            help="deliberately wrong corrections the gate must refuse (0: skip)")
        parser.add_argument("--timeout", type=float, default=3600.0, help="seconds before giving up on the runs")
        parser.add_argument("--throughput", action="store_true",
                            help="only measure LoRA training tokens/s and MFU on this machine's accelerator: the "
                                 "base model, and (on CUDA) a 1B-parameter configuration of its architecture")
        parser.add_argument("--eval-prefix", action="store_true",
                            help="only time the gate's evaluation of a candidate adapter with the prefix cache "
                                 "shared per adapter against not shared, alternating (bench.retraining.eval_prefix)")
        parser.add_argument("--rounds", type=int, default=2, help="with --eval-prefix: rounds of both arms")

    def handle(self, *args, **opts):
        for path in (opts["corrections"], opts["holdout_corrections"]):
            if path is not None and not path.is_file():
                raise CommandError(f"no such file: {path}")
        if opts["throughput"]:
            return self._report(throughput_report(), opts["out"])
        if opts["eval_prefix"]:
            if opts["rounds"] < 1:
                raise CommandError("--rounds must be at least 1")
            return self._report(eval_prefix_report(rounds=opts["rounds"]), opts["out"])
        if not in_private_installation():
            return self._in_private_installation(opts)
        try:
            report = run_benchmark(opts["corrections"], holdout_path=opts["holdout_corrections"],
                                   wrong_batch=opts["wrong_batch"], timeout_s=opts["timeout"])
        except BenchInputError as error:
            raise CommandError(str(error)) from error
        self._report(report, opts["out"])

    def _report(self, report: dict, out: Path | None) -> None:
        text = json.dumps(report, indent=2)
        self.stdout.write(text)
        report_save(out, text)

    def _in_private_installation(self, opts) -> None:
        arguments = ["--corrections", str(opts["corrections"].resolve()), "--wrong-batch", str(opts["wrong_batch"]),
                     "--timeout", str(opts["timeout"])]
        for flag, name in (("--holdout-corrections", "holdout_corrections"), ("--out", "out")):
            if opts[name]:
                arguments += [flag, str(opts[name].resolve())]
        status = private_installation_run(arguments)
        if status:
            raise CommandError(f"the benchmark failed (exit status {status}); see the output above")
