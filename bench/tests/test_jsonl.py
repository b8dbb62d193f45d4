"""The one JSON-lines reader: line numbers, blank lines, the byte limit, and errors that name line and field."""
import pytest
from pydantic import BaseModel, ConfigDict, Field

from bench.jsonl import read_jsonl


class Row(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: str = Field(min_length=1)
    tags: list[str] = Field(default_factory=list)


class BadInput(ValueError):
    pass


def rows(path, **limits):
    return list(read_jsonl(path, Row, error=BadInput, **limits))


def test_rows_come_with_their_line_numbers_and_blank_lines_are_skipped(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_bytes('\ufeff{"name": "a"}\n\n  \r\n{"name": "b", "tags": ["x"]}\r\n{"name": "c"}'.encode())
    assert [(number, row.name) for number, row in rows(path)] == [(1, "a"), (4, "b"), (5, "c")]


@pytest.mark.parametrize(("line", "message"), [
    ("not json", "rows.jsonl, line 2: not JSON"),
    ("[1, 2]", "rows.jsonl, line 2: Input should be a valid dictionary"),
    ('{"name": ""}', "rows.jsonl, line 2, field 'name': String should have at least 1 character"),
    ('{"name": "a", "tags": [1]}', "rows.jsonl, line 2, field 'tags.0': Input should be a valid string"),
    ('{"name": "a", "extra": 1}', "rows.jsonl, line 2, field 'extra': Extra inputs are not permitted"),
])
def test_a_bad_line_raises_the_callers_error_naming_line_and_field(tmp_path, line, message):
    path = tmp_path / "rows.jsonl"
    path.write_text('{"name": "ok"}\n' + line + "\n")
    with pytest.raises(BadInput) as error:
        rows(path)
    assert str(error.value).startswith(message)


def test_a_line_over_the_byte_limit_is_refused_before_it_is_parsed(tmp_path):
    path = tmp_path / "rows.jsonl"
    fits = '{"name": "' + "é" * 5 + '"}'
    limit = len(fits.encode())  # bytes, not characters: é is two
    path.write_text(fits + "\n" + fits + " \n")
    with pytest.raises(BadInput, match=f"line 2: longer than {limit} bytes"):
        rows(path, max_line_bytes=limit)
    path.write_text(fits + "\r\n" + fits + "\n")
    assert [number for number, _ in rows(path, max_line_bytes=limit)] == [1, 2]


def test_bytes_that_are_not_utf8_are_named(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_bytes(b'{"name": "ok"}\n{"name": "\xff"}\n')
    with pytest.raises(BadInput, match="line 2: not UTF-8"):
        rows(path)
