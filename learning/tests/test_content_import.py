"""Content import: the parsers' errors (place, field, found, expected), and the service's all-or-nothing sync."""
import json
from pathlib import Path

import pytest
from django.conf import settings

from learning.content.errors import MAX_ERRORS, ContentRejected, ContentTooLarge, UnsupportedContent
from learning.content.importing import course_content_import, course_content_import_by_slug
from learning.models import Attempt, Course, Item, Passage, ServedItem, Skill

pytestmark = pytest.mark.django_db

CONTENT = Path(settings.BASE_DIR) / "fixtures" / "content"


# ---------------------------------------------------------------- helpers
def skill(key, **fields):
    return {"key": key, "name": key.title(), **fields}


def item(key, skills=("adding",), **fields):
    return {"key": key, "prompt": f"Question {key}?", "answer": {"kind": "exact", "answer": "7/12"},
            "skills": list(skills), **fields}


def document(items=None, skills=None, **top):
    return {
        "format": "tutor-course/1",
        "skills": [skill("adding"), skill("simplifying")] if skills is None else skills,
        "items": [item("add-1"), item("add-2"), item("simplify-1", skills=["simplifying"])] if items is None else items,
        **top,
    }


def run(course, payload, filename="course.json", **options):
    data = payload if isinstance(payload, bytes) else (
        json.dumps(payload).encode() if isinstance(payload, dict) else payload.encode()
    )
    return course_content_import(course=course, filename=filename, data=data, **options)


def messages_of(course, payload, filename="course.json", **options) -> list[str]:
    with pytest.raises(ContentRejected) as caught:
        run(course, payload, filename, **options)
    return [error.message for error in caught.value.errors]


def counts(course):
    return (Skill.objects.filter(course=course).count(), Item.objects.filter(course=course).count(),
            Passage.objects.filter(course=course).count())


def attempt_on(item_key, personas, course=None):
    served_item = Item.objects.get(course=course or personas.course_a, key=item_key)
    Attempt.objects.create(student=personas.student1, item=served_item, response="x", correct=False)


# ---------------------------------------------------------------- JSON document: errors
def test_unknown_answer_kind_names_item_field_found_and_expected(personas):
    bad = document(items=[item("add-1"), item("add-2", answer={"kind": "numbr", "value": 1})])
    assert messages_of(personas.course_a, bad) == [
        'items[1].answer.kind: found "numbr", expected one of exact, numeric, choice, set'
    ]


def test_wrong_format_string(personas):
    assert messages_of(personas.course_a, document(format="tutor-course/2")) == [
        'format: found "tutor-course/2", expected exactly "tutor-course/1"'
    ]


def test_missing_format_and_extra_fields_are_refused(personas):
    bad = document(items=[item("add-1", colour="red")])
    del bad["format"]
    bad["title"] = "Fractions"
    assert messages_of(personas.course_a, bad) == [
        "format: found nothing, expected this field (it is required)",
        'title: found an extra field ("Fractions"), expected only the fields format, course, skills, items, reference, '
        'golden',
        'items[0].colour: found an extra field ("red"), expected only the fields key, prompt, choices, answer, '
        "skills, difficulty, misconceptions",
    ]


def test_missing_skill_list_is_one_error(personas):
    bad = document()
    del bad["skills"]
    assert messages_of(personas.course_a, bad) == ["skills: found nothing, expected this field (it is required)"]


def test_extra_field_in_answer_lists_the_fields_of_that_kind(personas):
    bad = document(items=[item("n", answer={"kind": "numeric", "value": 0.5, "tol": 0.1})])
    assert messages_of(personas.course_a, bad) == [
        "items[0].answer.tol: found an extra field (0.1), expected only the fields kind, value, tolerance"
    ]


