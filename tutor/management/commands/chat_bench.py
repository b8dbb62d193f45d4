import json
from pathlib import Path

from django.core.management.base import BaseCommand

from tutor.bench import chat_bench


class Command(BaseCommand):
    help = (
        "Benchmark the chat: start a real server on loopback, drive concurrent WebSocket students on the embedded "
        "model (time to first token, tokens/s at each concurrency, against plain transformers generate), then "
        "drive many clients against the fake engine (lost, duplicated, cross-delivered, ack latency). Prints JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("--levels", default="1,4,8,16", help="concurrent students, comma-separated")
        parser.add_argument("--window", type=float, default=30.0, help="seconds each concurrency level is measured")
        parser.add_argument("--max-new-tokens", type=int, default=64)
        parser.add_argument("--fake-clients", type=int, default=200)
        parser.add_argument("--fake-asks", type=int, default=20)
        parser.add_argument("--think", default="2,6", help="seconds a paced student thinks between asks: MIN,MAX")
        parser.add_argument("--burst-asks", type=int, default=5, help="asks per client with no think time")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--skip-model", action="store_true", help="only the fake-engine protocol load")
        parser.add_argument("--skip-fake", action="store_true", help="only the real-model streaming run")
        parser.add_argument("--out", type=Path)

    def handle(self, *args, **opts):
        report = {}
        if not opts["skip_model"]:
            report["model"] = self._model_report(opts)
        if not opts["skip_fake"]:
            think = tuple(float(x) for x in opts["think"].split(","))
            report["protocol_fake_engine"] = chat_bench.run_protocol_load(
                clients=opts["fake_clients"], asks=opts["fake_asks"], think_s=think,
                burst_asks=opts["burst_asks"], seed=opts["seed"],
            )
        text = json.dumps(report, indent=2)
        if opts["out"]:
            opts["out"].parent.mkdir(parents=True, exist_ok=True)
            opts["out"].write_text(text + "\n")
        self.stdout.write(text)

    def _model_report(self, opts) -> dict:
        from tutor.bench.baseline import run_generate_baseline

        levels = [int(n) for n in opts["levels"].split(",")]
        served = chat_bench.run_model_levels(levels=levels, window_s=opts["window"], max_new_tokens=opts["max_new_tokens"])
        baseline = run_generate_baseline(chat_bench.QUESTIONS[: max(levels)], max_new_tokens=opts["max_new_tokens"])
        single = served["levels"][str(levels[0])]["aggregate_tokens_per_s"]
        served["aggregate_vs_single_stream"] = {
            n: round(level["aggregate_tokens_per_s"] / single, 2) for n, level in served["levels"].items()
        }
        served["aggregate_vs_sequential_generate"] = {
            n: round(level["aggregate_tokens_per_s"] / baseline["tokens_per_s"], 2)
            for n, level in served["levels"].items()
        }
        return {"served": served, "baseline_sequential_generate": baseline}
