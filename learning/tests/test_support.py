"""An answer checked against the sentences of the notes it was grounded in."""
from hypothesis import given, settings, strategies as st

from learning.support import answer_after_quote, answer_support, numbers_of, quote_text

LEAVES = ["Plants take in carbon dioxide from the air through their leaves."]
QUESTION = "What gas do plants take in through their leaves?"


def test_an_answer_in_the_notes_words_is_supported():
    support = answer_support(QUESTION, "They take in carbon dioxide, from the air.", LEAVES)
    assert support.supported and support.status == "supported" and support.unsupported == ()


def test_an_answer_that_adds_a_fact_is_not():
    support = answer_support(QUESTION, "Plants take in oxygen and nitrogen at night.", LEAVES)
    assert not support.supported and set(support.unsupported) >= {"oxygen", "nitrogen", "night"}


def test_a_number_the_notes_do_not_state_is_never_supported():
    notes = ["Each turn of the Calvin cycle fixes one carbon dioxide molecule."]
    assert answer_support("How many CO2 does one turn fix?", "One turn fixes one carbon dioxide molecule.",
                          notes).supported
    assert answer_support("How many CO2 does one turn fix?", "It fixes 1 molecule.", notes).supported
    wrong = answer_support("How many CO2 does one turn fix?", "It fixes 6 carbon dioxide molecules.", notes)
    assert not wrong.supported and wrong.unsupported == ("6",)


def test_an_answer_that_adds_nothing_is_unchecked():
    support = answer_support("Do plants take in carbon dioxide? Yes or no.", "Yes.", LEAVES)
    assert support.claims == 0 and support.status == "unchecked" and support.supported


def test_a_fair_connecting_word_or_two_is_allowed_but_not_more():
    notes = ["Osmosis is the movement of water across a partially permeable membrane."]
    assert answer_support("What is osmosis?", "It is basically water moving across a partially permeable "
                          "membrane.", notes).supported
    assert not answer_support("What is osmosis?", "Osmosis is when salt dissolves quickly in warm oil.",
                              notes).supported


def test_numbers_are_read_as_digits_or_words():
    assert numbers_of("five equal steps, then 3/5 of 2,5 and 12") == {"5", "3/5", "2.5", "12"}


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.text(max_size=300), st.lists(st.text(max_size=200), max_size=3))
def test_an_answer_made_of_its_evidence_is_always_supported(question, evidence):
    assert answer_support(question, " ".join(evidence), evidence).supported


def test_a_quote_and_the_answer_after_it_come_apart():
    text = quote_text(["Leaves are green.", "Roots are not."]) + "They are green."
    assert text.startswith("Your course notes say: “Leaves are green.” And: “Roots are not.”\n\n")
    assert answer_after_quote(text) == "They are green."
    assert answer_after_quote("They are green.") == "They are green."