def test_wrong_types_and_lengths_are_named(personas):
    bad = document(items=[
        item("a", prompt="x" * 5001),
        item("b", answer={"kind": "numeric", "value": "half"}),
        item("c", skills=[]),
        item("bad key"),
    ])
    assert messages_of(personas.course_a, bad) == [
        'items[0].prompt: found "' + "x" * 59 + '…" (5001 characters), expected at most 5000 characters',
        'items[1].answer.value: found "half", expected a number',
        "items[2].skills: found an empty list, expected at least one entry",
        'items[3].key: found "bad key", expected an item key: a letter or digit, then up to 79 letters, digits, '
        "'.', '_' or '-'",
    ]


def test_item_count_limit(personas):
    bad = document(items=[item(f"i{n}") for n in range(5001)])
    assert messages_of(personas.course_a, bad) == ["items: found a list of 5001, expected at most 5000 entries"]


def test_unknown_skill_and_prerequisite_keys(personas):
    bad = document(skills=[skill("adding", prerequisites=["fractions"]), skill("simplifying")],
                   items=[item("add-1", skills=["adding", "multiplying"])])
    assert messages_of(personas.course_a, bad) == [
        'skills[0].prerequisites[0]: found "fractions", expected the key of a skill in this file',
        'items[0].skills[1]: found "multiplying", expected the key of a skill of this course',
    ]


def test_duplicate_keys_name_the_first_use(personas):
    bad = document(skills=[skill("adding"), skill("simplifying"), skill("adding")],
                   items=[item("add-1"), item("add-2"), item("add-1")])
    assert messages_of(personas.course_a, bad) == [
        'skills[2].key: found "adding", expected a key not used before in the file (skills[0] has it)',
        'items[2].key: found "add-1", expected a key not used before in the file (items[0] has it)',
    ]


def test_prerequisite_cycle_is_named(personas):
    bad = document(skills=[
        skill("a", prerequisites=["c"]), skill("b", prerequisites=["a"]), skill("c", prerequisites=["b"]),
        skill("adding", prerequisites=["adding"]),
    ], items=[item("add-1")])
    assert messages_of(personas.course_a, bad) == [
        "skills[0].prerequisites: found the cycle a -> c -> b -> a, expected prerequisites without cycles",
        "skills[3].prerequisites: found the cycle adding -> adding, expected prerequisites without cycles",
    ]


def test_choice_answer_must_be_a_choice(personas):
    choices = [{"key": "a", "text": "2/7"}, {"key": "b", "text": "7/12"}]
    bad = document(items=[
        item("c1", choices=choices, answer={"kind": "choice", "answer": "c"}),
        item("c2", answer={"kind": "choice", "answer": "a"}),
        item("c3", choices=choices + [{"key": "a", "text": "again"}], answer={"kind": "choice", "answer": "a"}),
    ])
    assert messages_of(personas.course_a, bad) == [
        'items[0].answer.answer: found "c", expected one of the choice keys a, b',
        'items[1].answer.answer: found "a", expected a choice key (the item has no choices)',
        'items[2].choices[2].key: found "a", expected a key not used before in the file (choices[0] has it)',
    ]


@pytest.mark.parametrize(("hint", "found"), [("trivial", '"trivial"'), (9, "9"), (True, "true"), ([1], "a list of 1")])
def test_bad_difficulty_hint(personas, hint, found):
    assert messages_of(personas.course_a, document(items=[item("a", difficulty=hint)])) == [
        f"items[0].difficulty: found {found}, expected one of very easy, easy, medium, hard, very hard "
        "or a number from -6 to 6"
    ]


def test_difficulty_hints_are_stored_normalised(personas):
    run(personas.course_a, document(items=[item("a", difficulty="Very  Hard"), item("b", difficulty=1.5),
                                           item("c", difficulty="-0.5"), item("d")]))
    hints = dict(Item.objects.values_list("key", "difficulty_hint"))
    assert hints == {"a": "very hard", "b": "1.5", "c": "-0.5", "d": ""}


