import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from learning.models import Course
from tutor.experiments import arms

MAX_DRAFT_WAIT_MINUTES = 7 * 24 * 60  # a week: past that a held answer is of no use to the student


class ApiToken(models.Model):
    """A bearer token for non-browser clients. Only its SHA-256 is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens",
                             verbose_name=_("user"))
    key_hash = models.CharField(max_length=64, unique=True, verbose_name=_("key hash"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    expires_at = models.DateTimeField(verbose_name=_("expires at"))
    # By its owner's logout or request, or an administrator.
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("revoked at"))

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    @staticmethod
    def hash_key(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    def __str__(self) -> str:
        state = "revoked" if self.revoked_at else f"until {self.expires_at:%Y-%m-%d}"
        return f"token of {self.user} {state}"


class Conversation(models.Model):
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversations",
                                verbose_name=_("student"))
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="conversations", verbose_name=_("course"))
    title = models.CharField(max_length=120, blank=True, verbose_name=_("title"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        indexes = [models.Index(fields=["student", "course", "-created_at"])]

    def __str__(self) -> str:
        return self.title or f"conversation {self.pk}"


class Message(models.Model):
    class Role(models.TextChoices):
        STUDENT = "student", _("Student")
        TUTOR = "tutor", _("Tutor")

    class Status(models.TextChoices):
        PENDING = "pending", _("Being generated")
        COMPLETE = "complete", _("Complete")
        FAILED = "failed", _("Failed")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages",
                                     verbose_name=_("conversation"))
    role = models.CharField(max_length=8, choices=Role.choices, verbose_name=_("role"))
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("sender")
    )
    client_msg_id = models.UUIDField(null=True, blank=True, default=None, verbose_name=_("client msg id"))
    reply_to = models.OneToOneField("self", null=True, blank=True, on_delete=models.CASCADE, related_name="answer",
                                    verbose_name=_("reply to"))
    text = models.TextField(blank=True, verbose_name=_("text"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.COMPLETE, verbose_name=_("status"))
    error_code = models.CharField(max_length=40, blank=True, verbose_name=_("error code"))
    confidence = models.FloatField(null=True, blank=True, verbose_name=_("confidence"))
    features = models.JSONField(null=True, blank=True, verbose_name=_("features"))
    context = models.JSONField(
        null=True, blank=True, help_text=_("What the answer was built from (retrieved passages, weak skills, open item) and how it was "
                  "checked: check, abstained."), verbose_name=_("context")
    )
    sources = models.JSONField(
        default=list, blank=True, help_text=_("The course-note sentences the answer is grounded in: passage, title, text."),
        verbose_name=_("sources")
    )
    corrected_text = models.TextField(blank=True, help_text=_("A teacher's correction; shown instead of the text."),
                                      verbose_name=_("corrected text"))
    corrected_at = models.DateTimeField(null=True, blank=True, verbose_name=_("corrected at"))
    model_name = models.CharField(max_length=200, blank=True, verbose_name=_("model name"))
    prompt_tokens = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("prompt tokens"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    completed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("completed at"))

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
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
        CANDIDATE = "candidate", _("Candidate (being evaluated)")
        ACTIVE = "active", _("Active (serving)")
        REJECTED = "rejected", _("Rejected by the evaluation gate")
        RETIRED = "retired", _("Retired (was active)")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="model_versions",
                               verbose_name=_("course"))
    number = models.PositiveIntegerField(verbose_name=_("number"))
    base_model = models.CharField(max_length=200, verbose_name=_("base model"))
    folder = models.CharField(max_length=500, help_text=_("The adapter folder, relative to TUTOR_ADAPTER_DIR."),
                              verbose_name=_("folder"))
    sha256 = models.CharField(max_length=64, help_text=_("Hash of the folder's files; a mismatching folder is refused."),
                              verbose_name=_("sha256"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CANDIDATE, verbose_name=_("status"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    activated_at = models.DateTimeField(null=True, blank=True, verbose_name=_("activated at"))

    class Meta:
        verbose_name = _("model version")
        verbose_name_plural = _("model versions")
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
        SELF_HARM = "self_harm", _("Self-harm")
        ABUSE = "abuse", _("Abuse")
        BULLYING = "bullying", _("Bullying")
        THREAT = "threat", _("Threat to others")

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("student"))
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="safeguarding_alerts",
                               verbose_name=_("course"))
    question = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="safeguarding_alert",
                                    verbose_name=_("question"))
    kind = models.CharField(max_length=16, choices=Kind.choices, verbose_name=_("kind"))
    signal = models.CharField(max_length=300, help_text=_("What raised it: the matched phrase or the closest example."),
                              verbose_name=_("signal"))
    text = models.TextField(help_text=_("The student's message."), verbose_name=_("text"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    notify_attempts = models.PositiveIntegerField(default=0, verbose_name=_("notify attempts"))
    notified_at = models.DateTimeField(null=True, blank=True, verbose_name=_("notified at"))
    notified_to = models.TextField(blank=True, verbose_name=_("notified to"))
    last_error = models.CharField(max_length=500, blank=True, verbose_name=_("last error"))
    acknowledged_at = models.DateTimeField(null=True, blank=True, verbose_name=_("acknowledged at"))
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("acknowledged by")
    )

    class Meta:
        verbose_name = _("safeguarding alert")
        verbose_name_plural = _("safeguarding alerts")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["course", "-created_at"]), models.Index(fields=["notified_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} alert in {self.course}"


class Experiment(models.Model):
    """A comparison of arms that each set one named factor for the students it covers (tutor.experimenting).
    Analysed fixed-horizon: the interval is a decision only once each arm has ``planned_per_arm`` students."""

    class Factor(models.TextChoices):
        ANSWER_STYLE = arms.ANSWER_STYLE, _("Answer style (explain or hints)")
        GROUNDING = arms.GROUNDING, _("Grounded answers (on or off)")
        PRACTICE_FLOW = arms.PRACTICE_FLOW, _("Practice flow (diagnose first, or practice only)")
        ADAPTER = arms.ADAPTER, _("Model adapter (a model version of the course)")

    class Status(models.TextChoices):
        RUNNING = "running", _("Running (assigns and applies arms)")
        STOPPED = "stopped", _("Stopped (everyone gets the course's settings)")

    name = models.CharField(max_length=120, verbose_name=_("name"))
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="experiments", verbose_name=_("course"))
    factor = models.CharField(max_length=16, choices=Factor.choices,
                              help_text=_("The one thing the arms change; everything else stays as the course has it."),
                              verbose_name=_("factor"))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.RUNNING, verbose_name=_("status"))
    students = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+",
        help_text=_("The course's students it covers; none chosen: every student of the course."),
        verbose_name=_("students"))
    planned_per_arm = models.PositiveIntegerField(
        # Translators: "86 %" is a percentage, not a format. xgettext:no-python-format
        default=600, help_text=_("Students per arm the analysis waits for before its interval is a decision (600 "
                               "found a true 5-point effect on next-item correctness in 86 % of simulated "
                               "experiments: manage.py experiment_sim)."), verbose_name=_("planned per arm"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("experiment")
        verbose_name_plural = _("experiments")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        error = arms.factor_error(self.factor)
        if error:
            raise ValidationError({"factor": error})


class ExperimentArm(models.Model):
    """One arm: its ``setting`` of the experiment's factor (blank: the course's own, a control arm), or, for the
    adapter factor, ``model_version`` (empty: the course's active version)."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="arms",
                                   verbose_name=_("experiment"))
    name = models.CharField(max_length=60, verbose_name=_("name"))
    setting = models.CharField(max_length=16, blank=True,
                               help_text=_("answer style: explain or hints; grounding: on or off; blank: the course's."),
                               verbose_name=_("setting"))
    model_version = models.ForeignKey(ModelVersion, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+", help_text=_("Adapter arms only."),
                                      verbose_name=_("model version"))

    class Meta:
        verbose_name = _("experiment arm")
        verbose_name_plural = _("experiment arms")
        ordering = ["experiment", "pk"]
        constraints = [models.UniqueConstraint(fields=["experiment", "name"], name="experiment_arm_unique_name")]

    def __str__(self) -> str:
        return self.name


