"""What the tutor is told: the system prompt, what it knows about the student, and the conversation so far.

The system prompt depends on the course alone, so every student of a course shares its KV cache in the
engine. What is particular to this question (the passages retrieved for it, the student's weakest skills,
the practice item they are working on) goes into a context block in front of the question. The engine cuts
the start of the last turn only as a last resort, and then the context goes before the question does.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from django.conf import settings

from learning.answer_guard import answer_forms
from learning.models import AnswerStyle, Course, Item
from learning.passage_search import (
    PassageHit, course_retrieval_backend, passages_for_question, sentence_similarity,
)
from learning.course_cache import course_revisions_read_once
from learning.practice import AnsweredAttempt, answered_attempt_get, open_items_for_hints
from learning.selectors import students_weak_skills
from learning.sentences import word_stems
from tutor.drafts import DraftRule, draft_rules_for
from tutor.echo import CONTEXT_HEADER, QUESTION_HEADER
from tutor.engine.types import AdapterRef, ChatTurn, GenerationRequest
from tutor.experimenting import ArmOverrides, experiment_exposures_record
from tutor.grounding import (
    NO_GROUNDING, Grounding, Similarity, grounding_for, is_calculation, steps_without_result,
)
from tutor.languages import language_name
from tutor.model_registry import active_adapter_for
from tutor.off_topic import TopicEvidence, off_topic
from tutor.teacher_answers import TeacherAnswer, teacher_answer_for
from tutor.models import AskResult, Message
from tutor.selectors import prior_turns

SYSTEM_PROMPT = (
    'You are a patient tutor for the course "{title}". Help the student understand, step by step: '
    "explain simply, check their reasoning, and give hints before full solutions. Be brief (two to four "
    "sentences) and accurate, stay on the course topic, and say so when you are not sure.{material}"
)
# The prompt is written in English, so an English answer needs no instruction (and training data, benchmarks and
# the shared KV cache of English-speaking students keep their prompt); any other language is named.
ANSWER_LANGUAGE = " Answer in {language}."
PASSAGE_CHARS = 700


@dataclass(frozen=True)
class AnswerPlan:
    """A generation request plus what the answer must not reveal, what can check it, and what it was built from."""

    request: GenerationRequest
    forbidden: list[str] = field(default_factory=list)  # spellings of an open item's answer
    context: dict = field(default_factory=dict)  # stored with the answer: passages, weak skills, open item
    grounding: Grounding = NO_GROUNDING
    style: str = AnswerStyle.EXPLAIN
    abstain_below: float | None = None  # hold back an unchecked answer scored below this; None: never
    off_topic: bool = False  # the course does not answer questions off its topic, and this is one: not answered
    draft: DraftRule | None = None  # the course holds this student's answers below a confidence for its teachers


def system_prompt_for(course: Course, language: str | None = None) -> str:
    """The course's prompt, told to answer in ``language`` (a code of settings.LANGUAGES) unless that is English."""
    material = f"\n\nCourse material:\n{course.description.strip()}" if course.description.strip() else ""
    prompt = SYSTEM_PROMPT.format(title=course.title, material="")
    if language and not language.startswith("en"):
        prompt += ANSWER_LANGUAGE.format(language=language_name(language))
    return prompt + material


@dataclass(frozen=True)
class _AskInputs:
    """What one ask's plan reads about its student and course (read for a whole batch at once)."""

    arms: ArmOverrides
    adapter: AdapterRef | None
    weak: list[tuple[str, float]]
    item: Item | None
    draft: DraftRule | None


def answer_plan_for(ask: AskResult) -> AnswerPlan:
    """What the engine needs for ``ask``'s answer; reads earlier turns only of a conversation that had some."""
    return answer_plans_for([ask])[0]


def answer_plans_for(asks: Sequence[AskResult]) -> list[AnswerPlan]:
    """``answer_plan_for`` for each of ``asks`` (an inference worker's batch), in order. What they share is read
    once per course (running experiments, the active adapter, the course's revisions) and what their students
    have, once per course for all of them (knowledge states, open items); only a follow-up's earlier turns and
    a practice answer asked about are read per ask."""
    inputs: dict[int, _AskInputs] = {}
    with course_revisions_read_once():
        for course_asks in _by_course(asks):
            inputs.update(_course_inputs(course_asks))
        return [_plan(ask, inputs[ask.answer.id]) for ask in asks]


