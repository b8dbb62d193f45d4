"""``manage.py safeguarding_eval``: a thin wrapper over ``bench.safeguarding.evaluation``."""
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bench.reports import report_save
from bench.safeguarding.evaluation import MessagesFormatError, evaluate, read_messages
from tutor.alerts import safeguarding_signal


class Command(BaseCommand):
    help = ("Measure the safeguarding detector the tutor runs on every question (phrase lists, plus the MiniLM "
            "similarity check when LEARNING_RETRIEVAL=hybrid) on a labelled CSV (text,label; label risk or ok). "
            "Prints precision, recall, counts and the misses as JSON.")

    def add_arguments(self, parser):
        parser.add_argument("--messages", type=Path, required=True, help="CSV with the columns text,label")
        parser.add_argument("--out", type=Path, help="also write the JSON report here")

    def handle(self, *args, **opts):
        if not opts["messages"].is_file():
            raise CommandError(f"no such file: {opts['messages']}")
        try:
            messages = read_messages(opts["messages"])
        except MessagesFormatError as error:
            raise CommandError(str(error)) from error
        report = {"detector": {"languages": settings.TUTOR_SAFEGUARDING_LANGUAGES,
                               "similarity": settings.LEARNING_RETRIEVAL == "hybrid"},
                  **evaluate(messages, safeguarding_signal)}
        text = json.dumps(report, indent=2, ensure_ascii=False)
        report_save(opts["out"], text)
        self.stdout.write(text)
