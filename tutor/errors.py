class TutorError(Exception):
    """A request the tutor refuses; ``code`` is machine-readable, ``detail`` is for a person."""

    def __init__(self, code: str, detail: str, client_msg_id: str | None = None):
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.client_msg_id = client_msg_id


COURSE_NOT_FOUND = ("course_not_found", "No course with this id is open to you.")
CONVERSATION_NOT_FOUND = ("conversation_not_found", "No conversation with this id is open to you.")
