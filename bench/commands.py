"""What the benchmark commands share: the flags of a question file over the course notes, and their checks."""
from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

QA_HELP = 'JSON lines: {"question", "gold": [...], "check": "exact"|"numeric"|"contains", "course", "category"}'


def add_question_file_arguments(parser, *, default_qa: Path, content: Path) -> None:
    """--qa, --content and --course, as router_bench and tutor_eval take them."""
    parser.add_argument("--qa", type=Path, default=default_qa, help=QA_HELP)
    parser.add_argument("--content", type=Path, default=content,
                        help="course notes; fractions.md holds the notes of the course fractions")
    parser.add_argument("--course", help="the course of questions whose line names none")


def paths_check(opts: dict, *, files: tuple[str, ...], folders: tuple[str, ...] = ("content",)) -> None:
    """A clear error for a named file or folder that is not there (an option left out is not checked)."""
    for option in files:
        if opts[option] and not opts[option].is_file():
            raise CommandError(f"no such file: {opts[option]}")
    for option in folders:
        if not opts[option].is_dir():
            raise CommandError(f"no such folder: {opts[option]}")
