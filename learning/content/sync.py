"""The database writes of a content import; the caller holds the transaction and the course's row lock.

Everything is keyed by stable keys (skills, items) or by source name (passages), and a row is written
only when something in it changed, so re-importing the same content is a no-op.
"""
from __future__ import annotations

from collections.abc import Iterator

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from learning.content.errors import ContentError, ContentRejected, quote
from learning.content.parsed import ParsedContent, ParsedGolden, ParsedItem, ParsedSkill, ParsedSource
from learning.course_knowledge import course_revision_bump
from learning.models import Attempt, Course, GoldenQuestion, Item, Passage, ServedItem, Skill

BATCH = 500
ItemSkill = Item.skills.through
Prerequisite = Skill.prerequisites.through


def content_write(*, course: Course, content: ParsedContent, report) -> None:
    _course_describe(course, content, report)
    if content.skills is not None:
        _skills_upsert(course, content.skills, report)
    if content.items is not None:
        _items_upsert(course, content.items, report)
        if content.full_sync:
            _items_remove_missing(course, {item.key for item in content.items}, report)
    if content.full_sync and content.skills is not None:
        _skills_remove_missing(course, {skill.key for skill in content.skills}, report)
    _passages_replace(course, content.reference, report)
    _sources_kept(course, content, report)
    if content.golden is not None:
        _golden_replace(course, content.golden, report)
    course_revision_bump(course_id=course.id)


def _course_describe(course: Course, content: ParsedContent, report) -> None:
    changes = {name: value for name, value in (("title", content.title), ("description", content.description))
               if value is not None and getattr(course, name) != value}
    if changes:
        Course.objects.filter(pk=course.pk).update(**changes)
        report.notes.append("The course's " + " and ".join(changes) + " changed.")


# ---------------------------------------------------------------- skills
def _skills_upsert(course: Course, skills: tuple[ParsedSkill, ...], report) -> None:
    existing = {skill.key: skill for skill in Skill.objects.filter(course=course)}
    before = _prerequisite_keys(course)
    new = [Skill(course=course, key=s.key, name=s.name, description=s.description)
           for s in skills if s.key not in existing]
    Skill.objects.bulk_create(new, batch_size=BATCH)
    report.skills_created = len(new)
    changed = []
    for parsed in (s for s in skills if s.key in existing):
        skill = existing[parsed.key]
        if (skill.name, skill.description) != (parsed.name, parsed.description):
            skill.name, skill.description = parsed.name, parsed.description
            changed.append(skill)
        elif before.get(parsed.key, frozenset()) == frozenset(parsed.prerequisites):
            report.skills_unchanged += 1
            continue
        report.skills_updated += 1
    Skill.objects.bulk_update(changed, ["name", "description"], batch_size=BATCH)
    after = {s.key: frozenset(s.prerequisites) for s in skills if s.prerequisites}
    if after != before:
        _prerequisites_replace(course, after)


def _prerequisite_keys(course: Course) -> dict[str, frozenset[str]]:
    pairs: dict[str, set[str]] = {}
    for skill, prerequisite in Prerequisite.objects.filter(from_skill__course=course).values_list(
        "from_skill__key", "to_skill__key"
    ):
        pairs.setdefault(skill, set()).add(prerequisite)
    return {key: frozenset(keys) for key, keys in pairs.items()}


def _prerequisites_replace(course: Course, prerequisites: dict[str, frozenset[str]]) -> None:
    """The file's graph becomes the course's: skills it does not list lose their prerequisites too."""
    ids = _skill_ids(course)
    Prerequisite.objects.filter(from_skill__course=course).delete()
    Prerequisite.objects.bulk_create(
        [Prerequisite(from_skill_id=ids[key], to_skill_id=ids[other]) for key, others in prerequisites.items()
         for other in sorted(others)],
        batch_size=BATCH,
    )


