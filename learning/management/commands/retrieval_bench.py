"""``manage.py retrieval_bench``: a thin wrapper over ``bench.retrieval.benchmark.run_benchmark``."""
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bench.retrieval.benchmark import EvalFormatError, run_benchmark
from bench.reports import report_save

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


class Command(BaseCommand):
    help = (
        "Benchmark passage retrieval for the tutor's prompt: TF-IDF, all-MiniLM-L6-v2 embeddings and their blend, "
        "on labelled student questions over the course notes (*.md). Prints recall@1, recall@3, MRR, p50/p99 "
        "query latency and index build time for each back end, and the winner, as JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("--eval", type=Path, default=FIXTURES / "retrieval_eval.jsonl",
                            help="the labelled questions (JSON lines: course, question, relevant)")
        parser.add_argument("--content", type=Path, default=FIXTURES / "content",
                            help="the folder of course notes; fractions.md holds the notes of the course fractions")
        parser.add_argument("--out", type=Path, help="also write the JSON report here")
        parser.add_argument("--no-embedding", action="store_true", help="measure TF-IDF only")
        parser.add_argument("--latency-repeats", type=int, default=5, help="timed searches per question")

    def handle(self, *args, **opts):
        for option in ("eval", "content"):
            exists = opts[option].is_file() if option == "eval" else opts[option].is_dir()
            if not exists:
                raise CommandError(f"no such {'file' if option == 'eval' else 'folder'}: {opts[option]}")
        if opts["latency_repeats"] < 1:
            raise CommandError("--latency-repeats must be at least 1")
        try:
            report = run_benchmark(opts["content"], opts["eval"], embedding=not opts["no_embedding"],
                                   latency_repeats=opts["latency_repeats"])
        except EvalFormatError as error:
            raise CommandError(str(error)) from error
        text = json.dumps(report, indent=2, ensure_ascii=False)
        report_save(opts["out"], text)
        self.stdout.write(text)
