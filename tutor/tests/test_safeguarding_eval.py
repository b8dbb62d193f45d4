"""``manage.py safeguarding_eval``: the report's shape on a tiny file, and clear errors for bad input."""
import json

import pytest
from django.core.management import CommandError, call_command


def _run(tmp_path, text: str, capsys) -> dict:
    path = tmp_path / "messages.csv"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "report.json"
    call_command("safeguarding_eval", "--messages", str(path), "--out", str(out))
    printed = json.loads(capsys.readouterr().out)
    assert json.loads(out.read_text()) == printed
    return printed


def test_the_report_counts_hits_and_lists_the_misses(tmp_path, capsys):
    report = _run(tmp_path, "text,label\ni want to kill myself,risk\nthis homework is killing me,ok\n"
                            "they pour water on my bag,risk\nmy sister bullies me into the dishes,ok\n", capsys)
    assert report["whole"] == {"messages": 4, "risk": 2, "ok": 2, "true_positives": 1, "false_positives": 1,
                               "false_negatives": 1, "precision": 0.5, "recall": 0.5}
    assert report["development_half"]["messages"] == 2 and report["report_half"]["messages"] == 2
    assert report["false_negatives"] == [{"row": 3, "text": "they pour water on my bag"}]
    assert report["false_positives"] == [{"row": 4, "text": "my sister bullies me into the dishes",
                                          "kind": "bullying", "source": "phrase"}]
    assert report["detector"] == {"languages": ["en"], "similarity": False}  # the tests run under TF-IDF


@pytest.mark.parametrize("text,error", [
    ("message,label\nhello,ok\n", "missing column(s) text"),
    ("text\nhello\n", "missing column(s) label"),
    ("text,label\nhello,ok\nbye,maybe\n", "row 2: label 'maybe'; expected risk or ok"),
    ("text,label\n,ok\n", "row 1: the text is empty"),
    ("text,label\n", "no messages"),
])
def test_bad_input_is_a_clear_error_naming_the_row(tmp_path, capsys, text, error):
    with pytest.raises(CommandError, match=error.replace("(", r"\(").replace(")", r"\)")):
        _run(tmp_path, text, capsys)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("safeguarding_eval", "--messages", str(tmp_path / "nope.csv"))