def test_json_syntax_error_gives_line_and_column(personas):
    text = '{\n  "format": "tutor-course/1",\n  "skills": [,]\n}'
    assert messages_of(personas.course_a, text) == ['line 3, column 14: found ",]\\n}", expected value']


def test_nan_is_not_json(personas):
    text = json.dumps(document(items=[item("n", answer={"kind": "numeric", "value": 1})]))
    assert messages_of(personas.course_a, text.replace('"value": 1', '"value": NaN')) == [
        "file: found NaN, expected JSON numbers (NaN and Infinity are not JSON)"
    ]


def test_document_must_be_an_object(personas):
    assert messages_of(personas.course_a, "[1, 2]") == [
        "file: found a list of 2, expected a JSON object with format, skills and items"
    ]


def test_invalid_utf8_names_the_byte_offset(personas):
    data = '{"format": "tutor-course/1",\n"x": "caf'.encode() + b"\xe9" + b'"}'
    assert messages_of(personas.course_a, data) == ["byte 38 (line 2): found byte 0xE9, expected UTF-8 text"]


def test_a_byte_order_mark_is_dropped(personas):
    report = run(personas.course_a, b"\xef\xbb\xbf" + json.dumps(document()).encode())
    assert report.items_created == 3


@pytest.mark.parametrize(("data", "found"), [(b"", "an empty file"), (b" \n\t", "only whitespace")])
def test_empty_file(personas, data, found):
    assert messages_of(personas.course_a, data) == [f"file: found {found}, expected some content"]


def test_unsupported_extension_names_the_supported_ones(personas):
    with pytest.raises(UnsupportedContent) as caught:
        run(personas.course_a, document(), filename="course.pdf")
    assert [e.message for e in caught.value.errors] == [
        'file.extension: found ".pdf", expected one of .json, .csv, .md, .markdown, .txt'
    ]


def test_errors_are_collected_across_the_file_and_capped(personas):
    bad = document(items=[item(f"i{n}", answer={"kind": "riddle"}) for n in range(150)])
    with pytest.raises(ContentRejected) as caught:
        run(personas.course_a, bad)
    rejected = caught.value
    assert rejected.total == 150 and len(rejected.errors) == MAX_ERRORS
    assert rejected.errors[-1].message.startswith("items[99].answer.kind")
    assert "150 errors (the first 100 are listed)" in rejected.detail


def test_error_dict_has_every_part(personas):
    with pytest.raises(ContentRejected) as caught:
        run(personas.course_a, document(format="x"))
    assert caught.value.errors[0].as_dict() == {
        "where": "format", "field": "", "found": '"x"', "expected": 'exactly "tutor-course/1"',
        "message": 'format: found "x", expected exactly "tutor-course/1"',
    }


# ---------------------------------------------------------------- JSON document: the sync
def test_import_creates_everything(personas):
    doc = document(
        skills=[skill("adding"), skill("simplifying", prerequisites=["adding"], description="Lowest terms.")],
        course={"title": "Fractions", "description": "Parts of a whole."},
        reference=[{"source": "notes", "format": "markdown", "text": "# Adding\nFind a common denominator."}],
    )
    report = run(personas.course_a, doc)
    assert (report.skills_created, report.items_created, report.passages_written) == (2, 3, 1)
    simplifying = Skill.objects.get(course=personas.course_a, key="simplifying")
    assert [s.key for s in simplifying.prerequisites.all()] == ["adding"] and simplifying.description == "Lowest terms."
    assert set(Item.objects.get(key="simplify-1").skills.values_list("key", flat=True)) == {"simplifying"}
    personas.course_a.refresh_from_db()
    assert (personas.course_a.title, personas.course_a.description) == ("Fractions", "Parts of a whole.")


