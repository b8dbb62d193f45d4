"""Strict schemas for HTTP API bodies."""
from __future__ import annotations

import json
from typing import Annotated, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tutor.errors import TutorError

MAX_BODY_BYTES = 4096
Model = TypeVar("Model", bound=BaseModel)


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    username: Annotated[str, Field(min_length=1, max_length=150)]
    password: Annotated[str, Field(min_length=1, max_length=256)]


def parse_body(body: bytes, schema: type[Model]) -> Model:
    if len(body) > MAX_BODY_BYTES:
        raise TutorError("body_too_large", f"The request body is larger than {MAX_BODY_BYTES} bytes.")
    try:
        data = json.loads(body)
    except ValueError:
        raise TutorError("invalid_json", "The request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise TutorError("invalid_body", "The request body must be a JSON object.")
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise TutorError("invalid_field", _describe(exc, schema)) from None


def _describe(exc: ValidationError, schema: type[BaseModel]) -> str:
    error = exc.errors()[0]
    field = ".".join(str(part) for part in error["loc"]) or "body"
    if error["type"] == "extra_forbidden":
        allowed = ", ".join(f'"{name}"' for name in schema.model_fields)
        return f'Unknown field "{field}"; expected only {allowed}.'
    if error["type"] == "missing":
        return f'The field "{field}" is required.'
    return f'The field "{field}" is invalid: {error["msg"].lower()}.'
