"""Property tests: the solver against ``fractions.Fraction``, and the checker against known right and wrong
answers. Derandomised and small, so they are fast and the same on every run."""
from fractions import Fraction

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from learning.solving import check_answer, solve
from learning.solving.numbers import decimal_text, fraction_text, mixed_text

FAST = settings(derandomize=True, max_examples=50, deadline=None)
OPERATORS = {"+": ["+", "plus"], "-": ["-", "minus"], "*": ["×", "*", "times", "x"], "/": ["÷", "divided by"]}


@st.composite
def written_numbers(draw):
    """A positive number and the way a student writes it: whole, fraction, mixed number or decimal."""
    form = draw(st.sampled_from(["integer", "fraction", "mixed", "decimal"]))
    if form == "integer":
        value = Fraction(draw(st.integers(0, 999)))
        return value, str(value)
    if form == "decimal":
        hundredths = draw(st.integers(1, 99_999))
        value = Fraction(hundredths, 100)
        return value, f"{hundredths // 100}.{hundredths % 100:02d}"
    denominator = draw(st.integers(2, 20))
    numerator = draw(st.integers(1, denominator - 1 if form == "mixed" else 40))
    if form == "fraction":
        return Fraction(numerator, denominator), f"{numerator}/{denominator}"
    whole = draw(st.integers(1, 20))
    return whole + Fraction(numerator, denominator), f"{whole} {numerator}/{denominator}"


def combine(left: Fraction, operator: str, right: Fraction) -> Fraction:
    if operator == "+":
        return left + right
    if operator == "-":
        return left - right
    return left * right if operator == "*" else left / right


@FAST
@given(written_numbers(), st.sampled_from(sorted(OPERATORS)), written_numbers(), st.data())
def test_a_single_operation_matches_fraction_arithmetic(left, operator, right, data):
    assume(operator != "/" or right[0] != 0)
    spelling = data.draw(st.sampled_from(OPERATORS[operator]))
    template = data.draw(st.sampled_from(["What is {}?", "{}", "can you help me work out {}", "What's {} ?"]))
    solution = solve(template.format(f"{left[1]} {spelling} {right[1]}"))
    assert solution is not None
    assert solution.value == combine(left[0], operator, right[0])


@FAST
@given(st.lists(st.tuples(st.sampled_from(sorted(OPERATORS)), written_numbers()), min_size=1, max_size=3),
       written_numbers())
def test_a_chain_follows_the_order_of_operations(rest, first):
    assume(all(operator != "/" or number[0] != 0 for operator, number in rest))
    terms = [first[0]]
    signs: list[str] = []
    for operator, (value, _) in rest:
        if operator in "*/":
            terms[-1] = combine(terms[-1], operator, value)
        else:
            signs.append(operator)
            terms.append(value)
    expected = terms[0]
    for sign, term in zip(signs, terms[1:]):
        expected = combine(expected, sign, term)
    text = first[1] + "".join(f" {OPERATORS[operator][0]} {written}" for operator, (_, written) in rest)
    solution = solve(f"What is {text}?")
    assert solution is not None and solution.value == expected


@FAST
@given(written_numbers(), st.integers(1, 99))
def test_percent_of_and_fraction_of(number, percent):
    assert solve(f"what is {percent}% of {number[1]}").value == Fraction(percent, 100) * number[0]


@FAST
@given(st.integers(1, 60), st.integers(1, 60))
def test_simplify_gives_lowest_terms(numerator, denominator):
    solution = solve(f"simplify {numerator}/{denominator}")
    assert solution.value == Fraction(numerator, denominator)
    assert solution.result_text == fraction_text(Fraction(numerator, denominator))


def _right_forms(value: Fraction) -> list[str]:
    forms = [fraction_text(value), decimal_text(value).rstrip(".")]
    if mixed := mixed_text(value):
        forms.append(mixed)
    if value.denominator != 1:
        forms.append(f"\\frac{{{value.numerator}}}{{{value.denominator}}}" if value > 0 else fraction_text(value))
    return forms


