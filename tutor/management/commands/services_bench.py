"""``manage.py services_bench``: a thin wrapper over ``bench.chat.services_load.run_services_load`` (``--mode
load``) and ``bench.chat.worker_throughput.run_worker_throughput`` (``--mode worker``)."""
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bench.chat.services_load import run_services_load
from bench.chat.worker_throughput import run_worker_throughput
from bench.reports import report_save

LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


class Command(BaseCommand):
    help = (
        "Load the scaled layout (--mode load): two ASGI servers and an inference worker (fake engine) on PostgreSQL "
        "and the Redis channel layer, N WebSocket students on loopback asking M questions each; lost, duplicated "
        "and cross-delivered answers, ack latency (against a small run on the same processes), memory per "
        "connection. Or (--mode worker) answers per second through one inference worker, fake engine, a batch of "
        "--answers handed over at once. Stops by itself. Prints JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("--mode", choices=("load", "worker"), default="load")
        parser.add_argument("--clients", type=int, default=500)
        parser.add_argument("--asks", type=int, default=10)
        parser.add_argument("--servers", type=int, default=2)
        parser.add_argument("--think", default="2,8", help="seconds a student thinks between asks: MIN,MAX")
        parser.add_argument("--baseline-clients", type=int, default=10)
        parser.add_argument("--answers", type=int, default=1000, help="--mode worker: answers in the measured batch")
        parser.add_argument("--warmup", type=int, default=50, help="--mode worker: answers finished before timing")
        parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432",
                            help="a PostgreSQL server (no database name): a throwaway database is made and dropped")
        parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12", help="flushed before the run")
        parser.add_argument("--max-seconds", type=float, default=900.0, help="each run stops after this long")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--out", type=Path)

    def handle(self, *args, **opts):
        for url in (opts["database_url"], opts["redis_url"]):
            if not any(f"@{host}" in url or f"//{host}" in url for host in LOOPBACK):
                raise CommandError(f"{url}: this load runs against loopback servers only.")
        if opts["mode"] == "worker":
            report = run_worker_throughput(answers=opts["answers"], warmup=opts["warmup"],
                                           database_url=opts["database_url"], redis_url=opts["redis_url"],
                                           max_seconds=opts["max_seconds"])
        else:
            think = tuple(float(x) for x in opts["think"].split(","))
            report = run_services_load(
                clients=opts["clients"], asks=opts["asks"], servers=opts["servers"], think_s=think,
                seed=opts["seed"], database_url=opts["database_url"], redis_url=opts["redis_url"],
                baseline_clients=opts["baseline_clients"], max_seconds=opts["max_seconds"])
        text = json.dumps(report, indent=2)
        report_save(opts["out"], text)
        self.stdout.write(text)
