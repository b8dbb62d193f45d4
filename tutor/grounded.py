"""Generating one answer so that the student reads only what the system could check (no database).

``grounded_answer`` is the one core both the tutor (tutor.answering) and the benchmarks call: give it an engine,
the request, the question's grounding and an ``emit`` callback for visible text, and it returns what was shown.

- A calculation the solver did, style "explain": the verified working is emitted first (the first token comes
  at once), then the model's explanation is generated hidden and checked against the solution. An explanation
  that contradicts it is regenerated once under a stronger instruction; a second contradiction is replaced by
  a plain template. Only then is the explanation emitted, so no contradicted number is ever shown and nothing
  shown ever has to be taken back.
- A calculation whose student asked for the result alone ("Reply with just the answer."), style "explain":
  the verified result and nothing else; nothing is generated.
- Style "hints": the working lines that do not state the result, then the model's hint, checked the same way
  and redacted with every form of the result added to what the stream must not reveal.
- A question backed by course-note sentences: those sentences are emitted first, quoted (the first token
  comes at once), then the model's short answer is generated hidden and checked against them
  (``learning.support``): an answer that adds a number or more than a few words the quotes do not hold is
  regenerated once under a stronger instruction, then left out, so the student reads the notes' own words
  rather than an invented fact. The answer carries the sentences as its sources.
- A question nothing can check streams live, unless the course abstains: then the answer is generated hidden,
  scored by ``judge``, and shown only when the score clears ``abstain_below``; below it the student reads an
  honest "not sure" and the question goes to the teachers.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Awaitable, Callable

from learning.answer_guard import StreamRedactor
from learning.solving import Solution, check_answer
from learning.support import answer_support, quote_text
from tutor.echo import EchoStripper, context_block_of, question_of
from tutor.engine.types import ChatTurn, Completion, ConfidenceFeatures, EngineError, GenerationRequest, TokenDelta
from tutor.grounding import Grounding, result_forms, steps_without_result

Emit = Callable[[str], Awaitable[None]]
Judge = Callable[[Completion], Awaitable[float]]  # a held answer's confidence, in [0, 1]

ABSTAIN_TEXT = ("I'm not sure about this one, so I've asked your teacher. Their answer will appear here; "
                "meanwhile, your course notes may help.")
STRONGER_EXPLAIN = ("Important: your explanation must use exactly the numbers of the verified working above "
                    "and no others. The result is {result}. Do not calculate anything yourself.")
STRONGER_HINTS = ("Important: do not calculate anything and do not state any result. Only say which step the "
                  "student should do next, using the numbers of the verified steps above.")
TEMPLATE_EXPLAIN = "Each line of the working follows from the one before it, so {final}"
TEMPLATE_HINTS = "Follow the steps above, then try the last step yourself and check your result."
STRONGER_SOURCE = ("Important: answer in one short sentence that uses only what the sentences from the course "
                   "notes above say, in their words. Do not add any fact or number of your own.")
TEMPLATE_SOURCE = "That is the part of your notes that answers this."
WORKING_BREAK = "\n\n"


@dataclass(frozen=True)
class GroundedAnswer:
    text: str  # everything the student was shown, in order
    completion: Completion  # the generation the answer was built from, its text replaced by ``text``
    check: dict  # {"kind", "status", "regenerated", "fallback"}
    sources: list[dict]  # [{"passage", "title", "text"}]
    abstained: bool = False
    held_text: str = ""  # what the model wrote, when the tutor abstained instead of showing it
    redactions: int = 0

    @property
    def truncated(self) -> bool:
        return self.completion.finish_reason == "length"


async def grounded_answer(engine, request: GenerationRequest, grounding: Grounding, style: str,
                          forbidden: list[str], emit: Emit, *, judge: Judge | None = None,
                          abstain_below: float | None = None) -> GroundedAnswer:
    """Generate, check and emit one answer (see the module docstring). Raises ``EngineError``."""
    hints = style == "hints"
    shown = _Shown(emit, [*forbidden, *(result_forms(grounding.solution) if hints and grounding.solution else [])])
    if grounding.solution is not None:
        completion, check = await _solver_answer(engine, request, grounding.solution, hints, shown)
        return shown.result(completion, check, [])
    if grounding.quotes:
        completion, check = await _sourced_answer(engine, request, grounding, shown)
        return shown.result(completion, check, grounding.sources)
    record = {"kind": grounding.kind, "status": "unchecked", "regenerated": False, "fallback": False}
    if grounding.kind == "none" and judge is not None and abstain_below is not None:
        return await _held_answer(engine, request, shown, judge, abstain_below, record)
    completion = await generate(engine, request, on_text=shown.send)
    await shown.finish()
    return shown.result(completion, record, grounding.sources)


async def generate(engine, request: GenerationRequest, on_text: Emit | None = None) -> Completion:
    """One generation; each piece of text goes to ``on_text`` as it comes (none: generated hidden). An echo of
    the request's context block is taken out as it streams; the completion's text is what is left."""
    stripper = EchoStripper(context_block_of(request.history[-1].content if request.history else ""))
    completion = None
    async for event in engine.stream(request):
        if isinstance(event, TokenDelta):
            await _pass_on(stripper.feed(event.text), on_text)
        else:
            completion = event
    if completion is None:
        raise EngineError("The engine ended without an answer.")
    await _pass_on(stripper.finish(), on_text)
    return replace(completion, text=stripper.text)


async def _pass_on(text: str, on_text: Emit | None) -> None:
    if text and on_text is not None:
        await on_text(text)


async def _solver_answer(engine, request: GenerationRequest, solution: Solution, hints: bool,
                         shown: "_Shown") -> tuple[Completion, dict]:
    if solution.result_only and not hints:
        await shown.send(solution.result_text)
        await shown.finish()
        return _result_only_completion(solution), {"kind": "solver", "status": "result_only", "regenerated": False,
                                                   "fallback": False}
    working = steps_without_result(solution) if hints else [*solution.steps, solution.final_answer]
    if working:
        await shown.send("\n".join(working) + WORKING_BREAK)
    completion, check = await _checked_explanation(engine, request, solution, hints)
    await shown.send(completion.text)
    await shown.finish()
    return completion, check


def _result_only_completion(solution: Solution) -> Completion:
    """What stands for a generation when the student asked for the verified result alone: nothing generated."""
    return Completion(text=solution.result_text, features=ConfidenceFeatures(0.0, 0.0, 0.0, 0), confidence=1.0,
                      prompt_tokens=0, dropped_turns=0, finish_reason="stop", model_name="solver")


async def _checked_explanation(engine, request: GenerationRequest, solution: Solution,
                               hints: bool) -> tuple[Completion, dict]:
    """The model's explanation, hidden until it passed ``check_answer``: regenerated once when it
    contradicts the solution, then replaced by a template."""
    record = {"kind": "solver", "status": "", "regenerated": False, "fallback": False}
    completion = await generate(engine, request)
    record["status"] = check_answer(solution, completion.text).status
    if record["status"] != "contradicts":
        return completion, record
    completion = await generate(engine, stronger_request(request, solution, hints))
    record.update(status=check_answer(solution, completion.text).status, regenerated=True)
    if record["status"] != "contradicts":
        return completion, record
    template = TEMPLATE_HINTS if hints else TEMPLATE_EXPLAIN.format(final=_lower_first(solution.final_answer))
    return replace(completion, text=template), {**record, "fallback": True}


def stronger_request(request: GenerationRequest, solution: Solution, hints: bool) -> GenerationRequest:
    """The same request with an instruction the model gets after it contradicted the working."""
    instruction = STRONGER_HINTS if hints else STRONGER_EXPLAIN.format(result=solution.result_text)
    return _with_instruction(request, instruction)


def _with_instruction(request: GenerationRequest, instruction: str) -> GenerationRequest:
    *earlier, last = request.history
    return replace(request, history=[*earlier, ChatTurn(last.role, f"{last.content}\n\n{instruction}")])


async def _sourced_answer(engine, request: GenerationRequest, grounding: Grounding,
                          shown: "_Shown") -> tuple[Completion, dict]:
    await shown.send(quote_text([quote.sentence for quote in grounding.quotes]))
    completion, check = await _supported_answer(engine, request, grounding)
    await shown.send(completion.text)
    await shown.finish()
    return completion, check


async def _supported_answer(engine, request: GenerationRequest, grounding: Grounding) -> tuple[Completion, dict]:
    """The model's answer, hidden until the quoted sentences support it: regenerated once when they do not,
    then replaced by a plain pointer to the quotes."""
    question = question_of(request.history[-1].content if request.history else "")
    evidence = [quote.sentence for quote in grounding.quotes]
    record = {"kind": "source", "status": "", "regenerated": False, "fallback": False}
    completion = await generate(engine, request)
    support = answer_support(question, completion.text, evidence)
    record["status"] = support.status
    if support.supported:
        return completion, record
    completion = await generate(engine, _with_instruction(request, STRONGER_SOURCE))
    support = answer_support(question, completion.text, evidence)
    record.update(status=support.status, regenerated=True)
    if support.supported:
        return completion, record
    record.update(fallback=True, unsupported=list(support.unsupported))
    return replace(completion, text=TEMPLATE_SOURCE), record


async def _held_answer(engine, request: GenerationRequest, shown: "_Shown", judge: Judge, abstain_below: float,
                       record: dict) -> GroundedAnswer:
    completion = await generate(engine, request)
    held = shown.redact(completion.text)
    confidence = await judge(replace(completion, text=held))
    abstained = confidence < abstain_below
    await shown.send(ABSTAIN_TEXT if abstained else completion.text)
    await shown.finish()
    answer = shown.result(completion, {**record, "status": "abstained" if abstained else "released"}, [])
    return replace(answer, abstained=True, held_text=held) if abstained else answer


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:1].isalpha() and not text[1:2].isupper() else text


class _Shown:
    """What the student sees: every piece of text passes the redactor before ``emit``, and is kept."""

    def __init__(self, emit: Emit, forbidden: list[str]):
        self._emit = emit
        self._redactor = StreamRedactor(forbidden)
        self._pieces: list[str] = []

    async def send(self, text: str) -> None:
        await self._out(self._redactor.feed(text))

    async def finish(self) -> None:
        await self._out(self._redactor.finish())

    def redact(self, text: str) -> str:
        return self._redactor.redact(text)

    def result(self, completion: Completion, check: dict, sources: list[dict]) -> GroundedAnswer:
        text = "".join(self._pieces)
        return GroundedAnswer(text, replace(completion, text=text), check, sources,
                              redactions=self._redactor.redactions)

    async def _out(self, text: str) -> None:
        if text:
            self._pieces.append(text)
            await self._emit(text)
