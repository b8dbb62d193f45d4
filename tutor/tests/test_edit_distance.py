"""The Levenshtein distance of tutor.edit_distance against the textbook programme, on random short strings."""
import random

from tutor.edit_distance import approved_as_is, levenshtein


def textbook(before: str, after: str) -> int:
    previous = list(range(len(after) + 1))
    for i, char in enumerate(before, start=1):
        current = [i]
        for j, other in enumerate(after, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other)))
        previous = current
    return previous[-1]


def test_it_agrees_with_the_textbook_programme():
    rng = random.Random(7)
    for _ in range(500):
        before = "".join(rng.choice("abé½") for _ in range(rng.randint(0, 8)))
        after = "".join(rng.choice("abé½") for _ in range(rng.randint(0, 8)))
        assert levenshtein(before, after) == textbook(before, after), (before, after)


def test_known_distances_and_the_as_is_rule():
    assert levenshtein("kitten", "sitting") == 3
    assert levenshtein("It is 3/4.", "It is 3/4!!") == 2 and approved_as_is(2)
    assert not approved_as_is(levenshtein("It is 3/4.", "It is 17/20."))
    # The rule counts characters, not meaning: a two-digit fix of a wrong result still counts as "as is".
    assert approved_as_is(levenshtein("It is 3/4.", "It is 5/6."))
    assert levenshtein("x" * 3000, "y" * 3000) == 3000  # a full rewrite of a long answer, in milliseconds
