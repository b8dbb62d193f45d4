"""tutor_eval end to end on a scripted engine whose arithmetic is always wrong: without grounding the wrong
results reach the student; with it they are caught, and the verified working is what the student reads."""
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tutor.engine.types import Completion, ConfidenceFeatures, EngineError, TokenDelta

CONTENT = Path(__file__).resolve().parents[3] / "fixtures" / "content"
QUESTIONS = [
    {"course": "fractions", "question": "What is 3/4 + 5/6?", "gold": ["19/12"], "check": "numeric",
     "category": "calculation"},
    {"course": "fractions", "question": "What is 2/3 of 12?", "gold": ["8"], "check": "numeric",
     "category": "calculation"},
    {"course": "fractions", "question": "What is the number on top of a fraction called?", "gold": ["numerator"],
     "check": "contains", "category": "factual"},
    {"course": "fractions", "question": "Why do the parts of a fraction have to be equal?", "gold": ["equal"],
     "check": "contains", "category": "factual"},
]


class WrongArithmeticEngine:
    """States 999 as every result; copies the course-note source when the prompt has one; fails on request."""

    def __init__(self, fail_on: str | None = None):
        self.fail_on = fail_on
        self.prompts: list[str] = []

    async def stream(self, request):
        prompt = request.history[-1].content
        self.prompts.append(prompt)
        if self.fail_on and self.fail_on in prompt:
            raise EngineError("scripted failure")
        if "Sentences from the course notes" in prompt:
            text = prompt.split("Sentences from the course notes", 1)[1].split('"')[1]
        elif "on top of a fraction" in prompt.rsplit("[Student's question]", 1)[-1]:
            text = "It is called the denominator."
        else:
            text = "Work it out carefully. So the answer is 999."
        for word in text.split(" "):
            yield TokenDelta(word + " ")
        yield Completion(text, ConfidenceFeatures(-0.5, -2.0, 1.0, len(text.split())), 0.6, 200, 0, "stop",
                         "scripted")


@pytest.fixture
def qa_file(tmp_path) -> Path:
    path = tmp_path / "qa.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in QUESTIONS) + "\n")
    return path


def run(qa_file, tmp_path, *extra) -> tuple[dict, dict]:
    out = tmp_path / "report.json"
    call_command("tutor_eval", "--qa", str(qa_file), "--content", str(CONTENT), "--out", str(out), *extra,
                 stdout=(printed := io.StringIO()))
    return json.loads(printed.getvalue()), json.loads(out.read_text())


def test_grounding_turns_wrong_arithmetic_into_the_verified_result(qa_file, tmp_path, use_engine):
    use_engine(WrongArithmeticEngine())
    summary, report = run(qa_file, tmp_path, "--compare", "off,on,hints")

    off, on, hints = summary["off"], summary["on"], summary["hints"]
    assert "answers" not in summary and len(report["answers"]) == 3 * len(QUESTIONS)
    assert off["accuracy_by_category"]["calculation"]["accuracy"] == 0.0
    assert off["contradictions_shown"] == 2 and off["contradictions_caught"] == 0
    assert on["accuracy_by_category"]["calculation"]["accuracy"] == 1.0
    assert on["contradictions_shown"] == 0 and on["contradictions_caught"] == 2
    assert on["accuracy_by_check"]["numeric"] == 1.0
    assert hints["reveals_answer"] == 0.0 and hints["solvable_questions"] == 2
    assert set(on) >= {"accuracy", "accuracy_by_check", "contradictions_shown", "contradictions_caught",
                       "abstained", "ttft_p50_s", "ttft_p95_s", "tokens_per_answer"}
    assert set(on["accuracy_by_check"]) == {"numeric", "contains", "exact"}
    assert on["ttft_p50_s"] is not None and off["ttft_p95_s"] is not None
    shown = {(a["arm"], a["question"]): a["answer"] for a in report["answers"]}
    assert "999" not in shown[("on", "What is 3/4 + 5/6?")] and "999" in shown[("off", "What is 3/4 + 5/6?")]
    assert shown[("on", "What is 3/4 + 5/6?")].startswith(shown[("on", "What is 3/4 + 5/6?")].split("\n")[0])
    assert "19/12" in shown[("on", "What is 3/4 + 5/6?")]


def test_factual_answers_rest_on_the_course_notes_when_grounded(qa_file, tmp_path, use_engine):
    use_engine(WrongArithmeticEngine())
    _, report = run(qa_file, tmp_path)
    by_arm = {(a["arm"], a["question"]): a for a in report["answers"]}
    grounded = by_arm[("on", "What is the number on top of a fraction called?")]
    assert grounded["record"]["kind"] == "source" and grounded["correct"]
    assert not by_arm[("off", "What is the number on top of a fraction called?")]["correct"]


def test_a_failed_generation_is_reported_as_failed_never_graded(qa_file, tmp_path, use_engine):
    use_engine(WrongArithmeticEngine(fail_on="2/3 of 12"))
    summary, report = run(qa_file, tmp_path)
    assert summary["off"]["failed"] == 1 and summary["on"]["failed"] == 1
    failed = [a for a in report["answers"] if a["failed"]]
    assert {a["question"] for a in failed} == {"What is 2/3 of 12?"} and not any(a["correct"] for a in failed)
    assert summary["off"]["questions"] == len(QUESTIONS)


@pytest.mark.parametrize("arms", ["", "off,sideways"])
def test_unknown_arms_are_refused(qa_file, tmp_path, arms):
    with pytest.raises(CommandError, match="--compare takes arms"):
        run(qa_file, tmp_path, "--compare", arms)


def test_a_saved_report_is_graded_again_without_generating(qa_file, tmp_path, use_engine):
    engine = WrongArithmeticEngine()
    use_engine(engine)
    _, report = run(qa_file, tmp_path)
    prompts = len(engine.prompts)
    saved = tmp_path / "saved.json"
    # An answer graded wrong by an older grader is graded again: the stored "correct" is not trusted.
    report["answers"] = [{**a, "correct": False} for a in report["answers"]]
    saved.write_text(json.dumps(report))
    summary, regraded = run(qa_file, tmp_path, "--regrade", str(saved))
    assert len(engine.prompts) == prompts  # nothing generated
    assert summary["on"]["accuracy_by_category"]["calculation"]["accuracy"] == 1.0
    assert summary["setup"]["regraded_from"] == qa_file.name
    assert [a["answer"] for a in regraded["answers"]] == [a["answer"] for a in report["answers"]]


def test_a_report_with_a_question_the_file_lacks_is_refused(qa_file, tmp_path, use_engine):
    use_engine(WrongArithmeticEngine())
    _, report = run(qa_file, tmp_path)
    report["answers"][0]["question"] = "What is 1 + 1?"
    saved = tmp_path / "saved.json"
    saved.write_text(json.dumps(report))
    with pytest.raises(CommandError, match="not in qa.jsonl"):
        run(qa_file, tmp_path, "--regrade", str(saved))
