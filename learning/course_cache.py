"""A small per-process cache of things built from a course's content (knowledge model, passage index).

An entry is valid for one content revision of one course. The key also holds the course's creation
time, because a database may hand a deleted course's id to a new course (SQLite reuses the highest
id), and a new course must never see an old course's entry.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Generic, TypeVar

from learning.models import Course

Value = TypeVar("Value")
# Inside ``course_revisions_read_once``: (course id, revision fields) -> the revisions read first.
_read_once: ContextVar[dict | None] = ContextVar("course_revisions_read_once", default=None)


@contextmanager
def course_revisions_read_once() -> Iterator[None]:
    """Within the block, each course's revisions are read once, however many times its cached values are used:
    work on a batch (an inference worker planning many answers) then costs one query per course, not per
    use. A change to the course during the block is seen from the next block on."""
    token = _read_once.set({})
    try:
        yield
    finally:
        _read_once.reset(token)


class CourseCache(Generic[Value]):
    def __init__(self, *, revision_fields: tuple[str, ...], max_courses: int = 64):
        self.revision_fields = revision_fields
        self.max_courses = max_courses
        self._entries: OrderedDict[int, tuple[tuple, Value]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, course: Course, build: Callable[[tuple], Value]) -> Value:
        """The cached value for the course's current revisions, else ``build(revisions)``'s (then cached)."""
        version = self._version(course)
        with self._lock:
            entry = self._entries.get(course.pk)
            if entry is not None and entry[0] == version:
                self._entries.move_to_end(course.pk)
                return entry[1]
        value = build(version[:-1])
        with self._lock:
            self._entries[course.pk] = (version, value)
            while len(self._entries) > self.max_courses:
                self._entries.popitem(last=False)
        return value

    def _version(self, course: Course) -> tuple:
        read, key = _read_once.get(), (course.pk, self.revision_fields)
        if read is not None and key in read:
            return read[key]
        version = Course.objects.values_list(*self.revision_fields, "created_at").get(pk=course.pk)
        if read is not None:
            read[key] = version
        return version

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
