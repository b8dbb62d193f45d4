"""The content import service: size, format, parse (pure modules), then one transaction of writes."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.db import transaction

from learning.content.csv_items import parse_items_csv
from learning.content.document import parse_document
from learning.content.errors import ContentRejected
from learning.content.formats import Format, decode, format_pick, size_check, source_pick
from learning.content.parsed import ParsedContent, ParsedSource
from learning.content.reference import passages_from_markdown, passages_from_text
from learning.content.sync import content_write
from learning.models import Course, Skill


@dataclass
class ImportReport:
    format: str
    skills_created: int = 0
    skills_updated: int = 0
    skills_unchanged: int = 0
    skills_deleted: int = 0
    items_created: int = 0
    items_updated: int = 0
    items_unchanged: int = 0
    items_retired: int = 0
    items_deleted: int = 0
    passages_written: int = 0
    golden_created: int = 0  # the authors' held-out questions for the retraining gate
    golden_updated: int = 0
    golden_deleted: int = 0
    retired_items: list[str] = field(default_factory=list)  # retired by this import (they have attempts)
    kept_skills: list[str] = field(default_factory=list)  # missing from the file, kept for retired items
    sources_replaced: list[str] = field(default_factory=list)
    sources_kept: list[str] = field(default_factory=list)  # the course's other sources, left alone
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def content_size_check(*, size: int) -> None:
    """Raises ContentTooLarge past settings.TUTOR_MAX_CONTENT_BYTES; interfaces call it before reading."""
    size_check(size=size, limit=settings.TUTOR_MAX_CONTENT_BYTES)


def content_format_pick(*, filename: str, content_type: str | None) -> Format:
    """Raises UnsupportedContent for what the importer cannot read."""
    return format_pick(filename=filename, content_type=content_type)


def course_content_import(
    *, course: Course, filename: str, data: bytes, content_type: str | None = None, source: str | None = None
) -> ImportReport:
    """Imports one upload into ``course``: a JSON document synchronises the course (see
    docs/content-format.md), a CSV upserts items, Markdown or text replaces one reference source.

    All or nothing: any problem raises ContentRejected (listing every error found) and writes nothing.
    Idempotent: importing the same upload again reports everything unchanged. Access is the caller's to
    check (learning.content.access.course_get_for_author)."""
    content_size_check(size=len(data))
    fmt = content_format_pick(filename=filename, content_type=content_type)
    source_name = source_pick(fmt=fmt, filename=filename, source=source)
    parsed = _parse(fmt, decode(data), source_name, course)
    report = ImportReport(format=str(fmt))
    with transaction.atomic():
        locked = Course.objects.select_for_update().get(pk=course.pk)  # one import of a course at a time
        content_write(course=locked, content=parsed, report=report)
    course.refresh_from_db()
    return report


def course_content_import_by_slug(
    *, slug: str, create: bool, filename: str, data: bytes, content_type: str | None = None, source: str | None = None
) -> tuple[Course, ImportReport]:
    """course_content_import into the course with this slug; with ``create``, a missing course is created
    (titled by the document, else by its slug) in the same transaction, so a rejected upload leaves no
    course behind. Raises Course.DoesNotExist when it is missing and ``create`` is false."""
    with transaction.atomic():
        course = Course.objects.filter(slug=slug).first()
        created = course is None
        if created:
            if not create:
                raise Course.DoesNotExist(f"no course with the slug {slug!r}")
            course = Course.objects.create(slug=slug, title=slug)
        report = course_content_import(
            course=course, filename=filename, data=data, content_type=content_type, source=source
        )
    if created:
        report.notes.insert(0, f"Created the course {slug!r}.")
    return course, report


def _parse(fmt: Format, text: str, source: str | None, course: Course) -> ParsedContent:
    if fmt in (Format.MARKDOWN, Format.TEXT):
        split = passages_from_markdown if fmt == Format.MARKDOWN else passages_from_text
        return ParsedContent(reference=(ParsedSource(source, tuple(split(text))),))
    existing = frozenset(Skill.objects.filter(course=course).values_list("key", flat=True))
    if fmt == Format.CSV:
        return parse_items_csv(text, existing_skills=existing)
    return parse_document(text, existing_skills=existing)


__all__ = [
    "ContentRejected", "ImportReport", "content_format_pick", "content_size_check", "course_content_import",
    "course_content_import_by_slug",
]
