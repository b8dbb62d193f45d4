"""The sections that make up a student's data, one per app (or concern), and what each does on erase.

``level`` follows the apps' import order (account -1, learning 0, tutor 1, annotation 2): an app's rows point
at the rows of the apps below it, so erase runs from the highest level down and the account goes last; the
export lists sections from the lowest level up. A section never erases another section's rows.
"""
from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Model, QuerySet
from pydantic import BaseModel, ConfigDict


class Part(BaseModel):
    """A piece of the export document: strict, closed (an unknown key is an error), read-only."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


@dataclass
class Tally:
    """What one erase or expiry did, by kind: Django model labels with how many rows went or were anonymised."""

    deleted: Counter = field(default_factory=Counter)
    anonymised: Counter = field(default_factory=Counter)

    def delete(self, queryset: QuerySet) -> None:
        """Delete the rows (and whatever cascades from them), counting each model's rows."""
        _, per_model = queryset.delete()
        self.deleted.update({label: count for label, count in per_model.items() if count})

    def anonymise(self, model: type[Model], count: int) -> None:
        if count:
            self.anonymised[model._meta.label] += count

    def as_dict(self) -> dict:
        return {"deleted": dict(sorted(self.deleted.items())), "anonymised": dict(sorted(self.anonymised.items()))}


Student = AbstractBaseUser
# A queryset of the chat app's conversations: learning does not know the model, it only hands the set around.
Conversations = QuerySet


@dataclass(frozen=True)
class PrivacySection:
    key: str  # its name in the export document
    level: int
    part: type[Part]  # the schema of its piece of the export
    export: Callable[[Student], Part]
    erase: Callable[[Student, Tally], None]  # deletes or anonymises its rows about the student; no commit
    # Rows of this section derived from these conversations (an expired one's, or the erased student's): the
    # same rules as ``erase``, so that expiry and erase treat a training example alike.
    forget_conversations: Callable[[Conversations, Tally], None] | None = None
    # Why the student's data may not be erased now ("" when it may), checked before anything is written.
    erase_refusal: Callable[[Student], str] | None = None


_sections: dict[str, PrivacySection] = {}
_lock = threading.Lock()


def privacy_section_register(section: PrivacySection) -> PrivacySection | None:
    """Add or replace the section of this key; returns the one it replaced."""
    with _lock:
        previous, _sections[section.key] = _sections.get(section.key), section
    return previous


def privacy_section_unregister(key: str) -> PrivacySection | None:
    with _lock:
        return _sections.pop(key, None)


def sections_bottom_up() -> list[PrivacySection]:
    """In export order: the account first, then each app's section in the apps' import order."""
    with _lock:
        return sorted(_sections.values(), key=lambda section: (section.level, section.key))


def sections_top_down() -> list[PrivacySection]:
    """In erase order: the highest app's rows first, the account last."""
    return sections_bottom_up()[::-1]