class ExperimentAssignment(models.Model):
    """A student's arm, recorded on their first exposure (the first answer planned while the experiment runs)."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="assignments",
                                   verbose_name=_("experiment"))
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("student"))
    arm = models.ForeignKey(ExperimentArm, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("arm"))
    assigned_at = models.DateTimeField(auto_now_add=True, verbose_name=_("assigned at"))

    class Meta:
        verbose_name = _("experiment assignment")
        verbose_name_plural = _("experiment assignments")
        constraints = [models.UniqueConstraint(fields=["experiment", "student"],
                                               name="experiment_assignment_unique_student")]


class DraftPolicy(models.Model):
    """A course's draft approval (tutor.drafts), on while the course has one: an answer scored below
    ``hold_below`` is held for its teachers instead of being sent, for the students it applies to (chosen
    students and the members of chosen groups; none chosen: every student of the course)."""

    class OnTimeout(models.TextChoices):
        SEND = "send", _("Send it, labelled as not yet checked by the teacher")
        KEEP = "keep", _("Keep it held until a teacher decides")

    course = models.OneToOneField(Course, on_delete=models.CASCADE, related_name="draft_policy",
                                  verbose_name=_("course"))
    hold_below = models.FloatField(
        _("hold below"), default=0.5, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_("An answer whose confidence is below this waits for a teacher; 1 holds every answer."))
    wait_minutes = models.PositiveIntegerField(
        _("wait (minutes)"), default=10, validators=[MinValueValidator(1), MaxValueValidator(MAX_DRAFT_WAIT_MINUTES)],
        help_text=_("How long a held draft waits for a teacher before the setting below applies."))
    on_timeout = models.CharField(_("after the wait"), max_length=4, choices=OnTimeout.choices,
                                  default=OnTimeout.SEND)
    students = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+",
                                      verbose_name=_("students"),
                                      help_text=_("Only these students' answers are held (with the groups below); "
                                                  "none chosen: every student of the course."))
    groups = models.ManyToManyField("auth.Group", blank=True, related_name="+", verbose_name=_("groups"),
                                    help_text=_("Only the answers of these groups' members are held."))

    class Meta:
        verbose_name = _("draft approval")
        verbose_name_plural = _("draft approval")

    def __str__(self) -> str:
        return f"draft approval of {self.course}"


class Draft(models.Model):
    """A tutor answer held for the course's teachers. Its status changes only by compare-and-swap from HELD
    (tutor.drafts): a teacher's decision and the timeout's release race, and exactly one wins."""

    class Status(models.TextChoices):
        HELD = "held", _("Held for a teacher")
        APPROVED = "approved", _("Approved as written")
        EDITED = "edited", _("Edited by a teacher")
        REJECTED = "rejected", _("Rejected")
        RELEASED = "released", _("Sent unchecked after the wait")

    DECIDED = (Status.APPROVED, Status.EDITED, Status.REJECTED)

    answer = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="draft", verbose_name=_("answer"))
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="drafts", verbose_name=_("course"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.HELD)
    confidence = models.FloatField(_("confidence"))
    held_at = models.DateTimeField(_("held at"), auto_now_add=True)
    release_at = models.DateTimeField(_("release at"), help_text=_("When the wait ends."))
    on_timeout = models.CharField(_("after the wait"), max_length=4, choices=DraftPolicy.OnTimeout.choices)
    timed_out_at = models.DateTimeField(_("timed out at"), null=True, blank=True,
                                        help_text=_("The wait ended while it was still held."))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("decided by"))
    edit_distance = models.PositiveIntegerField(_("edit distance"), null=True, blank=True,
                                                help_text=_("Characters changed by the teacher (Levenshtein)."))
    approved_as_is = models.BooleanField(_("approved as is"), null=True, blank=True,
                                         help_text=_("Approved, or edited by at most two characters."))

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")
        indexes = [models.Index(fields=["course", "status"]), models.Index(fields=["status", "release_at"])]

    def __str__(self) -> str:
        return f"draft of answer {self.answer_id} ({self.status})"


@dataclass(frozen=True)
class AskResult:
    """A question with its answer: what services write and selectors read back for the inference worker."""

    conversation: Conversation
    question: Message
    answer: Message
    created: bool  # False: a repeated client_msg_id, nothing new was written
    new_conversation: bool = False
    safeguarding: bool = False  # the answer is the supportive text, already stored: nothing to generate
