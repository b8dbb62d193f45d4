"""Small practice content built straight through the ORM (the importer has its own tests)."""
from __future__ import annotations

from learning.course_knowledge import course_revision_bump
from learning.models import Course, Item, Passage, Skill

# A course document the importer accepts, and the same with one error (for the upload interfaces' tests).
GOOD_DOCUMENT = {
    "format": "tutor-course/1",
    "skills": [{"key": "adding", "name": "Adding"}],
    "items": [{"key": "add-1", "prompt": "1 + 1?", "answer": {"kind": "numeric", "value": 2}, "skills": ["adding"]}],
}
BAD_DOCUMENT = {**GOOD_DOCUMENT, "items": [{**GOOD_DOCUMENT["items"][0], "answer": {"kind": "numbr"}}]}

# skill key -> prerequisites
SKILLS = {"solve": [], "isolate": ["solve"], "two-step": ["isolate"]}


def numeric(value: float) -> dict:
    return {"kind": "numeric", "value": value, "tolerance": 0.001}


def practice_content(course: Course, *, items_per_skill: int = 4) -> dict[str, Item]:
    """Three skills in a prerequisite chain, ``items_per_skill`` numeric items each (answers 1, 2, ...)
    from easy to hard, and one item tagged with two skills; returns the items by key."""
    skills = {key: Skill.objects.create(course=course, key=key, name=key.replace("-", " ").title()) for key in SKILLS}
    for key, prerequisites in SKILLS.items():
        skills[key].prerequisites.set([skills[p] for p in prerequisites])
    hints = ["easy", "medium", "hard", "very hard"]
    items = {}
    for key, skill in skills.items():
        for n in range(1, items_per_skill + 1):
            item = Item.objects.create(
                course=course, key=f"{key}-{n}", prompt=f"{key}: solve x + {n} = {2 * n}",
                answer_spec=numeric(n), difficulty_hint=hints[(n - 1) % len(hints)],
            )
            item.skills.set([skill])
            items[item.key] = item
    both = Item.objects.create(course=course, key="mixed-1", prompt="2x + 3 = 17; x = ?", answer_spec=numeric(7),
                               difficulty_hint="hard")
    both.skills.set([skills["isolate"], skills["two-step"]])
    items[both.key] = both
    course_revision_bump(course_id=course.id)
    return items


def passages(course: Course, texts: dict[str, str]) -> None:
    for ordinal, (title, text) in enumerate(texts.items()):
        Passage.objects.create(course=course, source="notes", ordinal=ordinal, title=title, text=text)
    course_revision_bump(course_id=course.id)
