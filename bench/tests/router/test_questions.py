"""The router benchmark's question files: bad lines are named, and the shipped file is gradable."""
from pathlib import Path

import pytest

from annotation.router.qa import answer_is_correct
from bench.router.questions import QAFormatError, read_qa

FIXTURE = Path(__file__).resolve().parents[3] / "fixtures" / "router_qa.jsonl"


@pytest.mark.parametrize("line, message", [
    ('{"question": "q", "gold": ["a"]}', "field 'check'"),
    ('{"question": "q", "gold": ["a"], "check": "fuzzy"}', "field 'check'"),
    ('{"question": "q", "gold": [], "check": "exact"}', "field 'gold'"),
    ('{"question": "q", "gold": ["three"], "check": "numeric"}', "needs numbers"),
    ('{"question": "q", "gold": ["a"], "check": "exact", "extra": 1}', "field 'extra'"),
    ("not json", "not JSON"),
])
def test_bad_lines_name_the_line_and_field(tmp_path, line, message):
    path = tmp_path / "qa.jsonl"
    path.write_text('{"question": "ok", "gold": ["1"], "check": "numeric"}\n' + line + "\n")
    with pytest.raises(QAFormatError, match="line 2") as error:
        read_qa(path)
    assert message in str(error.value)


def test_shipped_question_file_has_200_gradable_questions():
    questions = read_qa(FIXTURE)
    assert len(questions) >= 200
    assert {q.course for q in questions} == {"fractions", "photosynthesis"}
    for q in questions:
        assert answer_is_correct(q, q.gold[0]), q
        assert not answer_is_correct(q, q.question), q
