"""Generator of a realistic synthetic response log (the shipped benchmark fixture).

No real data set can be downloaded at run time, so the fixture is simulated, deliberately NOT
from the knowledge model's own equations, so that the benchmark measures a fit to data rather
than a model recovering itself:

* a 12-skill arithmetic-to-algebra curriculum with a prerequisite DAG (``PREREQUISITES``);
* items with a difficulty that grows with curriculum depth, a discrimination, and a guessing
  floor on multiple-choice items (a 3PL-like response, which the model does not have);
* about a fifth of the items tagged with two skills (a skill and one of its prerequisites);
  such an item is solved through the *weaker* of the two skills (conjunctive, where the
  model is compensatory);
* students with a general ability, per-skill offsets, and a personal learning speed: every
  attempt on a skill raises that skill by ``speed / sqrt(1 + attempts so far)``;
* mastery-based progression: a student practises the current skill until three correct in a
  row (or ten attempts), then moves on in curriculum order; 15 % of attempts revisit an
  earlier skill; sessions have log-normal lengths, so some students are seen a lot.

Rebuild the fixture with::

    python -m bench.knowledge.synth fixtures/responses/synthetic_responses.csv
"""
from __future__ import annotations

import argparse
import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

PREREQUISITES: dict[str, tuple[str, ...]] = {
    "count": (),
    "add": ("count",),
    "sub": ("add",),
    "mul": ("add",),
    "div": ("mul", "sub"),
    "neg": ("sub",),
    "frac": ("div",),
    "dec": ("frac",),
    "pct": ("dec",),
    "ratio": ("frac",),
    "expr": ("mul", "neg"),
    "lineq": ("expr", "div"),
}
CURRICULUM = tuple(PREREQUISITES)  # already in a prerequisite-respecting order


@dataclass(frozen=True)
class SyntheticItem:
    item_id: str
    skills: tuple[str, ...]
    discrimination: float
    difficulty: float
    guess: float


@dataclass(frozen=True)
class SyntheticData:
    items: dict[str, SyntheticItem]
    rows: list[tuple[str, str, str, int, int]]  # student, item, skill(s), correct, order


def _depth(skill: str) -> int:
    parents = PREREQUISITES[skill]
    return 0 if not parents else 1 + max(_depth(parent) for parent in parents)


def _make_item(rng, number: int, skills: tuple[str, ...], extra: float) -> SyntheticItem:
    base = -1.0 + 0.35 * max(_depth(skill) for skill in skills) + extra
    guess = 0.2 if rng.random() < 0.3 else 0.0
    return SyntheticItem(
        f"i{number:03d}", skills, float(np.exp(rng.normal(0, 0.3))), float(base + rng.normal(0, 0.9)), guess
    )


def make_items(rng, per_skill: int = 20, per_pair: int = 6) -> dict[str, SyntheticItem]:
    specs = [(skill,) for skill in CURRICULUM for _ in range(per_skill)]
    specs += [(skill, parent) for skill in CURRICULUM for parent in PREREQUISITES[skill] for _ in range(per_pair // 2)]
    items = [_make_item(rng, n, skills, 0.3 if len(skills) > 1 else 0.0) for n, skills in enumerate(specs)]
    return {item.item_id: item for item in items}


class _Student:
    """One simulated learner; ``theta`` holds the current per-skill abilities (they grow)."""

    def __init__(self, rng):
        self.general = rng.normal(0, 1.0)
        self.theta = {skill: rng.normal(0, 0.7) for skill in CURRICULUM}
        self.speed = 0.25 * np.exp(rng.normal(0, 0.5))
        self.practice = dict.fromkeys(CURRICULUM, 0)

    def answer(self, rng, item: SyntheticItem) -> int:
        weakest = min(self.theta[skill] for skill in item.skills)  # conjunctive multi-skill items
        logit = item.discrimination * (self.general + weakest) - item.difficulty
        p = item.guess + (1 - item.guess) / (1 + np.exp(-logit))
        for skill in item.skills:  # learning from the attempt, with diminishing returns
            self.theta[skill] += self.speed / np.sqrt(1 + self.practice[skill])
            self.practice[skill] += 1
        return int(rng.random() < p)


def _items_by_skill(items: dict[str, SyntheticItem]) -> dict[str, list[SyntheticItem]]:
    by_skill = {skill: [] for skill in CURRICULUM}
    for item in items.values():
        by_skill[item.skills[0]].append(item)
    return by_skill


def _pick(rng, pool: list[SyntheticItem], visited: set[str], last: str | None) -> SyntheticItem:
    usable = [i for i in pool if set(i.skills) <= visited and i.item_id != last]
    return usable[rng.integers(len(usable))]


def _session(rng, student: _Student, by_skill, name: str) -> list[tuple]:
    rows, position, streak, on_skill, last = [], 0, 0, 0, None
    visited = {CURRICULUM[0]}
    length = int(np.clip(round(np.exp(rng.normal(np.log(32), 0.5))), 8, 150))
    for order in range(1, length + 1):
        current = CURRICULUM[position]
        review = position > 0 and rng.random() < 0.15
        skill = CURRICULUM[rng.integers(position)] if review else current
        item = _pick(rng, by_skill[skill], visited, last)
        correct = student.answer(rng, item)
        rows.append((name, item.item_id, ";".join(item.skills), correct, order))
        last = item.item_id
        if not review:
            streak, on_skill = (streak + 1 if correct else 0), on_skill + 1
            if (streak >= 3 or on_skill >= 10) and position + 1 < len(CURRICULUM):
                position, streak, on_skill = position + 1, 0, 0
                visited.add(CURRICULUM[position])
    return rows


def generate(n_students: int = 2000, seed: int = 7) -> SyntheticData:
    """Simulate ``n_students`` learners; deterministic for a given seed."""
    rng = np.random.default_rng(seed)
    items = make_items(rng)
    by_skill = _items_by_skill(items)
    rows = []
    for number in range(n_students):
        rows += _session(rng, _Student(rng), by_skill, f"s{number:05d}")
    return SyntheticData(items, rows)


def write_csv(data: SyntheticData, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["student", "item", "skill", "correct", "order"])
        writer.writerows(data.rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    write_csv(generate(args.students, args.seed), args.out)


if __name__ == "__main__":
    main()
