"""``manage.py chat_bench``: a thin wrapper over ``bench.chat.chat_bench.run_chat_bench``."""
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bench.chat.chat_bench import LLAMA_THREADS, engines_parse, run_chat_bench
from bench.reports import report_save


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
        parser.add_argument("--engine", default="embedded",
                            help="engines to serve the model run, comma-separated: embedded (torch, in the server "
                                 "process) and/or openai (llama-server from scripts/build-llama-server); with two, "
                                 "the same students ask both and engines_compared gives each figure as a ratio "
                                 "to the first engine's")
        parser.add_argument("--llama-threads", type=int, default=LLAMA_THREADS,
                            help="llama-server's --threads (keep it at most the idle cores: it slows down sharply "
                                 "on a busy CPU)")
        parser.add_argument("--out", type=Path)

    def handle(self, *args, **opts):
        try:
            engines = engines_parse(opts["engine"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        report = run_chat_bench(
            levels=None if opts["skip_model"] else [int(n) for n in opts["levels"].split(",")],
            window_s=opts["window"], max_new_tokens=opts["max_new_tokens"],
            fake_clients=None if opts["skip_fake"] else opts["fake_clients"], fake_asks=opts["fake_asks"],
            think_s=tuple(float(x) for x in opts["think"].split(",")), burst_asks=opts["burst_asks"],
            seed=opts["seed"], engines=engines,
            llama_threads=opts["llama_threads"],
        )
        text = json.dumps(report, indent=2)
        report_save(opts["out"], text)
        self.stdout.write(text)