@FAST
@given(written_numbers(), st.sampled_from(["+", "-", "*"]), written_numbers(), st.data())
def test_the_checker_agrees_with_right_answers_and_contradicts_wrong_ones(left, operator, right, data):
    solution = solve(f"What is {left[1]} {OPERATORS[operator][0]} {right[1]}?")
    value = solution.value
    calculation = f"{left[1]} {OPERATORS[operator][0]} {right[1]}"
    sentence = data.draw(st.sampled_from(["So the answer is {}.", calculation + " = {}", "That gives {}!"]))
    right_form = data.draw(st.sampled_from(_right_forms(value)))
    assert check_answer(solution, sentence.format(right_form)).status == "agrees"

    offsets = [Fraction(1), Fraction(-1), Fraction(1, 2), Fraction(1, 10), 2 * value + 1]
    wrong = value + data.draw(st.sampled_from(offsets))
    assume(wrong != value and wrong not in solution.given)
    wrong_form = data.draw(st.sampled_from(_right_forms(wrong)))
    check = check_answer(solution, sentence.format(wrong_form))
    assert check.status == "contradicts"
    start, end = check.spans[-1]
    assert wrong_form.lstrip("-") in sentence.format(wrong_form)[start:end]


FRAGMENTS = list("0123456789 +-*/^()=.,%x½¾√÷×−") + [
    "of ", "what is ", "solve ", "derivative of ", "simplify ", " as a fraction", "how many cm in ", " m", "\\frac{",
    "}", " and ", "sqrt", "gcd of ", "order ", " from smallest", "which is bigger, ", " or ", "x^", "1 7/12"]


SOLVED = [solve(question) for question in ("What is 3/4 + 5/6?", "solve 3x + 5 = 20", "derivative of 3x^2 + 2x",
                                           "simplify 18/24", "which is bigger, 3/5 or 5/8?",
                                           "order 0.5, 2/5, 45% from smallest")]


@FAST
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=25).map("".join))
def test_any_text_is_solved_or_declined_and_checked_without_error(text):
    solve(text)
    for solution in SOLVED:
        assert check_answer(solution, text).status in ("agrees", "contradicts", "no_result")


@FAST
@given(st.integers(1, 40), st.integers(1, 40), st.integers(1, 12), st.integers(0, 3))
def test_the_missing_number_makes_the_fractions_equal(top, bottom, factor, blank):
    parts = [str(top), str(bottom), str(top * factor), str(bottom * factor)]
    answer = parts[blank]
    parts[blank] = "?"
    solution = solve(f"{parts[0]}/{parts[1]} = {parts[2]}/{parts[3]}")
    assert solution is not None and solution.value == int(answer) * Fraction(1) or (
        Fraction(top, bottom) != Fraction(int(answer), 1))  # a blank may have more than one filling: never here
    filled = [Fraction(int(p)) if p != "?" else solution.value for p in parts]
    assert filled[0] / filled[1] == filled[2] / filled[3]


@FAST
@given(written_numbers(), st.integers(1, 100), st.sampled_from([("Increase", 1), ("Decrease", -1)]))
def test_a_percentage_change_matches_fraction_arithmetic(amount, percent, change):
    assume("/" not in amount[1])  # amounts are whole numbers or decimals
    verb, sign = change
    solution = solve(f"{verb} {amount[1]} by {percent}%")
    assert solution is not None
    assert solution.value == amount[0] * (1 + sign * Fraction(percent, 100))


@FAST
@given(st.integers(0, 999), st.integers(1, 999))
def test_a_percentage_of_a_whole_is_the_ratio(part, whole):
    solution = solve(f"What percentage is {part} out of {whole}?")
    assert solution.value == Fraction(part, whole)
    assert check_answer(solution, f"It is {solution.result_text}").status == "agrees"


@st.composite
def percentages(draw) -> str:
    whole = draw(st.integers(0, 150))
    tail = draw(st.sampled_from(["", ".5", ".25", ".125", ".75"]))
    return f"{whole}{tail}%" if whole or tail.startswith(".") else "50%"


@FAST
@given(st.lists(st.tuples(st.sampled_from(["+", "-", "×"]), written_numbers()), max_size=2), percentages(),
       written_numbers())
