from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from learning.models import Course, GoldenQuestion, Item
from tutor.models import Message, ModelVersion


class ReviewPolicy(models.Model):
    """How much of a course's teachers' time review may take. Courses without a policy use the settings."""

    course = models.OneToOneField(Course, on_delete=models.CASCADE, related_name="review_policy")
    reviews_per_teacher_per_day = models.PositiveIntegerField()
    random_share = models.FloatField(help_text="Share of confident answers also sent for review at random (0 to 0.5).")
    learn_share = models.FloatField(
        _("learn share"), null=True, blank=True,
        help_text=_("Share of the rest of the budget spent on the answers whose verdicts teach the router most, "
                    "the others going to the likeliest wrong (0 to 1; empty: the school's setting)."))

    class Meta:
        verbose_name_plural = "review policies"

    def __str__(self) -> str:
        return f"review policy of {self.course}"


class RouterVersion(models.Model):
    """A router model fitted to teachers' verdicts. The newest one routes new answers."""

    created_at = models.DateTimeField(auto_now_add=True)
    model = models.JSONField()
    verdicts_used = models.PositiveIntegerField()
    last_verdict_id = models.PositiveBigIntegerField(help_text="The newest review task whose verdict was used.")
    metrics = models.JSONField(default=dict)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"router v{self.pk} ({self.verdicts_used} verdicts)"


class Flag(models.TextChoices):
    LOW_CONFIDENCE = "low_confidence", "Likely wrong"
    RANDOM_SAMPLE = "random_sample", "Random sample"
    LEARN = "learn", _("To teach the router")
    UNANSWERED = "unanswered", "Unanswered (the tutor was not sure)"


class AnswerScore(models.Model):
    """The router's estimate for one tutor answer, with the features it was computed from."""

    message = models.OneToOneField(Message, primary_key=True, on_delete=models.CASCADE, related_name="router_score")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    p_correct = models.FloatField()
    features = models.JSONField()
    router_version = models.ForeignKey(RouterVersion, null=True, blank=True, on_delete=models.SET_NULL)
    question_key = models.CharField(max_length=200)
    flag = models.CharField(max_length=20, choices=Flag.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["course", "-created_at"]),
            models.Index(fields=["course", "question_key"]),
        ]


class ReviewTask(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLAIMED = "claimed", "Claimed"
        APPROVED = "approved", "Approved"
        CORRECTED = "corrected", "Corrected"
        REJECTED = "rejected", "Rejected"
        SUPERSEDED = "superseded", "Dropped for a likelier-wrong answer"

    UNRESOLVED = (Status.OPEN, Status.CLAIMED)
    VERDICTS = (Status.APPROVED, Status.CORRECTED, Status.REJECTED)

    answer = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="review_task")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="review_tasks")
    reason = models.CharField(max_length=20, choices=Flag.choices)
    p_correct = models.FloatField(help_text="The router's probability that the answer is right, when flagged.")
    askers = models.PositiveIntegerField(default=1, help_text="Students who asked this question (same key).")
    priority = models.FloatField(db_index=True)
    question_key = models.CharField(max_length=200)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    corrected_text = models.TextField(blank=True)
    reject_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["course", "status", "-priority"]),
            models.Index(fields=["course", "created_at"]),
            models.Index(fields=["resolved_by", "resolved_at"]),
        ]

    def __str__(self) -> str:
        return f"review of answer {self.answer_id}"

    @property
    def verdict_correct(self) -> bool | None:
        """The teacher's verdict on the answer: right (approved), wrong (corrected or rejected), or none yet."""
        if self.status == self.Status.APPROVED:
            return True
        if self.status in (self.Status.CORRECTED, self.Status.REJECTED):
            return False
        return None


