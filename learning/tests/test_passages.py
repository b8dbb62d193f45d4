"""The greedy packing that both paragraph and sentence splitting use (learning.passages.pack)."""
from hypothesis import given, strategies as st

from learning.passages import pack


def test_parts_fill_a_piece_until_the_next_would_not_fit():
    assert pack(["aa", "bb", "cc"], max_chars=5, separator=" ") == ["aa bb", "cc"]
    assert pack(["aa", "bb"], max_chars=6, separator="\n\n") == ["aa\n\nbb"]
    assert pack(["aa", "bb"], max_chars=5, separator="\n\n") == ["aa", "bb"]


def test_a_part_longer_than_the_limit_is_a_piece_of_its_own_and_empty_input_packs_to_nothing():
    assert pack(["a", "long part", "b"], max_chars=3, separator=" ") == ["a", "long part", "b"]
    assert pack([], max_chars=3, separator=" ") == []


@given(parts=st.lists(st.text(alphabet="ab", min_size=1, max_size=12)), max_chars=st.integers(1, 30),
       separator=st.sampled_from([" ", "\n\n"]))
def test_packing_keeps_every_part_in_order_and_no_piece_could_take_the_next_part(parts, max_chars, separator):
    pieces = pack(parts, max_chars=max_chars, separator=separator)
    assert separator.join(pieces) == separator.join(parts)
    for piece, following in zip(pieces, pieces[1:]):
        assert len(piece) <= max_chars or separator not in piece  # only a lone part may be too long
        assert len(piece + separator + following.split(separator)[0]) > max_chars
