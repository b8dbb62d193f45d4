"""Hypothesis strategies for the upload fuzzing in tests/test_fuzz.py, each case with what the server must
answer: ``accept`` / ``reject`` / ``either`` (with, for a targeted mutation, a pattern the location of one reported
error must match). Mutations are applied one at a time to otherwise valid input, so the right answer is known
(pure: no Django)."""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass

from hypothesis import strategies as st

FORMAT = "tutor-course/1"
COURSE_SKILLS = ("solve", "isolate", "two-step")  # learning.tests.factories.SKILLS: the course already has them
SKILL_KEYS = (*COURSE_SKILLS, "adding", "sub_tract", "X9")
ITEM_KEYS = ("solve-1", "isolate-2", "mixed-1", "add.1", "q_7", "Z")  # some are the course's items
CHOICE_KEYS = ("a", "b", "c.2", "D_4")
EXTRA_NAMES = ("colour", "Key", "answer_spec", "__proto__", "ключ", "id ", "$ref")
NASTY_TEXT = (
    "\x00", "a\x00b", "\ud800", "x\udfff", "\u202eevil", "e\u0301", "😀" * 3, "\ufeff", "\u2028", "null", "0", "",
    " ", "\t\n", "<script>alert(1)</script>", "'; DROP TABLE learning_item; --", "%s%n{0}", "{{7*7}}", "\\", '"',
    "İß\ufb03", "a|b=c;d", "=cmd|' /C calc'!A0",
)
UPLOAD_LIMIT = 256 * 1024  # TUTOR_MAX_CONTENT_BYTES in the tests: small enough to cross cheaply
HUGE_LENGTHS = (201, 501, 1001, 5001, 20_001, 300_000)  # past the field limits; the last past the upload limit

# Text that is valid anywhere free text is: no lone surrogates, no NUL.
clean_chars = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
any_chars = st.characters()
clean_text = st.text(clean_chars, min_size=1, max_size=12)
nonblank_text = clean_text.filter(lambda text: text.strip() and text == text.strip())
junk_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(any_chars, max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=6,
)



# ================================================================= uploads
@dataclass(frozen=True)
class Upload:
    kind: str  # json, csv, text (reference: markdown or plain) or bytes
    body: bytes
    content_type: str | None  # None: no Content-Type header
    source: str | None = None  # ?source=
    expect: str = "either"  # accept, reject or either
    location: str | None = None  # a regex one rejected error's location must match
    label: str = ""

    def __repr__(self) -> str:  # keeps hypothesis' falsifying example readable
        return f"Upload({self.label!r}, {self.kind}, {self.content_type!r}, {self.source!r}, {self.body[:300]!r}...)"

    def _repr_pretty_(self, printer, cycle) -> None:  # what hypothesis prints
        printer.text(repr(self))