def _by_course(asks: Sequence[AskResult]) -> list[list[AskResult]]:
    groups: dict[int, list[AskResult]] = {}
    for ask in asks:
        groups.setdefault(ask.conversation.course_id, []).append(ask)
    return list(groups.values())


def _course_inputs(asks: list[AskResult]) -> dict[int, _AskInputs]:
    """By answer id, for asks of one course."""
    course = asks[0].conversation.course
    students = list({ask.conversation.student_id: ask.conversation.student for ask in asks}.values())
    ids = [student.pk for student in students]
    arms = experiment_exposures_record(students=students, course=course)
    active = active_adapter_for(course_id=course.id)
    weak = students_weak_skills(student_ids=ids, course=course, limit=settings.LEARNING_WEAK_SKILLS_IN_PROMPT)
    items = open_items_for_hints(student_ids=ids, course=course)
    drafts = draft_rules_for(course_id=course.id, student_ids=ids)
    return {ask.answer.id: _AskInputs(arms[student], arms[student].adapter or active, weak[student],
                                      items.get(student), drafts[student])
            for ask in asks for student in [ask.conversation.student_id]}


def _plan(ask: AskResult, inputs: _AskInputs) -> AnswerPlan:
    course, question = ask.conversation.course, ask.question.text
    arms, adapter, weak, item = inputs.arms, inputs.adapter, inputs.weak, inputs.item
    teacher = teacher_answer_for(adapter=adapter, question=question)
    passages = [] if teacher else passages_for_question(
        course=course, question=question, limit=settings.LEARNING_PASSAGES_IN_PROMPT)
    answered = _answered_attempt(ask)
    language = (ask.answer.context or {}).get("language")
    earlier = [] if ask.new_conversation else prior_turns(answer=ask.answer, limit=settings.TUTOR_CONTEXT_TURNS)
    # While a practice item is open, a calculation is answered with hints whatever the course's style.
    style = AnswerStyle.HINTS if item is not None else (arms.answer_style or course.answer_style)
    request, grounding = question_request(
        system_prompt=system_prompt_for(course, language), question=question, passages=passages, style=style, weak=weak,
        item=item, teacher=teacher, earlier=[_turn(turn) for turn in earlier], adapter=adapter,
        grounded=arms.grounded, similarity=sentence_similarity() if passages else None, answered=answered)
    forbidden = answer_forms(item.answer_spec, item.choices) if item else []
    context = {**_context_record(passages, weak, item), "teacher_answer": teacher.question if teacher else None,
               "grounding": grounding.kind, "about_attempt": answered.attempt_id if answered else None,
               **({"experiments": list(arms.arms)} if arms.arms else {}),
               **({"language": language} if language else {})}
    # A teacher's answer to the same question grounds the tutor as well as any check could.
    abstain_below = None if teacher else course.abstain_below
    refused = not course.answer_off_topic and _off_topic(ask, passages, grounding, practice=bool(item or answered),
                                                         teacher=teacher is not None)
    return AnswerPlan(request, forbidden, context, grounding, style, abstain_below, refused, inputs.draft)


def _off_topic(ask: AskResult, passages: list[PassageHit], grounding: Grounding, *, practice: bool,
               teacher: bool) -> bool:
    question = ask.question.text
    return off_topic(TopicEvidence(
        backend=course_retrieval_backend(course=ask.conversation.course),
        best_passage_score=passages[0].score if passages else None,
        calculation=grounding.kind == "solver" or is_calculation(question), practice=practice, teacher_answer=teacher,
        follow_up_words=None if ask.new_conversation else len(word_stems(question))))


def _answered_attempt(ask: AskResult) -> AnsweredAttempt | None:
    """The practice answer the student asked about ("Ask the tutor about this"), checked again as theirs."""
    attempt_id = (ask.answer.context or {}).get("about_attempt")
    if not attempt_id:
        return None
    return answered_attempt_get(student=ask.conversation.student, course_id=ask.conversation.course_id,
                                attempt_id=attempt_id)


def generation_request_for(ask: AskResult) -> GenerationRequest:
    return answer_plan_for(ask).request


