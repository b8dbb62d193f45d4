"""The export document: one JSON object whose schema is assembled from the registered sections and shipped,
versioned, as docs/student-data.schema.json (``manage.py student_data schema`` writes it; a test fails when the
shipped file and the code disagree).

Bump ``SCHEMA_VERSION`` when a field changes meaning or goes away; a new section or field is added within the
same major version only if readers were told to ignore unknown keys, which this schema does not promise (it is
closed), so any change of the file bumps it.
"""
from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Literal

from pydantic import create_model

from learning.privacy.registry import Part, PrivacySection, sections_bottom_up

SCHEMA_VERSION = 2  # 2: LTI links (the lti section)
SCHEMA_ID = f"urn:adaptive-tutor:student-data:v{SCHEMA_VERSION}"


def document_model() -> type[Part]:
    return _document_model(tuple(sections_bottom_up()))


@cache
def _document_model(sections: tuple[PrivacySection, ...]) -> type[Part]:
    fields = {section.key: (section.part, ...) for section in sections}
    return create_model("StudentData", __base__=Part, schema_version=(Literal[SCHEMA_VERSION], ...),
                        exported_at=(datetime, ...), **fields)


def document_schema() -> dict:
    schema = document_model().model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
            "description": "Everything the adaptive tutor holds about one student (docs/privacy.md).", **schema}
