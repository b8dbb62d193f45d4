"""Pydantic's validation errors turned into ContentErrors a course author can act on (pure: no Django)."""
from __future__ import annotations

import types
import typing

from pydantic import BaseModel, ValidationError

from learning.content import checks
from learning.content.errors import NOTHING, ContentError, describe, quote
from learning.content.formats import SOURCE_EXPECTED, SOURCE_PATTERN

_ANSWER_KINDS = ("exact", "numeric", "choice", "set")
_PATTERNS = {
    f"^{checks.ITEM_KEY.pattern}$": checks.ITEM_KEY_EXPECTED,
    f"^{checks.SKILL_KEY.pattern}$": checks.SKILL_KEY_EXPECTED,
    f"^{checks.CHOICE_KEY.pattern}$": checks.CHOICE_KEY_EXPECTED,
    f"^{SOURCE_PATTERN.pattern}$": SOURCE_EXPECTED,
}
_TYPES = {
    "string_type": "a string", "float_type": "a number", "int_type": "a whole number", "bool_type": "true or false",
    "list_type": "a list", "model_type": "an object", "model_attributes_type": "an object", "dict_type": "an object",
    "finite_number": "a finite number",
}


def errors_from_validation(exc: ValidationError, where: str, model: type[BaseModel]) -> list[ContentError]:
    """``where`` names the record validated ("items[3]"); "" for the top level, whose first field then
    becomes the place."""
    return [_one(error, where, model) for error in exc.errors(include_url=False)]


def _one(error: dict, where: str, model: type[BaseModel]) -> ContentError:
    loc = _without_tags(error["loc"])
    if error["type"].startswith("union_tag"):
        loc = loc + (error["ctx"]["discriminator"].strip("'"),)
    found, expected = _found(error), _expected(error, model)
    if not where:
        return ContentError(str(loc[0]) if loc else "file", _path(loc[1:]), found, expected)
    return ContentError(where, _path(loc), found, expected)


def _without_tags(loc: tuple) -> tuple:
    """Pydantic puts the answer's kind into the location (answer.numeric.value); authors wrote answer.value."""
    return tuple(part for i, part in enumerate(loc) if not (i and loc[i - 1] == "answer" and part in _ANSWER_KINDS))


def _path(loc: tuple) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _found(error: dict) -> str:
    kind, value = error["type"], error.get("input")
    if kind == "missing" or kind == "union_tag_not_found":
        return NOTHING
    if kind == "union_tag_invalid":
        return quote(error["ctx"]["tag"])
    if kind == "extra_forbidden":
        return f"an extra field ({describe(value)})"
    return describe(value)


def _expected(error: dict, model: type[BaseModel]) -> str:
    kind, ctx = error["type"], error.get("ctx", {})
    if kind in _TYPES:
        return _TYPES[kind]
    if kind == "missing":
        return "this field (it is required)"
    if kind == "extra_forbidden":
        allowed = _fields_at(model, error["loc"][:-1])
        return "only the fields " + ", ".join(allowed) if allowed else "no such field"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return "one of " + ", ".join(_ANSWER_KINDS)
    if kind == "literal_error":
        return _literal(ctx["expected"])
    return _limit(kind, ctx) or error["msg"][0].lower() + error["msg"][1:]


def _limit(kind: str, ctx: dict) -> str | None:
    if kind == "string_too_short":
        return "a non-empty string" if ctx["min_length"] == 1 else f"at least {ctx['min_length']} characters"
    if kind == "string_too_long":
        return f"at most {ctx['max_length']} characters"
    if kind == "too_short":
        return "at least one entry" if ctx["min_length"] == 1 else f"at least {ctx['min_length']} entries"
    if kind == "too_long":
        return f"at most {ctx['max_length']} entries"
    if kind == "string_pattern_mismatch":
        return _PATTERNS.get(ctx["pattern"], f"text matching {ctx['pattern']}")
    bounds = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=", "less_than": "<"}
    if kind in bounds:
        limit = next(iter(ctx.values()))
        return f"a number {bounds[kind]} {limit}"
    return None


def _literal(expected: str) -> str:
    options = [option.strip().strip("'") for option in expected.replace(" or ", ", ").split(",")]
    return f'exactly "{options[0]}"' if len(options) == 1 else "one of " + ", ".join(options)


def _fields_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """The field names allowed at ``loc`` (pydantic's location, tags included) inside ``model``."""
    current: object = model
    for part in loc:
        if isinstance(part, int):
            continue
        if isinstance(current, dict):  # a discriminated union: the part is the tag
            current = current.get(part)
        elif _is_model(current) and part in current.model_fields:
            current = _inner_model(current.model_fields[part].annotation)
        else:
            return []
    return list(current.model_fields) if _is_model(current) else []


def _is_model(value: object) -> bool:
    return isinstance(value, type) and issubclass(value, BaseModel)


def _inner_model(annotation: object) -> object:
    """The model inside list[...], Optional[...] and Annotated[...]; {kind: model} for a tagged union."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _inner_model(typing.get_args(annotation)[0])
    if origin in (list, typing.Union, types.UnionType):
        models = [m for arg in typing.get_args(annotation) if (m := _inner_model(arg)) is not None]
        if len(models) == 1:
            return models[0]
        return {_tag(m): m for m in models if _is_model(m)} or None
    return annotation if _is_model(annotation) else None


def _tag(model: type[BaseModel]) -> str | None:
    kind = model.model_fields.get("kind")
    return typing.get_args(kind.annotation)[0] if kind is not None else None