def _skills_remove_missing(course: Course, keep: set[str], report) -> None:
    """Skills the file dropped are deleted, unless a retired item (kept for its attempts) still uses them."""
    in_use = set(ItemSkill.objects.filter(item__course=course).values_list("skill_id", flat=True))
    doomed = []
    for skill_id, key in Skill.objects.filter(course=course).values_list("id", "key"):
        if key in keep:
            continue
        if skill_id in in_use:
            report.kept_skills.append(key)
        else:
            doomed.append(skill_id)
    for chunk in _chunks(doomed):
        Skill.objects.filter(id__in=chunk).delete()
    report.skills_deleted = len(doomed)
    if report.kept_skills:
        report.notes.append("Skills kept because retired items still use them: " + ", ".join(report.kept_skills) + ".")


def _skill_ids(course: Course) -> dict[str, int]:
    return dict(Skill.objects.filter(course=course).values_list("key", "id"))


# ---------------------------------------------------------------- items
def _items_upsert(course: Course, items: tuple[ParsedItem, ...], report) -> None:
    existing = {item.key: item for item in Item.objects.filter(course=course)}
    current_skills = _item_skill_keys(course)
    new, changed, relink = [], [], []
    for parsed in items:
        item = existing.get(parsed.key)
        if item is None:
            new.append(Item(course=course, key=parsed.key, **_item_fields(parsed)))
            relink.append(parsed)
            continue
        fields_changed = _item_apply(item, parsed)
        skills_changed = current_skills.get(item.id, frozenset()) != frozenset(parsed.skills)
        if fields_changed or skills_changed:
            changed.append((item, fields_changed))
            if skills_changed:
                relink.append(parsed)
    Item.objects.bulk_create(new, batch_size=BATCH)
    for item, fields in changed:  # one UPDATE each: bulk_update's CASE per row is far slower on thousands
        item.save(update_fields=[*fields, "updated_at"])  # auto_now: only changed items get a new updated_at
    _items_relink(course, relink)
    report.items_created, report.items_updated = len(new), len(changed)
    report.items_unchanged = len(items) - len(new) - len(changed)


def _item_fields(parsed: ParsedItem) -> dict:
    fields = {"prompt": parsed.prompt, "choices": parsed.choices, "answer_spec": parsed.answer_spec,
              "difficulty_hint": parsed.difficulty_hint, "retired": False}
    if parsed.misconceptions is not None:
        fields["misconceptions"] = list(parsed.misconceptions)
    return fields


def _item_apply(item: Item, parsed: ParsedItem) -> list[str]:
    """Sets the item's fields from the file and names those that changed (an item that comes back is
    un-retired)."""
    changed = []
    for name, value in _item_fields(parsed).items():
        if getattr(item, name) != value:
            setattr(item, name, value)
            changed.append(name)
    return changed


def _item_skill_keys(course: Course) -> dict[int, frozenset[str]]:
    pairs: dict[int, set[str]] = {}
    for item_id, key in ItemSkill.objects.filter(item__course=course).values_list("item_id", "skill__key"):
        pairs.setdefault(item_id, set()).add(key)
    return {item_id: frozenset(keys) for item_id, keys in pairs.items()}


def _items_relink(course: Course, items: list[ParsedItem]) -> None:
    if not items:
        return
    item_ids = dict(Item.objects.filter(course=course).values_list("key", "id"))
    skill_ids = _skill_ids(course)
    for chunk in _chunks([item_ids[item.key] for item in items]):
        ItemSkill.objects.filter(item_id__in=chunk).delete()
    rows = [ItemSkill(item_id=item_ids[item.key], skill_id=_skill_id(skill_ids, item, key))
            for item in items for key in item.skills]
    ItemSkill.objects.bulk_create(rows, batch_size=BATCH)


def _skill_id(skill_ids: dict[str, int], item: ParsedItem, key: str) -> int:
    if key not in skill_ids:  # deleted by someone else between the parse and this transaction
        raise ContentRejected([ContentError(f"item {quote(item.key)}", "skills", quote(key), "a skill of this course")])
    return skill_ids[key]


