from learning.privacy.anonymising import identifiers_pattern, json_anonymise, text_anonymise


def test_the_students_names_go_as_whole_words_in_any_case():
    pattern = identifiers_pattern(["zelda", "Quist", "Zelda Quist", "x"])
    text = "ZELDA QUIST asked; Zeldas and quistly stay."
    assert text_anonymise(text, pattern) == "[student] asked; Zeldas and quistly stay."


def test_a_one_letter_identifier_is_not_looked_for():
    assert identifiers_pattern(["a", " ", ""]) is None
    assert text_anonymise("a + b = 2", None) == "a + b = 2"


def test_email_addresses_and_phone_numbers_go_but_maths_numbers_stay():
    text = "Mail me at zq@school.example or call +46 70 123 45 67 or 070-123 45 67; is 123456 * 789 = 97406784?"
    assert text_anonymise(text, None) == "Mail me at [email] or call [phone] or [phone]; is 123456 * 789 = 97406784?"


def test_an_email_holding_the_username_goes_whole():
    assert text_anonymise("from zelda@school.example", identifiers_pattern(["zelda"])) == "from [email]"


def test_json_keeps_its_shape_and_keys():
    value = {"zelda": [["student", "I am Zelda"], 3, None], "n": 1.5}
    assert json_anonymise(value, identifiers_pattern(["Zelda"])) == {
        "zelda": [["student", "I am [student]"], 3, None], "n": 1.5}
