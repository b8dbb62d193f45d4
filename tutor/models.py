import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db import models

from learning.models import Course


class ApiToken(models.Model):
    """A bearer token for non-browser clients. Only its SHA-256 is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)  # by its owner's logout or request, or an administrator

    @staticmethod
    def hash_key(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    def __str__(self) -> str:
        state = "revoked" if self.revoked_at else f"until {self.expires_at:%Y-%m-%d}"
        return f"token of {self.user} {state}"


class Conversation(models.Model):
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversations")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="conversations")
    title = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["student", "course", "-created_at"])]

    def __str__(self) -> str:
        return self.title or f"conversation {self.pk}"


class Message(models.Model):
    class Role(models.TextChoices):
        STUDENT = "student", "Student"
        TUTOR = "tutor", "Tutor"

    class Status(models.TextChoices):
        PENDING = "pending", "Being generated"
        COMPLETE = "complete", "Complete"
        FAILED = "failed", "Failed"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    role = models.CharField(max_length=8, choices=Role.choices)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    client_msg_id = models.UUIDField(null=True, blank=True, default=None)
    reply_to = models.OneToOneField("self", null=True, blank=True, on_delete=models.CASCADE, related_name="answer")
    text = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.COMPLETE)
    error_code = models.CharField(max_length=40, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    features = models.JSONField(null=True, blank=True)
    context = models.JSONField(
        null=True, blank=True, help_text="What the answer was built from (retrieved passages, weak skills, open item) and how it was "
                  "checked: check, abstained."
    )
    sources = models.JSONField(
        default=list, blank=True, help_text="The course-note sentences the answer is grounded in: passage, title, text."
    )
    corrected_text = models.TextField(blank=True, help_text="A teacher's correction; shown instead of the text.")
    corrected_at = models.DateTimeField(null=True, blank=True)
    model_name = models.CharField(max_length=200, blank=True)
    prompt_tokens = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            # A client retrying an ask with the same id must never produce a second question.
            models.UniqueConstraint(
                fields=["sender", "client_msg_id"],
                condition=models.Q(client_msg_id__isnull=False),
                name="message_unique_client_msg_id",
            )
        ]
        indexes = [models.Index(fields=["sender", "created_at"])]

    def __str__(self) -> str:
        return f"{self.role} message {self.pk}"




class ModelVersion(models.Model):
    """A course's fine-tuned adapter: what serving reads. At most one version of a course is active."""

    class Status(models.TextChoices):
        CANDIDATE = "candidate", "Candidate (being evaluated)"
        ACTIVE = "active", "Active (serving)"
        REJECTED = "rejected", "Rejected by the evaluation gate"
        RETIRED = "retired", "Retired (was active)"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="model_versions")
    number = models.PositiveIntegerField()
    base_model = models.CharField(max_length=200)
    folder = models.CharField(max_length=500, help_text="The adapter folder, relative to TUTOR_ADAPTER_DIR.")
    sha256 = models.CharField(max_length=64, help_text="Hash of the folder's files; a mismatching folder is refused.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CANDIDATE)
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["course", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["course", "number"], name="model_version_unique_number"),
            models.UniqueConstraint(
                fields=["course"], condition=models.Q(status="active"), name="model_version_one_active_per_course"
            ),
        ]

    @property
    def name(self) -> str:
        return f"{self.course.slug}-v{self.number}"

    def __str__(self) -> str:
        return f"{self.name} ({self.status})"


class SafeguardingAlert(models.Model):
    """A student's question that signalled risk (tutor.safeguarding). Stored with the question, before anyone
    is notified; the notification is retried until ``notified_at`` is set."""

    class Kind(models.TextChoices):
        SELF_HARM = "self_harm", "Self-harm"
        ABUSE = "abuse", "Abuse"
        BULLYING = "bullying", "Bullying"
        THREAT = "threat", "Threat to others"

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="safeguarding_alerts")
    question = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="safeguarding_alert")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    signal = models.CharField(max_length=300, help_text="What raised it: the matched phrase or the closest example.")
    text = models.TextField(help_text="The student's message.")
    created_at = models.DateTimeField(auto_now_add=True)
    notify_attempts = models.PositiveIntegerField(default=0)
    notified_at = models.DateTimeField(null=True, blank=True)
    notified_to = models.TextField(blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["course", "-created_at"]), models.Index(fields=["notified_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} alert in {self.course}"


@dataclass(frozen=True)
class AskResult:
    """A question with its answer: what services write and selectors read back for the inference worker."""

    conversation: Conversation
    question: Message
    answer: Message
    created: bool  # False: a repeated client_msg_id, nothing new was written
    new_conversation: bool = False
    safeguarding: bool = False  # the answer is the supportive text, already stored: nothing to generate