def location_of(path: tuple) -> str:
    """A JSON path as the importer names it: items[3].answer.kind."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "file"


def _answer(choice_keys: list[str]):
    exact = st.builds(lambda answer: {"kind": "exact", "answer": answer}, nonblank_text)
    numeric = st.builds(
        lambda value, tolerance: {"kind": "numeric", "value": value, **tolerance},
        st.floats(allow_nan=False, allow_infinity=False) | st.integers(-10**6, 10**6),
        st.just({}) | st.builds(lambda t: {"tolerance": t}, st.floats(0, 1e9)),
    )
    sets = st.builds(lambda answers: {"kind": "set", "answers": answers},
                     st.lists(nonblank_text, min_size=1, max_size=3))
    options = [exact, numeric, sets]
    if choice_keys:
        options.append(st.builds(lambda key: {"kind": "choice", "answer": key}, st.sampled_from(choice_keys)))
    return st.one_of(options)


difficulties = st.sampled_from(["easy", " Very  HARD ", "medium", "very easy", "hard", 0, -6, 6, 1.5, "2.25", "-0.5"])


@st.composite
def clean_item(draw, skill_keys, key):
    choice_keys = draw(st.lists(st.sampled_from(CHOICE_KEYS), unique=True, max_size=3))
    item = {"key": key, "prompt": draw(clean_text), "answer": draw(_answer(choice_keys)),
            "skills": draw(st.lists(st.sampled_from(skill_keys), min_size=1, max_size=3))}
    if choice_keys:
        item["choices"] = [{"key": k, "text": draw(clean_text)} for k in choice_keys]
    if draw(st.booleans()):
        item["difficulty"] = draw(difficulties)
    return item


@st.composite
def clean_document(draw, min_records: int = 0) -> dict:
    """A valid document (the course already has COURSE_SKILLS, so ``skills: []`` is allowed)."""
    skill_keys = draw(st.lists(st.sampled_from(SKILL_KEYS), unique=True, min_size=min_records, max_size=4))
    skills = []
    for index, key in enumerate(skill_keys):
        skill = {"key": key, "name": draw(clean_text)}
        if index and draw(st.booleans()):  # earlier skills only: no cycles
            skill["prerequisites"] = draw(st.lists(st.sampled_from(skill_keys[:index]), min_size=1, max_size=3))
        if draw(st.booleans()):
            skill["description"] = draw(st.text(clean_chars, max_size=12))
        skills.append(skill)
    item_keys = draw(st.lists(st.sampled_from(ITEM_KEYS), unique=True, min_size=min_records, max_size=4))
    doc = {"format": FORMAT, "skills": skills,
           "items": [draw(clean_item(skill_keys or list(COURSE_SKILLS), key)) for key in item_keys]}
    if draw(st.booleans()):
        doc["course"] = draw(st.fixed_dictionaries({}, optional={"title": clean_text, "description": clean_text}))
    if draw(st.booleans()):
        sources = draw(st.lists(st.sampled_from(["notes", "glossary", "ch.1"]), unique=True, min_size=1, max_size=2))
        doc["reference"] = [{"source": source, "format": draw(st.sampled_from(["markdown", "text"])),
                             "text": "Passage text. " + draw(st.text(clean_chars, max_size=40))} for source in sources]
    return doc


def _paths(value, path=()):
    yield path, value
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, path + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, path + (index,))


def _replace(doc, path: tuple, new):
    if not path:
        return new
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = new
    return doc


def _json_kind(value) -> str:
    if isinstance(value, bool) or value is None:
        return repr(value)
    return "number" if isinstance(value, int | float) else type(value).__name__


_OTHER_KIND = {"str": [1, True, [], {}], "number": ["1", True, [1], {}], "True": [1, "true"], "False": [0, "false"],
               "list": ["a", 1, {}], "dict": ["a", 1, []], "None": [0, "", []]}
_REQUIRED = {"": ("format", "skills", "items"), "skills": ("key", "name"),
             "items": ("key", "prompt", "answer", "skills"), "choices": ("key", "text"),
             "reference": ("source", "format", "text")}


def _record_kind(path: tuple) -> str | None:
    """Which schema the dict at ``path`` is (a key of _REQUIRED), or None."""
    if not path:
        return ""
    if len(path) >= 2 and isinstance(path[-1], int) and path[-2] in _REQUIRED:
        return path[-2]
    return None


DOCUMENT_MUTATIONS = ("clean", "type", "missing", "extra", "cycle", "dup-skill", "dup-item", "unknown-skill",
                      "unknown-prereq", "bad-answer", "format", "junk", "nasty", "huge", "too-many")


@st.composite
def mutated_document(draw, how: str) -> tuple[object, str, str | None]:
    """(document, expect, location pattern): the mutation ``how`` of a clean document."""
    doc = draw(clean_document(min_records=0 if how in ("clean", "type", "missing", "extra") else 1))
    paths = list(_paths(doc))
    if how == "type":
        path, value = draw(st.sampled_from(paths))
        new = draw(st.sampled_from(_OTHER_KIND[_json_kind(value)]))
        certain = path[-1:] != ("difficulty",) and value is not None
        return _replace(doc, path, new), "reject" if certain else "either", re.escape(location_of(path))
    if how == "missing":
        records = [(p, v) for p, v in paths if isinstance(v, dict) and _record_kind(p) is not None]
        path, record = draw(st.sampled_from(records))
        name = draw(st.sampled_from(_REQUIRED[_record_kind(path)]))
        del record[name]
        return doc, "reject", re.escape(location_of(path + (name,)))
    if how == "extra":
        path, record = draw(st.sampled_from([(p, v) for p, v in paths if isinstance(v, dict)]))
        name = draw(st.sampled_from(EXTRA_NAMES))
        record[name] = draw(junk_json)
        return doc, "reject", re.escape(location_of(path + (name,)))
    if how == "cycle":
        chain = draw(st.lists(st.sampled_from([s["key"] for s in doc["skills"]]), min_size=1, max_size=3, unique=True))
        by_key = {s["key"]: s for s in doc["skills"]}
        for key, prerequisite in zip(chain, chain[1:] + chain[:1]):
            by_key[key].setdefault("prerequisites", []).append(prerequisite)
        return doc, "reject", r"skills\[\d+\]\.prerequisites"
    if how == "dup-skill":
        doc["skills"].append(dict(draw(st.sampled_from(doc["skills"]))))
        return doc, "reject", re.escape(f"skills[{len(doc['skills']) - 1}].key")
    if how == "dup-item":
        doc["items"].append(dict(draw(st.sampled_from(doc["items"]))))
        return doc, "reject", re.escape(f"items[{len(doc['items']) - 1}].key")
    if how == "unknown-skill":
        index = draw(st.integers(0, len(doc["items"]) - 1))
        doc["items"][index]["skills"].append("no-such-skill")
        return doc, "reject", re.escape(f"items[{index}].skills[{len(doc['items'][index]['skills']) - 1}]")
    if how == "unknown-prereq":
        index = draw(st.integers(0, len(doc["skills"]) - 1))
        doc["skills"][index]["prerequisites"] = ["no-such-skill"]
        return doc, "reject", re.escape(f"skills[{index}].prerequisites[0]")
    if how == "bad-answer":
        index = draw(st.integers(0, len(doc["items"]) - 1))
        doc["items"][index]["answer"] = draw(st.sampled_from([
            {"kind": "numbr"}, {"kind": "numeric", "value": "1"}, {"kind": "numeric", "value": 1, "tolerance": -1},
            {"kind": "choice", "answer": "zz"}, {"kind": "set", "answers": []}, {"kind": "exact", "answer": ""},
            {"kind": "exact", "answer": "x" * 501}, {"kind": "set", "answers": ["a"] * 51}, {"answer": "a"},
            {"kind": "exact", "answer": "a", "value": 1}, {"kind": "numeric", "value": True},
        ]))
        return doc, "reject", re.escape(f"items[{index}].answer") + r"(\..*)?"
    if how == "format":
        doc["format"] = draw(st.sampled_from(["tutor-course/2", "TUTOR-COURSE/1", "", "tutor-course/1 "]))
        return doc, "reject", "format"
    if how in ("junk", "nasty", "huge"):
        path, _ = draw(st.sampled_from(paths))
        if how == "junk":
            new = draw(junk_json)
        elif how == "nasty":
            new = draw(st.sampled_from(NASTY_TEXT) | st.text(any_chars, max_size=20))
        else:
            new = "y" * draw(st.sampled_from(HUGE_LENGTHS))
        certain = isinstance(new, str) and path and ("\x00" in new or has_surrogate(new))
        return _replace(doc, path, new), "reject" if certain else "either", None
    if how == "too-many":
        name, limit = draw(st.sampled_from([("skills", 500), ("items", 5000), ("reference", 200)]))
        doc[name] = [{"key": f"k{i}"} for i in range(limit + 1)]
        return doc, "reject", None
    assert how == "clean", how
    return doc, "accept", None


def has_surrogate(text: str) -> bool:
    return any("\ud800" <= char <= "\udfff" for char in text)


SERIAL_MUTATIONS = ("none", "bom", "crlf", "truncate", "bad-byte", "nul-byte", "dup-key", "nan", "big-number",
                    "deep", "trailing", "content-type")


@st.composite
def json_uploads(draw, doc_mutation: str = "clean", how: str = "none") -> Upload:
    """A document with the mutation ``doc_mutation``, serialised with the textual mutation ``how``."""
    doc, expect, location = draw(mutated_document(doc_mutation))
    label = doc_mutation
    ascii_only = draw(st.booleans()) or has_surrogate(json.dumps(doc, ensure_ascii=False))
    text = json.dumps(doc, ensure_ascii=ascii_only, indent=draw(st.sampled_from([None, 1])))
    body = text.encode()
    content_type = draw(st.sampled_from(["application/json", "application/json; charset=utf-8",
                                         "Application/JSON;charset=\"UTF-8\""]))
    if how == "bom":
        body = b"\xef\xbb\xbf" + body
    elif how == "crlf":
        body = body.replace(b"\n", b"\r\n")
    elif how in ("truncate", "bad-byte", "nul-byte"):
        at = draw(st.integers(0, len(body) - 1))
        body = {"truncate": body[:at], "bad-byte": body[:at] + b"\xff" + body[at:],
                "nul-byte": body[:at] + b"\x00" + body[at:]}[how]
        expect, location = "reject", None
    elif how == "dup-key":
        # the first "key" of a record is junk, the second (the one JSON parsers keep) the real one
        body = re.sub(r'\{(\s*)"key": ', r'{\1"key": 12, "key": ', text, count=1).encode()
    elif how in ("nan", "big-number"):
        token = draw(st.sampled_from(["NaN", "Infinity", "-Infinity"] if how == "nan"
                                     else ["1e400", "-1e400", "1" + "0" * 5000, "1e-400", "-0"]))
        body = re.sub(rb"(?<=\"value\": )[-0-9.e+]+", token.encode(), body, count=1)
        expect = "reject" if how == "nan" and body != text.encode() else "either"
        location = None
    elif how == "deep":
        body = b"[" * 100_000 + b"]" * 100_000
        expect, location = "reject", None
    elif how == "trailing":
        body += draw(st.sampled_from([b" ,", b"}", b"{}", b"\n\n[]"]))
        expect, location = "reject", None
    elif how == "content-type":
        content_type = draw(st.sampled_from([None, "", "application/json; charset=latin-1", "text/json",
                                             "application/octet-stream", "multipart/form-data"]))
        expect, location = "reject", None
    if len(body) > UPLOAD_LIMIT:
        location = None  # content_too_large names the file
    return Upload("json", body, content_type, expect=expect, location=location, label=f"{label}/{how}")


# ---------------------------------------------------------------- CSV
CSV_REQUIRED = ("key", "prompt", "skills", "answer_kind", "answer")
CSV_OPTIONAL = ("tolerance", "choices", "difficulty")


@st.composite
def clean_csv_row(draw, key: str) -> dict:
    item = draw(clean_item(list(COURSE_SKILLS), key))
    answer = item["answer"]
    row = {"key": key, "prompt": item["prompt"].strip() or "Why?", "skills": ";".join(item["skills"]),
           "answer_kind": answer["kind"], "tolerance": "", "choices": "", "difficulty": ""}
    if answer["kind"] == "numeric":
        row["answer"] = repr(float(answer["value"]))
        row["tolerance"] = repr(answer.get("tolerance", "")) if "tolerance" in answer else ""
    elif answer["kind"] == "set":
        row["answer"] = "|".join(a.replace("|", "/") for a in answer["answers"])
    else:
        row["answer"] = answer["answer"]
    if item.get("choices"):
        row["choices"] = "|".join(f"{c['key']}={c['text'].replace('|', '/').strip() or 'x'}" for c in item["choices"])
    if isinstance(item.get("difficulty"), str):
        row["difficulty"] = item["difficulty"]
    return row


def _csv_text(header: list[str], rows: list[list[str]], line_end: str) -> str:
    out = io.StringIO(newline="")
    plain = csv.writer(out, lineterminator=line_end)
    # The csv module quotes only the characters of its own line terminator: with "\n" endings a cell holding
    # "\r" went out bare and read back as two rows, so a clean upload was ragged (and failed at random).
    quoted = csv.writer(out, lineterminator=line_end, quoting=csv.QUOTE_ALL)
    for row in [header, *rows]:
        (quoted if any("\r" in cell or "\n" in cell for cell in row) else plain).writerow(row)
    return out.getvalue()


_CSV_BAD_CELLS = {
    "key": ["", "-starts-with-dash", "has space", "k" * 81], "prompt": ["", " ", "p" * 5001],
    "skills": ["", "no-such-skill", "solve;nope", ";"], "answer_kind": ["", "numbr", "Exact"],
    "difficulty": ["extreme", "7", "nan", "-6.5"],
}


CSV_MUTATIONS = ("none", "drop-column", "dup-column", "unknown-column", "ragged", "bad-cell", "numeric", "nasty-cell",
                 "dup-row", "header-only", "too-many", "bare-quote", "bad-byte", "nul", "choices")


@st.composite
def csv_uploads(draw, how: str = "none") -> Upload:
    keys = draw(st.lists(st.sampled_from(ITEM_KEYS), unique=True, min_size=1, max_size=4))
    rows = [draw(clean_csv_row(key)) for key in keys]
    header = list(CSV_REQUIRED) + draw(st.lists(st.sampled_from(CSV_OPTIONAL), unique=True))
    header = draw(st.permutations(header))
    for row in rows:  # a row that needs an optional column makes the header have it
        header += [name for name in CSV_OPTIONAL if row[name] and name not in header]
    cells = [[row[name] for name in header] for row in rows]
    expect, location = "accept", None
    row_index = draw(st.integers(0, len(cells) - 1))
    where = f"row {row_index + 2}"
    if how == "drop-column":
        column = draw(st.sampled_from(CSV_REQUIRED))
        at = header.index(column)
        header, cells = header[:at] + header[at + 1:], [c[:at] + c[at + 1:] for c in cells]
        expect, location = "reject", f'row 1, column "{column}"'
    elif how == "dup-column":
        column = draw(st.sampled_from(header))
        header, cells = header + [column], [c + [c[header.index(column)]] for c in cells]
        expect, location = "reject", re.escape(f'row 1, column "{column}"')
    elif how == "unknown-column":
        header, cells = header + ["colour"], [c + ["red"] for c in cells]
        expect, location = "reject", 'row 1, column "colour"'
    elif how == "ragged":
        cells[row_index] = cells[row_index] + ["extra"] if draw(st.booleans()) else cells[row_index][:-1]
        expect, location = "reject", re.escape(where)
    elif how == "bad-cell":
        column = draw(st.sampled_from(sorted(_CSV_BAD_CELLS)))
        if column not in header:
            header, cells = header + [column], [c + [""] for c in cells]
        cells[row_index][header.index(column)] = draw(st.sampled_from(_CSV_BAD_CELLS[column]))
        expect, location = "reject", re.escape(f'{where}, column "') + '.*"'
    elif how == "numeric":
        for name in ("answer_kind", "answer", "tolerance"):
            if name not in header:
                header, cells = header + [name], [c + [""] for c in cells]
        answer, tolerance = draw(st.sampled_from([("abc", ""), ("nan", ""), ("inf", ""), ("1e400", ""), ("1", "-1"),
                                                  ("1", "x"), ("1", "1e400"), ("1" * 5000, "")]))
        for name, value in (("answer_kind", "numeric"), ("answer", answer), ("tolerance", tolerance)):
            cells[row_index][header.index(name)] = value
        expect, location = "reject", re.escape(f'{where}, column "') + '.*"'
    elif how == "choices":
        for name in ("answer_kind", "answer", "choices"):
            if name not in header:
                header, cells = header + [name], [c + [""] for c in cells]
        choices, answer = draw(st.sampled_from([("a=1|b=2", "c"), ("a=1|a=2", "a"), ("a1|b=2", "b"), ("=1", "a"),
                                                ("a=|b=2", "b"), ("a=" + "t" * 501, "a"), ("", "a")]))
        for name, value in (("answer_kind", "choice"), ("answer", answer), ("choices", choices)):
            cells[row_index][header.index(name)] = value
        expect, location = "reject", re.escape(f'{where}, column "') + '.*"'
    elif how == "nasty-cell":
        column = draw(st.integers(0, len(header) - 1))
        value = draw(st.sampled_from(NASTY_TEXT) | st.text(clean_chars, max_size=30))
        cells[row_index][column] = value
        expect = "reject" if "\x00" in value else "either"
    elif how == "dup-row":
        cells.append(list(cells[row_index]))
        expect, location = "reject", re.escape(f'row {len(cells) + 1}, column "key"')
    elif how == "header-only":
        cells = []
        expect, location = "reject", r"row 2"
    elif how == "too-many":
        cells = [[f"k{i}" if name == "key" else value for name, value in zip(header, cells[0])] for i in range(5001)]
        expect, location = "reject", None
    text = _csv_text(header, cells, draw(st.sampled_from(["\r\n", "\n"])))
    body = text.encode("utf-8", "surrogatepass")
    if how == "bare-quote":
        at = draw(st.integers(0, len(text)))
        body = (text[:at] + '"' + text[at:]).encode()
        expect, location = "either", None
    elif how in ("bad-byte", "nul"):
        at = draw(st.integers(0, len(body)))
        body = body[:at] + (b"\xfe" if how == "bad-byte" else b"\x00") + body[at:]
        expect, location = "reject", None
    if has_surrogate(text):
        expect, location = "reject", None
    if len(body) > UPLOAD_LIMIT:
        location = None
    content_type = draw(st.sampled_from(["text/csv", "text/csv; charset=utf-8", "TEXT/CSV"]))
    return Upload("csv", body, content_type, expect=expect, location=location, label=f"csv/{how}")


# ---------------------------------------------------------------- reference text and raw bytes
SOURCES = st.sampled_from(["notes", "ch.1", "A" * 120]) | st.sampled_from(["", "-x", "a b", "A" * 121, "nötes", "../x"])


RAW_KINDS = ("markdown", "text", "bytes", "big")


@st.composite
def raw_uploads(draw, how: str = "markdown") -> Upload:
    """Reference text and garbage: any bytes under any Content-Type, with or without a source name."""
    if how in ("markdown", "text"):
        lines = draw(st.lists(st.sampled_from(["# Title", "## Sub", "#### deep", "```", "", "Some text.", "x" * 1200])
                              | st.text(clean_chars, max_size=40), max_size=8))
        body = "\n".join(lines).encode()
        content_type = "text/markdown" if how == "markdown" else "text/plain"
    elif how == "bytes":
        body = draw(st.binary(max_size=400))
        content_type = draw(st.sampled_from([None, "", "text/markdown", "text/plain", "text/csv", "application/json",
                                             "image/png", "text/plain; charset=iso-8859-1", ";", "text/plain;charset"]))
    else:
        body = b"# big\n" + b"z" * UPLOAD_LIMIT  # past the upload limit the test sets
        content_type = draw(st.sampled_from(["text/markdown", "application/json"]))
    source = draw(st.none() | SOURCES)
    return Upload("text" if how in ("markdown", "text") else "bytes", body, content_type, source=source,
                  label=f"raw/{how}")
