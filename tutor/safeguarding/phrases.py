"""Curated phrase lists, one per language: what a student writes when they are at risk, and the idioms that
only sound like it.

Patterns are regular expressions over the normalised text (``PhraseList.normalise``: lower case, apostrophes
dropped, anything but letters and digits a single space, slang spelled out), so "I'm", "Im" and "i am" read
alike. An idiom's words are taken out before the risk patterns are read: "I could die of boredom" loses "die
of boredom", and what is left ("i could") signals nothing. Idioms are few and narrow on purpose: a missed
alert costs more than a teacher reading a false one.

To add a language, add a ``PhraseList`` to ``PHRASES`` under its code and name it in
``TUTOR_SAFEGUARDING_LANGUAGES``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

SELF_HARM, ABUSE, BULLYING, THREAT = "self_harm", "abuse", "bullying", "threat"
KINDS = (SELF_HARM, ABUSE, BULLYING, THREAT)


@dataclass(frozen=True)
class PhraseList:
    risk: dict[str, tuple[str, ...]]  # kind -> patterns
    idioms: tuple[str, ...] = ()
    spellings: tuple[tuple[str, str], ...] = ()  # (pattern, replacement) applied after the basic clean-up
    _compiled: dict = field(default_factory=dict, compare=False, repr=False)

    def normalise(self, text: str) -> str:
        text = re.sub(r"['\u2019\u2018`]", "", text.lower())
        text = " ".join(re.sub(r"[^\w]+", " ", text).split())
        for pattern, replacement in self.spellings:
            text = re.sub(rf"\b(?:{pattern})\b", replacement, text)
        return text

    def match(self, text: str) -> tuple[str, str] | None:
        """The first (kind, matched words) in ``text``, idioms taken out first; None when nothing matches."""
        text = self.normalise(text)
        for idiom in self._patterns("idioms", self.idioms):
            text = idiom.sub(" | ", text)  # a bar no pattern crosses: the words either side stay apart
        for kind, patterns in self.risk.items():
            for pattern in self._patterns(kind, patterns):
                found = pattern.search(text)
                if found:
                    return kind, found.group(0)
        return None

    def _patterns(self, key: str, patterns: tuple[str, ...]) -> list[re.Pattern]:
        if key not in self._compiled:
            self._compiled[key] = [re.compile(rf"\b(?:{p})\b") for p in patterns]
        return self._compiled[key]


_I = r"(?:i|im|i am|ive|i have|ill|i will|id|i would)"
_PERSON = (r"(?:him|her|them|you|everyone|everybody|someone|somebody|people|that (?:kid|boy|girl|guy)|"
           r"(?:my|the|his|her|that|those|these) (?:\w+ )?(?:teacher|mum|mom|dad|sister|brother|stepdad|stepmum|stepmom|"
           r"friend|classmate|bully|bullies|kid|kids|boy|boys|girl|girls|class|parents|people))")
_VIOLENCE = r"(?:kill|murder|stab|shoot|hurt|attack|strangle|poison|beat|punch|burn|choke)"
_HARM_VERBS = r"(?:hits?|hitting|beats?|beating|beat|punch(?:es|ed)?|kick(?:s|ed)?|slap(?:s|ped)?|chok(?:es|ed)|burns?|burned|hurts?|touch(?:es|ed))"
_FAMILY = (r"(?:dad|father|mum|mom|mother|stepdad|stepmum|stepmom|stepfather|stepmother|parents?|uncle|aunt|"
           r"brother|sister|grandad|grandpa|grandma|gran|cousin|boyfriend|girlfriend|coach|step ?\w+|"
           r"(?:mums|moms) boyfriend|someone at home|someone in my family|a man|an adult|a guy|older guy)")

ENGLISH = PhraseList(
    spellings=(
        (r"wanna", "want to"), (r"gonna", "going to"), (r"gotta", "got to"), (r"u", "you"), (r"ur", "your"),
        (r"kms", "kill myself"), (r"kys", "kill yourself"), (r"unalive", "kill"), (r"mom", "mum"),
        (r"cuz|coz", "because"), (r"tmrw|tmr", "tomorrow"),
    ),
    idioms=(
        r"die of (?:boredom|embarrassment|shame|laughter|laughing|thirst|hunger|cuteness)",
        r"died laughing", r"dying to \w+", r"dead tired", r"(?:killing|killed) it", r"kill (?:it|time)",
        r"beat(?:s|ing)? me (?:at|in) (?:a |the )?\w+",
        r"(?:will|would|is going to|going to|gonna) (?:kill|murder) (?:me|us) (?:if|when)(?! i (?:tell|told))",
    ),
    risk={  # read in this order: the first kind that matches names the alert
        SELF_HARM: (
            rf"{_I} (?:\w+ ){{0,3}}(?:kill|hurt|harm|cut|cutting|burn|burning|hang|hanging|starv\w*|punish\w*) myself",
            r"killing myself", r"hurting myself", r"cutting myself", r"self ?harm(?:ing)?(?! mean)",
            r"(?:want|wanna|going|plan\w*|ready|deserve) to (?:die|end (?:it|my life|things)|be dead)",
            r"end (?:it all|my life|my own life)", r"ending (?:it all|my life)",
            r"suicid(?:e|al)(?! gene)", r"overdos\w*", r"(?:take|taking|took) (?:all|a lot of|loads of) (?:my |\w+s )?pills",
            r"how many pills", r"dont (?:want|deserve) to (?:be alive|live|wake up)", r"(?:never|not) wake up",
            r"(?:no|any|the) (?:reason|point) (?:to|of|in) (?:live|living|being alive|life)",
            r"(?:life|living) (?:is not|isnt|aint) worth", r"(?:so )?done with life",
            r"better off without me", r"better without me", r"(?:if|when) i (?:was|were|am) gone",
            r"goodbye (?:note|letter)", r"(?:jump|jumping) (?:off|in front of)", r"disappear forever",
            r"(?:cut|cuts|cutting|scratch\w*|burn\w*) (?:my )?(?:arms?|wrists?|legs?|thighs?|skin)",
            r"cant (?:do|take) this anymore", r"dont want to be (?:here|alive) anymore",
        ),
        THREAT: (
            rf"{_I} (?:\w+ ){{0,3}}{_VIOLENCE} {_PERSON}",
            rf"(?:want|going|plan\w*) to {_VIOLENCE} {_PERSON}",
            r"(?:bring|bringing|take|taking|get|got) (?:a |my |my dads |his )?(?:knife|gun|weapon|bomb|knives|guns)",
            r"shoot (?:up )?(?:the|my) school", r"(?:burn|blow up) (?:the|my) school", r"make a bomb",
            r"(?:make|made) them (?:all )?pay", r"list of people", r"(?:set|sets) (?:his|her|their|the) \w+ on fire",
            r"(?:hurt|kill|stab|attack|shoot) (?:someone|somebody|everyone|them all)",
            r"wait for them after school", r"(?:poison|strangle) (?:my|his|her|their) ",
        ),
        ABUSE: (
            rf"{_FAMILY} (?:\w+ ){{0,2}}{_HARM_VERBS} (?:me|us|my (?:mum|mom|dad|brother|sister)|her|him)",
            rf"{_HARM_VERBS} me (?:when|if|and)", r"(?:abus\w+|molest\w*|rap(?:e|ed|ing)) (?:me|at home)",
            r"(?:being|been|am|was|im) (?:abused|molested|raped|groomed)", r"sexually \w+ me",
            r"not (?:safe|allowed to tell|supposed to tell)", r"scared to go home", r"afraid to go home",
            r"(?:keep|keeping) (?:our|it|this) (?:a )?secret", r"(?:told|tells?) me not to tell",
            r"(?:kill|hurt) me if i (?:tell|told)", r"pictures of (?:myself|me)", r"meet me alone",
            r"(?:lock|locks|locked) me in", r"(?:havent|hasnt|dont|doesnt|never) (?:fed|feed) me",
            r"without food", r"makes? me do things", r"(?:chokes?|choked|strangles?) me", r"bruises? from",
            r"i have a bruise", r"throws? things at me", r"with cigarettes",
        ),
        BULLYING: (
            r"bull(?:y|ies|ied|ying) me", r"(?:being|been|am|im|get|got) (?:cyber ?)?bullied",
            r"call(?:s|ed|ing)? me (?:names|fat|ugly|stupid|a \w+)", r"(?:calling|call) me slurs",
            r"(?:beat|beaten|beating) me up", r"(?:beat|beaten) up", r"(?:pushes|pushed|push) (?:me|my head)",
            r"(?:trip|trips|tripped|throw|throws|threw) (?:me|stuff at me|things at me)",
            r"(?:laugh\w*|make fun) (?:at|of) me", r"picked on", r"pick on me", r"ganged up on me",
            r"(?:should|to) (?:just )?(?:die|kill (?:myself|yourself))", r"everyone hates me",
            r"(?:spread\w*|spreading) rumou?rs", r"(?:mean|nasty) (?:stuff|things|messages) about me",
            r"fake account", r"takes? my (?:lunch )?money", r"no ?one (?:sits|talks) (?:with|to) me",
            r"(?:threaten\w*) to (?:hurt|beat|kill) me", r"scared to go to school", r"the bullies",
            r"locked me in", r"(?:post\w*|shar\w*) (?:an? )?(?:embarrassing|mean|nasty) \w+ (?:of|about) me",
        ),
    },
)

PHRASES: dict[str, PhraseList] = {"en": ENGLISH}