def test_bad_item_at_the_end_writes_nothing(personas):
    Passage.objects.create(course=personas.course_a, source="notes", ordinal=0, text="Old.")
    doc = document(
        items=[item(f"i{n}") for n in range(20)] + [item("last", answer={"kind": "numeric"})],
        course={"title": "Renamed"},
        reference=[{"source": "notes", "format": "text", "text": "New."}],
    )
    with pytest.raises(ContentRejected):
        run(personas.course_a, doc)
    assert counts(personas.course_a) == (0, 0, 1)
    personas.course_a.refresh_from_db()
    assert personas.course_a.title == "Algebra" and personas.course_a.content_revision == 0
    assert Passage.objects.get().text == "Old."


def test_reimport_updates_in_place_without_duplicates(personas):
    run(personas.course_a, document())
    before = dict(Item.objects.values_list("key", "updated_at"))
    changed = document(items=[item("add-1", prompt="What is 1/3 + 1/4?"), item("add-2"),
                              item("simplify-1", skills=["adding", "simplifying"])])
    report = run(personas.course_a, changed)
    assert (report.items_created, report.items_updated, report.items_unchanged) == (0, 2, 1)
    assert counts(personas.course_a) == (2, 3, 0)
    after = dict(Item.objects.values_list("key", "updated_at"))
    assert after["add-2"] == before["add-2"] and after["add-1"] > before["add-1"]
    assert Item.objects.get(key="add-1").prompt == "What is 1/3 + 1/4?"
    assert set(Item.objects.get(key="simplify-1").skills.values_list("key", flat=True)) == {"adding", "simplifying"}


def test_same_file_twice_changes_nothing(personas):
    run(personas.course_a, document())
    report = run(personas.course_a, document())
    assert (report.skills_unchanged, report.items_unchanged) == (2, 3)
    assert report.skills_created + report.skills_updated + report.items_created + report.items_updated == 0


def test_removed_items_are_retired_when_used_and_deleted_otherwise(personas):
    keep = item("simplify-1", skills=["simplifying"])
    run(personas.course_a, document(items=[item("add-1"), item("add-2"), item("add-3"), keep]))
    attempt_on("add-1", personas)
    ServedItem.objects.create(student=personas.student2, item=Item.objects.get(key="add-2"), mode="practice")
    report = run(personas.course_a, document(items=[keep]))
    assert (report.items_retired, report.items_deleted) == (2, 1)
    assert report.retired_items == ["add-1", "add-2"]
    assert dict(Item.objects.values_list("key", "retired")) == {"add-1": True, "add-2": True, "simplify-1": False}


def test_an_item_that_comes_back_is_unretired(personas):
    run(personas.course_a, document())
    attempt_on("add-1", personas)
    run(personas.course_a, document(items=[item("add-2")]))
    report = run(personas.course_a, document())
    assert report.items_updated == 1 and report.items_created == 1  # add-1 back; simplify-1 was deleted
    assert not Item.objects.get(key="add-1").retired


def test_removed_skills_are_deleted_unless_a_retired_item_uses_them(personas):
    doc = document(skills=[skill("adding"), skill("simplifying"), skill("comparing")],
                   items=[item("add-1"), item("simplify-1", skills=["simplifying"]),
                          item("compare-1", skills=["comparing"])])
    run(personas.course_a, doc)
    attempt_on("simplify-1", personas)
    report = run(personas.course_a, document(skills=[skill("adding")], items=[item("add-1")]))
    assert report.skills_deleted == 1 and report.kept_skills == ["simplifying"]
    assert set(Skill.objects.values_list("key", flat=True)) == {"adding", "simplifying"}
    assert any("simplifying" in note for note in report.notes)


def test_prerequisites_are_replaced_from_the_file(personas):
    run(personas.course_a, document(skills=[skill("adding"), skill("simplifying", prerequisites=["adding"])]))
    flipped = [skill("adding", prerequisites=["simplifying"]), skill("simplifying")]
    report = run(personas.course_a, document(skills=flipped))
    assert report.skills_updated == 2
    adding = Skill.objects.get(key="adding")
    assert list(adding.prerequisites.values_list("key", flat=True)) == ["simplifying"]
    assert not Skill.objects.get(key="simplifying").prerequisites.exists()