def _items_remove_missing(course: Course, keep: set[str], report) -> None:
    """Items the file dropped: deleted when never served nor attempted, else retired (attempts keep their
    meaning)."""
    used = _used_item_ids(course)
    missing = [(i, key, retired) for i, key, retired in Item.objects.filter(course=course).values_list(
        "id", "key", "retired") if key not in keep]
    to_retire = [(i, key) for i, key, retired in missing if i in used and not retired]
    for chunk in _chunks([(i, key) for i, key, _ in missing if i not in used]):
        if _delete_unless_used(chunk):
            report.items_deleted += len(chunk)
        else:
            to_retire.extend(chunk)
    _retire(to_retire, report)


def _used_item_ids(course: Course) -> set[int]:
    served = ServedItem.objects.filter(item__course=course).values_list("item_id", flat=True).distinct()
    attempted = Attempt.objects.filter(item__course=course).values_list("item_id", flat=True).distinct()
    return set(served) | set(attempted)


def _delete_unless_used(chunk: list[tuple[int, str]]) -> bool:
    """False when one of them was served since we looked (deleting it is refused): retire them instead."""
    try:
        with transaction.atomic():
            Item.objects.filter(id__in=[i for i, _ in chunk]).delete()
    except (ProtectedError, IntegrityError):
        return False
    return True


def _retire(items: list[tuple[int, str]], report) -> None:
    for chunk in _chunks(items):
        Item.objects.filter(id__in=[i for i, _ in chunk]).update(retired=True, updated_at=timezone.now())
    report.retired_items = sorted(key for _, key in items)
    report.items_retired = len(items)


# ---------------------------------------------------------------- reference passages
def _passages_replace(course: Course, sources: tuple[ParsedSource, ...], report) -> None:
    for source in sources:
        Passage.objects.filter(course=course, source=source.source).delete()
        Passage.objects.bulk_create(
            [Passage(course=course, source=source.source, ordinal=ordinal, title=p.title, text=p.text)
             for ordinal, p in enumerate(source.passages)],
            batch_size=BATCH,
        )
        report.passages_written += len(source.passages)
        report.sources_replaced.append(source.source)


def _sources_kept(course: Course, content: ParsedContent, report) -> None:
    if not (content.reference or content.full_sync):
        return
    others = set(Passage.objects.filter(course=course).values_list("source", flat=True).distinct())
    report.sources_kept = sorted(others - set(report.sources_replaced))
    if report.sources_kept:
        report.notes.append("Reference sources not in this upload were left as they were: "
                            + ", ".join(report.sources_kept) + ".")


# ---------------------------------------------------------------- golden questions
def _golden_replace(course: Course, golden: tuple[ParsedGolden, ...], report) -> None:
    """The file's golden questions become the course's, keyed by the question's text."""
    existing = {row.question: row for row in GoldenQuestion.objects.filter(course=course)}
    wanted = {parsed.question: parsed for parsed in golden}
    GoldenQuestion.objects.filter(course=course).exclude(question__in=wanted).delete()
    new, changed = [], []
    for question, parsed in wanted.items():
        row = existing.get(question)
        if row is None:
            new.append(GoldenQuestion(course=course, question=question, gold=list(parsed.gold), gold_check=parsed.check))
        elif (row.gold, row.gold_check) != (list(parsed.gold), parsed.check):
            row.gold, row.gold_check = list(parsed.gold), parsed.check
            changed.append(row)
    GoldenQuestion.objects.bulk_create(new, batch_size=BATCH)
    GoldenQuestion.objects.bulk_update(changed, ["gold", "gold_check"], batch_size=BATCH)
    report.golden_created, report.golden_updated = len(new), len(changed)
    report.golden_deleted = len(set(existing) - set(wanted))


def _chunks(values: list, size: int = BATCH) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start:start + size]