def test_the_solvers_own_working_never_reads_as_a_contradiction(rest, percent, first):
    """Whatever the solver shows a student, its own checker must agree with (12.5% was once written
    "25/2/100", which reads as 25 / (2/100))."""
    question = " ".join([f"What is {percent} of {first[1]}", *(f"{op} {text}" for op, (_, text) in rest)])
    solved = [solution for solution in map(solve, (question, f"{percent} of {first[1]}")) if solution is not None]
    assert solved  # at least the plain "p% of n" is solved
    for solution in solved:
        shown = "\n".join([*solution.steps, solution.final_answer])
        assert check_answer(solution, shown).status != "contradicts", shown


def _agrees_with_itself(solution) -> bool:
    return check_answer(solution, "\n".join([*solution.steps, solution.final_answer])).status != "contradicts"


@FAST
@given(st.integers(1, 12), st.integers(2, 12), st.integers(1, 500))
def test_the_whole_from_a_share_of_it_is_the_part_divided_by_the_share(numerator, denominator, part):
    share, written = Fraction(numerator, denominator), f"{numerator}/{denominator}"
    for question in (f"If {written} of a number is {part}, what is the number?", f"{part} is {written} of what number?"):
        solution = solve(question)
        assert solution.value == part / share
        assert _agrees_with_itself(solution)


@FAST
@given(st.integers(0, 500), st.integers(1, 500))
def test_a_fraction_of_a_whole_is_the_ratio_in_lowest_terms(part, whole):
    for question in (f"What fraction of {whole} is {part}?", f"Write {part} as a fraction of {whole}"):
        solution = solve(question)
        assert solution.value == Fraction(part, whole)
        assert solution.result_text == fraction_text(Fraction(part, whole))
        assert _agrees_with_itself(solution)


@FAST
@given(st.integers(1, 11), st.integers(2, 12), st.integers(1, 9),
       st.sampled_from([("hours", "minutes", 60), ("m", "cm", 100), ("kg", "g", 1000), ("litres", "ml", 1000)]))
def test_a_share_of_an_amount_converts_like_fraction_arithmetic(numerator, denominator, amount, units):
    source, target, ratio = units
    share = Fraction(numerator, denominator)
    solution = solve(f"How many {target} are in {numerator}/{denominator} of {amount} {source}?")
    assert solution.value == share * amount * ratio
    assert _agrees_with_itself(solution)


@FAST
@given(st.integers(1, 999), st.integers(1, 99), st.integers(0, 3))
def test_rounding_matches_half_up_rounding_of_the_exact_value(numerator, denominator, places):
    from decimal import ROUND_HALF_UP, Decimal
    value = Fraction(numerator, denominator)
    solution = solve(f"Round {numerator}/{denominator} to {places} decimal places")
    expected = Decimal(numerator) / Decimal(denominator)
    assert solution.value == Fraction(expected.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
    assert abs(solution.value - value) <= Fraction(1, 2 * 10**places)
    assert _agrees_with_itself(solution)


@FAST
@given(st.lists(st.integers(-9, 9), min_size=2, max_size=4), st.integers(-5, 5))
def test_a_derivative_at_a_point_is_the_derivative_evaluated_there(coefficients, point):
    assume(any(coefficients[1:]))
    terms = " + ".join(f"{c}x^{power}" for power, c in enumerate(coefficients) if c and power)
    solution = solve(f"Find f'({point}) if f(x) = {terms}")
    assert solution.value == sum(power * c * Fraction(point) ** (power - 1) for power, c in enumerate(coefficients)
                                 if power)
    assert _agrees_with_itself(solution)


@FAST
@given(written_numbers())
def test_a_reciprocal_times_its_number_is_one(number):
    value, written = number
    assume(value != 0)
    solution = solve(f"What is the reciprocal of {written}?")
    assert solution.value * value == 1
    assert _agrees_with_itself(solution)


@FAST
@given(st.lists(written_numbers(), min_size=3, max_size=5, unique_by=lambda number: number[0]),
       st.sampled_from(["largest", "smallest"]))
def test_the_largest_or_smallest_of_a_list_is_its_max_or_min(numbers, size):
    solution = solve(f"Which is the {size} of {', '.join(text for _, text in numbers[:-1])} and {numbers[-1][1]}?")
    values = [value for value, _ in numbers]
    assert solution.value == (max(values) if size == "largest" else min(values))
    assert _agrees_with_itself(solution)