def test_empty_skill_list_keeps_the_courses_skills(personas):
    run(personas.course_a, document(skills=[skill("adding"), skill("simplifying", prerequisites=["adding"])]))
    report = run(personas.course_a, document(skills=[], items=[item("add-9")]))
    assert report.skills_deleted == 0 and report.items_created == 1
    assert Skill.objects.get(key="simplifying").prerequisites.count() == 1


def test_empty_skill_list_needs_a_course_with_skills(personas):
    assert messages_of(personas.course_a, document(skills=[], items=[item("add-1")])) == [
        "skills: found an empty list, expected at least one skill (the course has none yet)",
        'items[0].skills[0]: found "adding", expected the key of a skill of this course',
    ]


def test_reference_in_the_document_replaces_its_sources_only(personas):
    Passage.objects.create(course=personas.course_a, source="glossary", ordinal=0, text="Numerator: the top.")
    Passage.objects.create(course=personas.course_a, source="notes", ordinal=0, text="Old notes.")
    doc = document(reference=[{"source": "notes", "format": "text", "text": "First.\n\nSecond."}])
    report = run(personas.course_a, doc)
    assert report.sources_replaced == ["notes"] and report.sources_kept == ["glossary"]
    assert list(Passage.objects.filter(source="notes").values_list("text", flat=True)) == ["First.\n\nSecond."]
    assert Passage.objects.filter(source="glossary").exists()


def test_import_bumps_the_content_revision_and_touches_only_its_course(personas):
    run(personas.course_a, document())
    personas.course_a.refresh_from_db()
    assert personas.course_a.content_revision == 1 and counts(personas.course_b) == (0, 0, 0)


def test_demo_content_imports_and_reimports_unchanged(personas):
    course = personas.course_b
    first = run(course, (CONTENT / "fractions.json").read_bytes(), "fractions.json")
    notes = run(course, (CONTENT / "fractions.md").read_bytes(), "fractions.md")
    again = run(course, (CONTENT / "fractions.json").read_bytes(), "fractions.json")
    assert first.items_created > 0 and notes.passages_written > 0 and notes.sources_replaced == ["fractions"]
    assert again.items_unchanged == first.items_created and again.skills_unchanged == first.skills_created


def test_size_limit_comes_first_and_says_size_and_limit(personas, settings):
    settings.TUTOR_MAX_CONTENT_BYTES = 100
    with pytest.raises(ContentTooLarge) as caught:
        run(personas.course_a, b"\xff" * 101, filename="course.pdf")
    assert [e.message for e in caught.value.errors] == ["file: found 101 bytes, expected at most 100 bytes"]


def test_rejected_import_with_create_leaves_no_course():
    with pytest.raises(ContentRejected):
        course_content_import_by_slug(slug="new-course", create=True, filename="c.json", data=b"{}")
    assert not Course.objects.filter(slug="new-course").exists()


def test_create_titles_the_course_from_the_document():
    course, _ = course_content_import_by_slug(slug="fractions", create=True, filename="c.json",
                                              data=json.dumps(document(course={"title": "Fractions"})).encode())
    assert course.title == "Fractions"


# ---------------------------------------------------------------- CSV of items
HEADER = "key,prompt,skills,answer_kind,answer,tolerance,choices,difficulty\n"


@pytest.fixture
def skills_a(personas):
    run(personas.course_a, document(items=[item("existing-1"), item("other", skills=["simplifying"])]))
    return personas.course_a


