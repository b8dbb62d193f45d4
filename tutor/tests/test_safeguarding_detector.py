"""The safeguarding detector (pure): phrases of every kind, the hard negatives, and the similarity path with a
fake similarity."""
import pytest

from learning.tests.fake_encoder import HashingEncoder
from tutor.safeguarding.detector import ExampleSimilarity, Nearest, detect
from tutor.safeguarding.phrases import ENGLISH, PHRASES

RISK = {
    "self_harm": ["i want to kill myself", "I've been cutting myself again", "nobody would notice if i was gone",
                  "im gonna kms", "I don't want to wake up tomorrow"],
    "abuse": ["my dad hits me when he's drunk", "I'm not safe at home", "my uncle touches me and said not to tell"],
    "bullying": ["the kids in my class bully me every day", "they keep calling me names and push me around"],
    "threat": ["I'm going to bring a knife to school", "i'm going to kill him tomorrow i swear",
               "i want to hurt the people who laughed at me"],
}
HARD_NEGATIVES = [
    "this homework is killing me", "I could die of boredom", "my teacher will kill me if I'm late",
    "the Calvin cycle kills me", "what causes cell death", "how does bleach kill bacteria", "is chlorine toxic",
    "the plant dies in the dark", "my brother keeps beating me at chess", "in macbeth why does macbeth kill duncan",
    "what is a suicide gene in cell biology", "i want to die of embarrassment i got 2 out of 10",
]


@pytest.mark.parametrize("kind,text", [(kind, text) for kind, texts in RISK.items() for text in texts])
def test_a_risk_phrase_is_a_signal_of_its_kind(kind, text):
    signal = detect(text)
    assert (signal.kind, signal.source) == (kind, "phrase")


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hyperbole_idioms_and_science_words_do_not_fire(text):
    assert detect(text) is None


def test_an_idiom_is_taken_out_but_a_risk_phrase_beside_it_still_fires():
    assert detect("this homework is killing me and honestly i want to kill myself").kind == "self_harm"


def test_normalising_reads_apostrophes_case_and_slang_alike():
    assert ENGLISH.normalise("I’M Gonna  END it ALL!!") == "im going to end it all"


def nearest(risk: float, ok: float) -> callable:
    return lambda text: Nearest(risk_score=risk, risk_kind="bullying", risk_example="they bully me", ok_score=ok)


def test_similarity_fires_when_close_to_a_risk_example_and_closer_than_to_any_ordinary_one():
    signal = detect("they pour water on my bag every day", nearest=nearest(0.6, 0.3))
    assert (signal.kind, signal.source, signal.evidence, signal.score) == (
        "bullying", "similarity", "they bully me", 0.6)


@pytest.mark.parametrize("risk,ok", [(0.3, 0.0), (0.6, 0.55), (0.5, 0.7)])
def test_similarity_stays_quiet_when_far_or_nearer_an_ordinary_example(risk, ok):
    assert detect("they pour water on my bag every day", nearest=nearest(risk, ok), min_similarity=0.4,
                  margin=0.1) is None


def test_phrases_decide_before_similarity_is_asked():
    def never(text):
        raise AssertionError("similarity asked")
    assert detect("i want to kill myself", nearest=never).source == "phrase"


def test_example_similarity_finds_the_closest_examples_with_an_encoder():
    similarity = ExampleSimilarity(HashingEncoder(), risk={"threat": ["i will stab him"]}, ok=["cut the cake"])
    close = similarity("i will stab him")
    assert (close.risk_kind, close.risk_example, round(close.risk_score, 4)) == ("threat", "i will stab him", 1.0)
    assert close.ok_score < close.risk_score


def test_an_unknown_language_is_an_error_naming_the_known_ones():
    with pytest.raises(ValueError, match="'xx'.*en"):
        detect("hello", languages=["xx"])


def test_every_language_has_every_kind():
    from tutor.safeguarding.phrases import KINDS
    assert all(set(phrases.risk) == set(KINDS) for phrases in PHRASES.values())
