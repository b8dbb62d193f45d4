"""``manage.py student_data export USER [--out FILE]``, ``student_data erase USER [--yes]`` and
``student_data schema [--out FILE]``: thin wrappers over ``learning.privacy.services``."""
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from learning.models import PrivacyAudit
from learning.privacy.document import document_schema
from learning.privacy.services import PrivacyRefused, student_data_erase, student_data_export, student_get

CHANNEL = PrivacyAudit.Channel.COMMAND


class Command(BaseCommand):
    help = ("Export everything held about one student as one JSON document (docs/student-data.schema.json), or "
            "erase it (deleted, or anonymised where a teacher's correction is kept as course material) in one "
            "transaction; see docs/privacy.md. USER is a username or a numeric id.")

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="export|erase|schema")
        export = actions.add_parser("export", help="print (or write) the student's data as JSON")
        export.add_argument("user", metavar="USER")
        export.add_argument("--out", type=Path, help="write the document to this file instead of printing it")
        erase = actions.add_parser("erase", help="erase the student's data and account; cannot be undone")
        erase.add_argument("user", metavar="USER")
        erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        schema = actions.add_parser("schema", help="print (or write) the export's JSON Schema")
        schema.add_argument("--out", type=Path)

    def handle(self, *args, **opts):
        try:
            if opts["action"] == "schema":
                self._write(document_schema(), opts["out"])
            elif opts["action"] == "export":
                self._write(student_data_export(student=student_get(ref=opts["user"]), channel=CHANNEL), opts["out"])
            else:
                self._erase(opts["user"], opts["yes"])
        except PrivacyRefused as refused:
            raise CommandError(str(refused)) from None

    def _write(self, document: dict, out: Path | None) -> None:
        text = json.dumps(document, indent=2, ensure_ascii=False)
        if out is None:
            self.stdout.write(text)
            return
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n", encoding="utf-8")
        self.stderr.write(f"written to {out}")

    def _erase(self, ref: str, yes: bool) -> None:
        student = student_get(ref=ref)
        if not yes and not self._confirmed(student.get_username()):
            raise CommandError("not erased: confirmation not given (type the username, or pass --yes)")
        audit = student_data_erase(student=student, channel=CHANNEL)
        self.stdout.write(json.dumps({"erased": True, "audit_reference": str(audit.reference),
                                      **audit.counts}, indent=2))

    def _confirmed(self, username: str) -> bool:
        self.stderr.write(f"This deletes {username}'s account and every conversation, answer and attempt of "
                          "theirs; teachers' corrections of their answers are kept anonymised. It cannot be undone.")
        try:
            return input(f"Type the username ({username}) to erase: ").strip() == username
        except EOFError:
            return False