def test_csv_creates_and_updates_items_and_never_removes(skills_a):
    rows = HEADER + (
        'existing-1,"Reworded, with a comma",adding;simplifying,numeric,0.5,0.01,,easy\n'
        "new-1,Pick one,adding,choice,b,,a=2/7|b=7/12,\n"
        "new-2,Name one,simplifying,set,1/2|2/4,,,hard\n"
    )
    report = run(skills_a, rows, filename="items.csv")
    assert (report.items_created, report.items_updated, report.items_deleted, report.items_retired) == (2, 1, 0, 0)
    assert Item.objects.filter(course=skills_a).count() == 4  # "other" is left alone
    existing = Item.objects.get(key="existing-1")
    assert existing.prompt == "Reworded, with a comma"
    assert existing.answer_spec == {"kind": "numeric", "value": 0.5, "tolerance": 0.01}
    assert set(existing.skills.values_list("key", flat=True)) == {"adding", "simplifying"}
    assert Item.objects.get(key="new-1").choices == [{"key": "a", "text": "2/7"}, {"key": "b", "text": "7/12"}]
    assert Item.objects.get(key="new-2").answer_spec == {"kind": "set", "answers": ["1/2", "2/4"]}
    assert run(skills_a, rows, filename="items.csv").items_unchanged == 3


def test_csv_tolerance_defaults_to_zero_and_unretires(skills_a, personas):
    attempt_on("other", personas)
    run(skills_a, document(items=[item("existing-1")]))
    report = run(skills_a, HEADER.replace(",tolerance", "") .replace(",choices,difficulty", "\n").strip() + "\n"
                 + "other,Half?,simplifying,numeric,0.5\n", filename="items.csv")
    assert report.items_updated == 1
    other = Item.objects.get(key="other")
    assert not other.retired and other.answer_spec["tolerance"] == 0


def test_csv_errors_name_row_and_column(skills_a):
    rows = HEADER + (
        "ok-1,Fine,adding,exact,yes,,,\n"
        "bad-1,Tol,adding,numeric,0.5,abc,,\n"
        "bad-2,Skills,adding;nope,exact,x,,,\n"
        "bad-3,Kind,adding,numbr,x,,,\n"
        "bad-4,Choice,adding,choice,c,,a=1|b=2,\n"
        "bad-5,Hint,adding,exact,x,,,trivial\n"
        "ok-1,Again,adding,exact,x,,,\n"
        "bad-6,Short\n"
        "bad-7,Tolerance elsewhere,adding,exact,x,0.1,,\n"
        ",,adding,exact,,,,\n"
    )
    assert messages_of(skills_a, rows, filename="items.csv") == [
        'row 3, column "tolerance": found "abc", expected a number',
        'row 4, column "skills": found "adding;nope", expected keys of skills of this course (unknown: nope)',
        'row 5, column "answer_kind": found "numbr", expected one of exact, numeric, choice, set',
        'row 6, column "answer": found "c", expected one of the choice keys a, b',
        'row 7, column "difficulty": found "trivial", expected one of very easy, easy, medium, hard, very hard '
        "or a number from -6 to 6",
        'row 8, column "key": found "ok-1", expected a key not used before in the file (row 2 has it)',
        "row 9: found 2 cells, expected 8 cells, one per header column",
        'row 10, column "tolerance": found "0.1", expected an empty cell (a tolerance applies to numeric answers only)',
        "row 11, column \"key\": found nothing, expected an item key: a letter or digit, then up to 79 letters, "
        "digits, '.', '_' or '-'",
        'row 11, column "prompt": found nothing, expected the item\'s question, 1 to 5000 characters',
        'row 11, column "answer": found nothing, expected the answer text',
    ]
    assert Item.objects.filter(course=skills_a).count() == 2


def test_csv_header_errors(skills_a):
    assert messages_of(skills_a, "key,prompt,colour,prompt\nx,y,z,w\n", filename="items.csv") == [
        'row 1, column "colour": found "colour", expected a column among key, prompt, skills, answer_kind, answer, '
        "tolerance, choices, difficulty",
        'row 1, column "prompt": found "prompt" twice, expected each column once',
        *(f'row 1, column "{column}": found nothing, expected this column (it is required; the first row is the header)'
          for column in ("skills", "answer_kind", "answer")),
    ]


