"""Stripping the tutor's echo of its own instructions from a streamed answer (pure: no Django, no engine).

A small model often begins its answer by repeating the context block it was given ('The student is working
on this practice question: "..."'). ``EchoStripper`` removes such an echo as the answer streams: any
sentence or line of the context block (at least ``MIN_ECHO_CHARS`` long), compared without case or
whitespace, found at the start of the answer or at the start of one of its lines. Several echoed sentences in
a row go together, with the whitespace around them.

Only text that could still turn out to be the beginning of an echo is held back: at the start of a line, the
text so far while it is a prefix of some context sentence; everywhere else nothing. The output does not
depend on how the answer was split into chunks.

Wiring (in the answer's generation loop): build one stripper per answer from the context block of the last
user turn, that is the text ``question_with_context`` returned without the student's question at its end
(``turn.removesuffix(question)``), so that an answer may still restate the question. Feed it the engine's
raw token deltas first, before the answer redactor, since the redactor rewrites text that then no longer
matches the context; feed what it returns onwards, call ``finish()`` after the last delta and feed that too.
The stored answer is ``stripper.text`` (what was emitted), not the raw ``Completion.text``.
"""
from __future__ import annotations

import re

# The last user turn that tutor.prompting builds: the context block, then the student's question.
CONTEXT_HEADER = "[Context for the tutor]\n"
QUESTION_HEADER = "\n\n[Student's question]\n"
MIN_ECHO_CHARS = 20  # shorter context pieces ("[Student's question]", a skill name) are ordinary words
# Ends of sentences (punctuation, maybe closing quotes or brackets, then whitespace or the end of the text), and
# of the clauses before a colon, which the model also echoes alone ("Course notes: ...").
_SENTENCE_END = re.compile(r"""[.!?][.!?"'”’)\]]*(?=\s|$)""")
_CLAUSE_END = re.compile(r""":(?=\s|$)""")
_QUOTED = re.compile(r'"[^"\n]*"')
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'"})


def _normalise_char(char: str) -> str:
    lowered = char.translate(_QUOTES).lower()
    return lowered if len(lowered) == 1 else char  # keep one character per character (see _consume)


def match_key(text: str) -> str:
    """What matching compares: no whitespace, lower case, straight quotes."""
    return "".join(_normalise_char(char) for char in text if not char.isspace())


def echo_units(context_block: str) -> frozenset[str]:
    """The matching keys of every line and sentence of ``context_block`` worth stripping."""
    units = set()
    for line in context_block.splitlines():
        for piece in [line, *_split(line, _SENTENCE_END), *_split(line, _CLAUSE_END)]:
            piece = " ".join(piece.split())
            if len(piece) >= MIN_ECHO_CHARS:
                for variant in (piece, piece.rstrip(".:"), piece.lstrip("-*• ")):  # echoed without stop or bullet
                    if len(variant) >= MIN_ECHO_CHARS:
                        units.add(match_key(variant))
    return frozenset(units)


def _split(line: str, ends: re.Pattern) -> list[str]:
    pieces, start = [], 0
    for end in ends.finditer(line):
        pieces.append(line[start:end.end()])
        start = end.end()
    return [*pieces, line[start:]]


def context_block_of(turn: str) -> str:
    """The tutor's instructions in the context block of a last user turn: what it must not echo back ("" for
    a bare question). What the block quotes may rightly be said again: the student's question, the course
    notes (its "- " lines), the supporting sentence and the practice item (in double quotes)."""
    if not turn.startswith(CONTEXT_HEADER):
        return ""
    block = turn.rsplit(QUESTION_HEADER, 1)[0]
    instructions = "\n".join(line for line in block.splitlines() if not line.startswith("- "))
    return _QUOTED.sub(" ", instructions)


def question_of(turn: str) -> str:
    """The student's question in a last user turn (the whole turn when it has no context block)."""
    return turn.rsplit(QUESTION_HEADER, 1)[1] if turn.startswith(CONTEXT_HEADER) and QUESTION_HEADER in turn else turn


class EchoStripper:
    """Feed an answer's text chunks to ``feed``; each call returns the text that is safe to show now."""

    def __init__(self, context_block: str):
        self._units = echo_units(context_block)
        self._pending = ""  # received, not yet shown or dropped
        self._at_line_start = True
        self._after_echo = False  # whitespace right after a stripped echo goes with it
        self.echoes: list[str] = []  # the stripped text, for the record
        self.text = ""  # everything emitted so far

    def feed(self, chunk: str) -> str:
        self._pending += chunk
        return self._emit(self._drain(final=False))

    def finish(self) -> str:
        return self._emit(self._drain(final=True))

    def _emit(self, text: str) -> str:
        self.text += text
        return text

    def _drain(self, final: bool) -> str:
        out = []
        while self._pending:
            if not self._at_line_start:
                out.append(self._take_rest_of_line())
            elif self._after_echo and self._pending[0].isspace():
                self._pending = self._pending.lstrip()
            elif not self._decide_line_start(final):
                break  # could still be an echo: wait for more text
        return "".join(out)

    def _take_rest_of_line(self) -> str:
        newline = self._pending.find("\n")
        cut = len(self._pending) if newline < 0 else newline + 1
        taken, self._pending = self._pending[:cut], self._pending[cut:]
        self._at_line_start = newline >= 0
        self._after_echo = False
        return taken

    def _decide_line_start(self, final: bool) -> bool:
        """Strip an echo, or let the line through; False while it is too early to tell."""
        key = match_key(self._pending)
        if not key or (not final and any(len(unit) > len(key) and unit.startswith(key) for unit in self._units)):
            return final and self._let_through()
        matched = [unit for unit in self._units if key.startswith(unit)]
        if not matched:
            return self._let_through()
        self.echoes.append(self._consume(len(max(matched, key=len))).strip())
        self._after_echo = True
        return True

    def _let_through(self) -> bool:
        self._at_line_start = False
        if self._after_echo:
            self._pending = self._pending.lstrip()
        return True

    def _consume(self, key_chars: int) -> str:
        """Remove and return the shortest start of the pending text that holds ``key_chars`` matching characters."""
        counted = 0
        for index, char in enumerate(self._pending):
            if counted == key_chars:
                break
            counted += not char.isspace()
        else:
            index = len(self._pending)
        taken, self._pending = self._pending[:index], self._pending[index:]
        return taken
