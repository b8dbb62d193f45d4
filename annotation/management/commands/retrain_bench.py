"""``manage.py retrain_bench``: a thin wrapper over ``annotation.retrain_bench.run_benchmark``.

The benchmark needs a database, broker and adapter folder that its worker process shares and that no real
installation uses, so the command runs itself again in a temporary embedded installation (only the converted
model cache is shared) and relays the JSON report.
"""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

CHILD_FLAG = "RETRAIN_BENCH_PRIVATE_RUN"
SERVER_SETTINGS = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "TUTOR_SQLITE_PATH", "TUTOR_ADAPTER_DIR",
                   "ANNOTATION_TRAINING_DIR")


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
        parser.add_argument("--out", type=Path, help="also write the JSON report here")
        parser.add_argument("--wrong-batch", type=int, default=12,
                            help="deliberately wrong corrections the gate must refuse (0: skip)")
        parser.add_argument("--timeout", type=float, default=3600.0, help="seconds before giving up on the runs")
        parser.add_argument("--throughput", action="store_true",
                            help="only measure LoRA training tokens/s and MFU on this machine's accelerator: the "
                                 "base model, and (on CUDA) a 1B-parameter configuration of its architecture")

    def handle(self, *args, **opts):
        if not opts["corrections"].is_file():
            raise CommandError(f"no such file: {opts['corrections']}")
        if opts["throughput"]:
            return self._report(throughput_report(), opts["out"])
        if os.environ.get(CHILD_FLAG) != "1":
            return self._in_private_installation(opts)
        from annotation.retrain_bench import BenchInputError, run_benchmark

        try:
            report = run_benchmark(opts["corrections"], wrong_batch=opts["wrong_batch"], timeout_s=opts["timeout"])
        except BenchInputError as error:
            raise CommandError(str(error)) from error
        self._report(report, opts["out"])

    def _report(self, report: dict, out: Path | None) -> None:
        text = json.dumps(report, indent=2)
        self.stdout.write(text)
        if out:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text + "\n")

    def _in_private_installation(self, opts) -> None:
        with tempfile.TemporaryDirectory(prefix="retrain-bench-") as run_dir:
            env = {key: value for key, value in os.environ.items() if key not in SERVER_SETTINGS}
            env.update({CHILD_FLAG: "1", "TUTOR_RUN_DIR": run_dir, "TUTOR_MODEL_CACHE": str(settings.TUTOR_MODEL_CACHE),
                        "ANNOTATION_TRAINING_MIN_NEW_CORRECTIONS": "1", "TUTOR_EMBEDDED": "1"})
            command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "retrain_bench",
                       "--corrections", str(opts["corrections"].resolve()), "--wrong-batch", str(opts["wrong_batch"]),
                       "--timeout", str(opts["timeout"])]
            if opts["out"]:
                command += ["--out", str(opts["out"].resolve())]
            finished = subprocess.run(command, env=env, cwd=settings.BASE_DIR)
        if finished.returncode:
            raise CommandError(f"the benchmark failed (exit status {finished.returncode}); see the output above")


def throughput_report() -> dict:
    from dataclasses import replace

    import torch

    from annotation.training.throughput import llama_1b_config, measure
    from tutor.engine import engine_config_from_settings
    from tutor.engine.loading import load_model

    config = replace(engine_config_from_settings(), device=settings.ANNOTATION_TRAINING_DEVICE, pack_cpu_weights=False)
    loaded = load_model(config)
    results = [measure(loaded.model, loaded.name).as_dict()]
    del loaded
    if torch.cuda.is_available():
        from transformers import AutoModelForCausalLM

        big = AutoModelForCausalLM.from_config(llama_1b_config(), dtype=torch.bfloat16).to("cuda")
        results.append(measure(big, "llama-1.07B (random weights)").as_dict())
    else:
        results.append({"name": "llama-1.07B", "skipped": "no CUDA device: a 1B throughput figure needs a GPU"})
    return {"throughput": results}
