"""``manage.py import_course FILE --course SLUG [--create] [--source NAME]``: a thin wrapper over
``learning.content.importing.course_content_import_by_slug``."""
import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_slug

from learning.content.errors import ContentRejected
from learning.content.importing import content_size_check, course_content_import_by_slug
from learning.models import Course


class Command(BaseCommand):
    help = (
        "Import course content (a tutor-course/1 JSON document, a CSV of items, or Markdown/text reference) "
        "into a course, all or nothing; see docs/content-format.md. Prints the report as JSON; on rejection "
        "prints every error, one per line, to stderr and exits with status 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="a .json, .csv, .md/.markdown or .txt file")
        parser.add_argument("--course", required=True, metavar="SLUG", help="the course's slug")
        parser.add_argument("--create", action="store_true", help="create the course when it does not exist")
        parser.add_argument("--source", metavar="NAME", help="reference text only: the source it replaces "
                                                             "(default: the file name without extension)")

    def handle(self, *args, **opts):
        path: Path = opts["file"]
        try:
            validate_slug(opts["course"])
        except ValidationError:
            raise CommandError(f"--course {opts['course']!r} is not a slug (letters, digits, '-' and '_')") from None
        try:
            course, report = course_content_import_by_slug(
                slug=opts["course"], create=opts["create"], filename=path.name, data=_read(path), source=opts["source"]
            )
        except Course.DoesNotExist:
            raise CommandError(f"no course with the slug {opts['course']!r}; add --create to create it") from None
        except ContentRejected as rejected:
            for error in rejected.errors:
                self.stderr.write(error.message)
            raise CommandError(rejected.detail if rejected.total > 1 else "Nothing was imported.") from None
        self.stdout.write(json.dumps({"course": course.slug, "report": report.as_dict()}, indent=2))


def _read(path: Path) -> bytes:
    if not path.is_file():
        raise CommandError(f"no such file: {path}")
    content_size_check(size=path.stat().st_size)  # before reading a file that may be huge
    return path.read_bytes()
