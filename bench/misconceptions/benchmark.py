"""The misconception benchmark: coverage over the demo courses' wrong answers, and the cost of a ``graded`` frame.

**Coverage** is measured over wrong answers enumerated *without* the bug library or the items' own
misconceptions, so that the share is not true by construction:

* choice items: every wrong option, once each;
* items whose answer is a number: "naive" wrong answers built from the numbers in the prompt: each number
  alone, each pair combined by +, −, × and ÷ (both orders), each fraction in the prompt turned upside down,
  the right answer's reciprocal and its numerator or denominator off by one. Wrong answers equal to the
  right one are dropped; each distinct value counts once per item.

Many of those naive answers are implausible (nobody answers 1/3 + 1/4 with 3 × 4), so the share is a lower
bound on what real students' wrong answers would get; the share of choice options is the content's own
coverage. Free-text items (photosynthesis "name the gas") are reported apart: no enumeration of their wrong
answers is honest.

**Cost**: per wrong answer to a demo item, the time to grade it, match its misconception and build the
``graded`` frame, against the same without matching (the baseline), in the same run; with the bug library's
cache warm (a running server) and cold (cleared before every call).
"""
from __future__ import annotations

import json
import re
import time
from fractions import Fraction
from pathlib import Path
from statistics import quantiles
from types import SimpleNamespace

from learning.grading import ANSWER_SPEC, ChoiceSpec, NumericSpec, SetSpec, grade, parse_number
from learning.misconceptions import bug_library
from learning.misconceptions.matching import misconception_for
from tutor.protocol import graded_frame

COURSES = ("fractions", "photosynthesis")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_FRACTION = re.compile(r"(\d+)\s*/\s*(\d+)")


def demo_items(content: Path) -> list[dict]:
    items = []
    for course in COURSES:
        document = json.loads((content / f"{course}.json").read_text(encoding="utf-8"))
        items += [{**item, "course": course} for item in document["items"]]
    return items


def right_value(spec) -> Fraction | None:
    if isinstance(spec, NumericSpec):
        return Fraction(spec.value).limit_denominator(1000)
    texts = spec.answers if isinstance(spec, SetSpec) else [getattr(spec, "answer", "")]
    return parse_number(texts[0]) if texts else None


def naive_wrong_values(prompt: str, right: Fraction) -> list[Fraction]:
    numbers = [Fraction(n) for n in _NUMBER.findall(prompt)]
    values = set(numbers)
    for a in numbers:
        for b in numbers:
            values |= {a + b, a - b, a * b, *([a / b] if b else [])}
    values |= {Fraction(int(d), int(n)) for n, d in _FRACTION.findall(prompt) if int(n)}
    if right:
        values |= {1 / right}
    values |= {Fraction(right.numerator + step, right.denominator) for step in (-1, 1)}
    values |= {Fraction(right.numerator, right.denominator + step) for step in (-1, 1) if right.denominator + step}
    return sorted(v for v in values if v >= 0 and abs(v - right) > 1e-6)


def wrong_answers(item: dict) -> list[str]:
    spec = ANSWER_SPEC.validate_python(item["answer"])
    if isinstance(spec, ChoiceSpec):
        return [choice["key"] for choice in item.get("choices", []) if choice["key"] != spec.answer]
    right = right_value(spec)
    if right is None:
        return []
    shown = [_text(value) for value in naive_wrong_values(item["prompt"], right)]
    return [text for text in shown if not grade(spec, text, item["prompt"]).correct]


def _text(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def coverage(items: list[dict]) -> dict:
    tally = {kind: {"wrong_answers": 0, "own": 0, "bug_library": 0} for kind in ("choice", "number")}
    by_course: dict[str, list[int]] = {}
    free_text = 0
    for item in items:
        spec = ANSWER_SPEC.validate_python(item["answer"])
        answers = wrong_answers(item)
        if not answers:
            free_text += 1
            continue
        kind = "choice" if isinstance(spec, ChoiceSpec) else "number"
        for response in answers:
            found = misconception_for(response=response, spec=spec, prompt=item["prompt"],
                                      declared=item.get("misconceptions", ()))
            source = None if found is None else (
                "own" if any(m["id"] == found.id for m in item.get("misconceptions", ())) else "bug_library")
            tally[kind]["wrong_answers"] += 1
            if source:
                tally[kind][source] += 1
            counts = by_course.setdefault(item["course"], [0, 0])
            counts[0] += 1
            counts[1] += source is not None
    return _shares(tally, by_course, free_text)


def _shares(tally: dict, by_course: dict, free_text: int) -> dict:
    total = sum(t["wrong_answers"] for t in tally.values())
    matched = sum(t["own"] + t["bug_library"] for t in tally.values())
    for t in tally.values():
        t["share"] = round((t["own"] + t["bug_library"]) / t["wrong_answers"], 4) if t["wrong_answers"] else None
    return {"wrong_answers": total, "with_misconception": matched, "share": round(matched / total, 4),
            "by_kind": tally, "by_course": {c: {"wrong_answers": n, "share": round(m / n, 4)}
                                            for c, (n, m) in by_course.items()},
            "free_text_items_not_enumerated": free_text}


def _graded(item: dict, response: str, with_matching: bool, cold: bool) -> dict:
    spec = ANSWER_SPEC.validate_python(item["answer"])
    result = grade(spec, response, item["prompt"])
    found = None
    if with_matching and not result.correct:
        if cold:
            bug_library.calculation_in.cache_clear()
            bug_library._errors_of.cache_clear()
        found = misconception_for(response=response, spec=spec, prompt=item["prompt"],
                                  declared=item.get("misconceptions", ()))
    attempt = SimpleNamespace(id=1, item_id=1, correct=result.correct)
    return graded_frame(SimpleNamespace(attempt=attempt, expected=result.expected, mastery={"s": 0.5},
                                        skill_names={"s": "S"}, misconception=found))


def frame_cost(items: list[dict], repeats: int) -> dict:
    cases = [(item, response) for item in items for response in wrong_answers(item)[:5]]
    report = {"frames_per_variant": len(cases) * repeats}
    for name, matching, cold in (("baseline_no_matching", False, False), ("matching_warm_cache", True, False),
                                 ("matching_cold_cache", True, True)):
        timings = []
        for _ in range(repeats):
            for item, response in cases:
                start = time.perf_counter()
                json.dumps(_graded(item, response, matching, cold))
                timings.append((time.perf_counter() - start) * 1000)
        cuts = quantiles(timings, n=100)
        report[name] = {"p50_ms": round(cuts[49], 4), "p99_ms": round(cuts[98], 4), "max_ms": round(max(timings), 4)}
    return report


def run_benchmark(content: Path, *, repeats: int = 20) -> dict:
    items = demo_items(content)
    return {"what": "coverage: demo wrong answers enumerated without the bug library (see bench/misconceptions); "
                    "cost: grade + match + build one graded frame, in process, no database",
            "coverage": coverage(items), "graded_frame": frame_cost(items, repeats)}