class ReviewEvent(models.Model):
    """The history of a review task: every claim, release and verdict, by whom and when."""

    class Action(models.TextChoices):
        FLAGGED = "flagged", "Flagged"
        CLAIMED = "claimed", "Claimed"
        RELEASED = "released", "Released"
        APPROVED = "approved", "Approved"
        CORRECTED = "corrected", "Corrected"
        REJECTED = "rejected", "Rejected"
        SUPERSEDED = "superseded", "Superseded"

    task = models.ForeignKey(ReviewTask, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=12, choices=Action.choices)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class TrainingExample(models.Model):
    """A question with the answer a teacher stands behind, and where it came from."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", "Teacher's correction"
        APPROVED = "approved", "Approved answer"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="training_examples")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    question = models.TextField()
    earlier_turns = models.JSONField(default=list, help_text="[role, text] pairs before the question.")
    answer = models.TextField(help_text="What the tutor should have said.")
    original_answer = models.TextField(help_text="What the tutor said.")
    source_message = models.ForeignKey(Message, null=True, on_delete=models.SET_NULL, related_name="+")
    review_task = models.OneToOneField(ReviewTask, null=True, on_delete=models.SET_NULL, related_name="training_example")
    teacher = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    model_name = models.CharField(max_length=200, blank=True, help_text="The model version that answered.")
    gold = models.JSONField(default=list, blank=True, help_text="Phrases a right answer contains; empty: the answer.")
    gold_check = models.CharField(max_length=8, blank=True, help_text="exact, numeric or contains; empty: like the answer.")
    rewordings = models.JSONField(
        default=list, blank=True, help_text="Other ways to ask the question; held out to test a retrained tutor."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["course", "kind", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for course {self.course_id}"


class GoldenCase(models.Model):
    """A course's frozen golden question: held out of training, asked of every new version."""

    class Source(models.TextChoices):
        ITEM = "item", "Reference question (practice item)"
        APPROVED = "approved", "Approved answer"
        NOTES = "notes", "Author's question on the notes"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="golden_cases")
    source = models.CharField(max_length=8, choices=Source.choices)
    question = models.TextField()
    gold = models.JSONField(help_text="Phrases or numbers a right answer states; a choice question's right key.")
    gold_check = models.CharField(max_length=9, help_text="exact, numeric, contains, choice or reference.")
    options = models.JSONField(default=list, blank=True, help_text='A choice question\'s [["a", "1/6"], ...].')
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    golden_question = models.ForeignKey(GoldenQuestion, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+")
    example = models.ForeignKey(TrainingExample, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"golden case {self.pk} of course {self.course_id}"


class TrainingRun(models.Model):
    """One fine-tuning of a course's adapter, from its data to the gate's decision."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        PROMOTED = "promoted", "Promoted (serving)"
        REJECTED = "rejected", "Rejected by the gate"
        NOT_JUDGED = "not_judged", "Not judged (answers failed to generate)"
        FAILED = "failed", "Failed"

    class Trigger(models.TextChoices):
        ADMIN = "admin", "Started from admin"
        THRESHOLD = "threshold", "Enough new corrections"
        SCHEDULE = "schedule", "Schedule"

    LIVE = (Status.QUEUED, Status.RUNNING)

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="training_runs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    owner = models.CharField(max_length=200, blank=True, help_text="The worker running it (host:pid:token).")
    attempts = models.PositiveIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    step = models.PositiveIntegerField(default=0)
    total_steps = models.PositiveIntegerField(default=0)
    examples_seen = models.PositiveIntegerField(default=0)
    tokens_seen = models.PositiveBigIntegerField(default=0)
    losses = models.JSONField(default=list, blank=True, help_text="The training loss of every step.")
    hyperparameters = models.JSONField(default=dict, blank=True)
    data = models.JSONField(default=dict, blank=True, help_text="What it trains and is judged on, frozen at start.")
    report = models.JSONField(default=dict, blank=True, help_text="Timings, accuracies and the gate's decision.")
    error = models.TextField(blank=True)
    model_version = models.OneToOneField(ModelVersion, null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="training_run")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["course"], condition=models.Q(status__in=["queued", "running"]),
                name="training_run_one_live_per_course",
            )
        ]

    def __str__(self) -> str:
        return f"training run {self.pk} of course {self.course_id} ({self.status})"