def test_csv_malformed_choices_and_numbers(skills_a):
    rows = HEADER + "c-1,Pick,adding,choice,a,,a=1|b,\nn-1,Num,adding,numeric,half,-1,,\n"
    assert messages_of(skills_a, rows, filename="items.csv") == [
        'row 2, column "choices": found "b", expected choices written key=text and separated by "|", '
        "as in a=2/7|b=7/12",
        'row 3, column "answer": found "half", expected a number',
        'row 3, column "tolerance": found "-1", expected a number >= 0',
    ]


def test_csv_with_only_a_header(skills_a):
    assert messages_of(skills_a, HEADER, filename="items.csv") == [
        "row 2: found no rows after the header, expected at least one item"
    ]


# ---------------------------------------------------------------- reference text
def test_markdown_splits_at_headings_with_heading_paths(personas):
    text = (
        "Fractions name parts of a whole.\n\n"
        "# Adding\n\nFind a common denominator.\n\n"
        "## Unlike denominators\n\n1/3 + 1/4 = 7/12.\n\n"
        "#### Deeper headings stay in the text\n\nLike this one.\n\n"
        "```\n# not a heading inside code\n```\n\n"
        "# Empty section\n\n"
        "# Simplifying\n\nDivide by the greatest common divisor.\n"
    )
    report = run(personas.course_a, text, filename="fractions-notes.md")
    assert report.sources_replaced == ["fractions-notes"] and report.passages_written == 4
    passages = list(Passage.objects.filter(source="fractions-notes").values_list("ordinal", "title", "text"))
    assert [(o, t) for o, t, _ in passages] == [
        (0, ""), (1, "Adding"), (2, "Adding > Unlike denominators"), (3, "Simplifying"),
    ]
    assert "#### Deeper headings stay in the text" in passages[2][2] and "# not a heading" in passages[2][2]


def test_long_sections_split_at_paragraphs_under_the_limit(personas):
    paragraphs = [f"Paragraph {n}. " + "word " * 90 for n in range(12)]
    run(personas.course_a, "# Long\n\n" + "\n\n".join(paragraphs), filename="long.markdown")
    passages = list(Passage.objects.filter(source="long"))
    assert len(passages) > 1 and all(len(p.text) <= 1000 and p.title == "Long" for p in passages)
    assert "\n\n".join(p.text for p in passages) == "\n\n".join(p.strip() for p in paragraphs)


def test_plain_text_splits_at_blank_lines_and_reupload_replaces(personas):
    run(personas.course_a, "one\n\ntwo\n\n\n" + "x " * 600, filename="notes.txt")
    assert Passage.objects.filter(source="notes").count() == 3
    report = run(personas.course_a, "only one\n", filename="ignored.txt", source="notes")
    assert report.passages_written == 1 and report.sources_replaced == ["notes"]
    assert list(Passage.objects.filter(source="notes").values_list("ordinal", "title", "text")) == [(0, "", "only one")]


def test_reference_other_sources_are_left_alone_and_reported(personas):
    run(personas.course_a, "Glossary.", filename="glossary.txt")
    report = run(personas.course_a, "Notes.", filename="notes.md")
    assert report.sources_kept == ["glossary"] and Passage.objects.count() == 2


def test_markdown_of_only_headings_is_refused(personas):
    assert messages_of(personas.course_a, "# A\n## B\n", filename="notes.md") == [
        "file: found only headings, expected at least one passage of text"
    ]


def test_source_names_are_checked(personas):
    assert messages_of(personas.course_a, "Text.", filename="my notes.md") == [
        "source: found \"my notes\", expected a source name: a letter or digit, then up to 119 letters, digits, "
        "'.', '_' or '-' (rename the file or give a source name)"
    ]
    assert messages_of(personas.course_a, document(), source="notes") == [
        'source: found "notes", expected no source name for a json file (only reference text has one)'
    ]