def question_request(*, system_prompt: str, question: str, passages: Sequence[PassageHit], grounded: bool = True,
                     style: str = AnswerStyle.EXPLAIN, weak: Sequence[tuple[str, float]] = (),
                     item: Item | None = None, teacher: TeacherAnswer | None = None,
                     earlier: Sequence[ChatTurn] = (), adapter: AdapterRef | None = None,
                     similarity: Similarity | None = None,
                     answered: AnsweredAttempt | None = None) -> tuple[GenerationRequest, Grounding]:
    """The request for one question and what grounds it (``grounded=False``: nothing, as before grounding
    existed). Reads no database: the tutor and the benchmarks build their requests here alike."""
    grounding = grounding_for(question, passages, similarity) if grounded else NO_GROUNDING
    last = ChatTurn("user", question_with_context(question, list(passages), list(weak), item, teacher,
                                                  grounding, style, answered))
    return GenerationRequest(system_prompt=system_prompt, history=[*earlier, last], adapter=adapter), grounding


def question_with_context(question: str, passages: list[PassageHit], weak: list[tuple[str, float]], item: Item | None,
                          teacher_answer: TeacherAnswer | None = None, grounding: Grounding = NO_GROUNDING,
                          style: str = AnswerStyle.EXPLAIN, answered: AnsweredAttempt | None = None) -> str:
    """The last user turn: the question, after what the tutor should know for it (used by router_bench and
    retraining too). A teacher's answer to the same question stands in for the course notes."""
    blocks = [grounding_block(grounding, style)] if grounding.kind != "none" else []
    if teacher_answer is not None:
        blocks.append(teacher_answer_block(teacher_answer))
    elif passages:
        notes = "\n".join(f"- {p.title}: {_clip(p.text)}" if p.title else f"- {_clip(p.text)}" for p in passages)
        blocks.append(f"Course notes that may help:\n{notes}")
    if weak:
        skills = ", ".join(f"{name} (about {round(100 * m)}% success)" for name, m in weak)
        blocks.append(f"The student finds these skills hard: {skills}. Explain those parts carefully.")
    if item is not None:
        blocks.append(
            f'The student is working on this practice question: "{_clip(item.prompt)}". Help with hints and '
            "guiding questions only. Do not give its final answer or say which choice is right, even if asked."
        )
    if answered is not None:
        blocks.append(answered_attempt_block(answered))
    if not blocks:
        return question
    return CONTEXT_HEADER + "\n\n".join(blocks) + f"{QUESTION_HEADER}{question}"



def answered_attempt_block(answered: AnsweredAttempt) -> str:
    """The wrong practice answer the student asks about: it is graded, so the tutor may explain the answer."""
    block = (f'The student is asking about their answer to the practice question "{_clip(answered.prompt)}". '
             f'They answered "{_clip(answered.response)}", which is wrong; the expected answer is '
             f'"{_clip(answered.expected)}".')
    if answered.misconception is not None:
        block += f" Their answer shows this misconception: {_clip(answered.misconception.text)}"
    return block + " Explain kindly why their answer does not work and how to think about the question."


def grounding_block(grounding: Grounding, style: str) -> str:
    """What the tutor is told to build its answer on: the exact working, or the supporting sentence."""
    if grounding.quotes:
        quoted = "\n".join(f'- ({quote.title}) "{quote.sentence}"' if quote.title else f'- "{quote.sentence}"'
                           for quote in grounding.quotes)
        return (f"Sentences from the course notes that answer the question:\n{quoted}\n"
                "Answer the question in one short sentence, using only what these sentences say.")
    solution = grounding.solution
    if style == AnswerStyle.HINTS:
        steps = "\n".join(steps_without_result(solution)) or "(none: the student starts from the question)"
        return ("Verified first steps (computed exactly; do not change any number):\n"
                f"{steps}\nGive the student a hint for the next step. Do not state the final answer.")
    return f"Verified working (computed exactly; explain it in words, do not change any number):\n{solution.prompt_text()}"


def teacher_answer_block(answer: TeacherAnswer) -> str:
    return (f"A teacher of this course answered this question:\nQuestion: {_clip(answer.question)}\n"
            f"Teacher's answer: {answer.answer.strip()}")


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= PASSAGE_CHARS else text[: PASSAGE_CHARS - 1].rsplit(" ", 1)[0] + "…"


def _context_record(passages: list[PassageHit], weak: list[tuple[str, float]], item: Item | None) -> dict:
    return {
        "passages": [{"id": p.id, "source": p.source, "title": p.title, "score": p.score} for p in passages],
        "weak_skills": [{"name": name, "mastery": round(m, 4)} for name, m in weak],
        "open_item": item.id if item else None,
    }


def _turn(role_and_text: tuple[str, str]) -> ChatTurn:
    role, text = role_and_text
    return ChatTurn("user" if role == Message.Role.STUDENT else "assistant", text)
