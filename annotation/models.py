from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from learning.models import Course, GoldenQuestion, Item
from tutor.models import Message, ModelVersion


class ReviewPolicy(models.Model):
    """How much of a course's teachers' time review may take. Courses without a policy use the settings."""

    course = models.OneToOneField(Course, on_delete=models.CASCADE, related_name="review_policy",
                                  verbose_name=_("course"))
    reviews_per_teacher_per_day = models.PositiveIntegerField(verbose_name=_("reviews per teacher per day"))
    random_share = models.FloatField(help_text=_("Share of confident answers also sent for review at random (0 to 0.5)."),
                                     verbose_name=_("random share"))
    learn_share = models.FloatField(
        _("learn share"), null=True, blank=True,
        help_text=_("Share of the rest of the budget spent on the answers whose verdicts teach the router most, "
                    "the others going to the likeliest wrong (0 to 1; empty: the school's setting)."))

    class Meta:
        verbose_name = _("review policy")
        verbose_name_plural = _("review policies")

    def __str__(self) -> str:
        return f"review policy of {self.course}"


class RouterVersion(models.Model):
    """A router model fitted to teachers' verdicts. The newest one routes new answers."""

    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    model = models.JSONField(verbose_name=_("model"))
    verdicts_used = models.PositiveIntegerField(verbose_name=_("verdicts used"))
    last_verdict_id = models.PositiveBigIntegerField(help_text=_("The newest review task whose verdict was used."),
                                                     verbose_name=_("last verdict id"))
    metrics = models.JSONField(default=dict, verbose_name=_("metrics"))

    class Meta:
        verbose_name = _("router version")
        verbose_name_plural = _("router versions")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"router v{self.pk} ({self.verdicts_used} verdicts)"


class Flag(models.TextChoices):
    LOW_CONFIDENCE = "low_confidence", _("Likely wrong")
    RANDOM_SAMPLE = "random_sample", _("Random sample")
    LEARN = "learn", _("To teach the router")
    UNANSWERED = "unanswered", _("Unanswered (the tutor was not sure)")
    DRAFT = "draft", _("Draft held for approval")


class AnswerScore(models.Model):
    """The router's estimate for one tutor answer, with the features it was computed from."""

    message = models.OneToOneField(Message, primary_key=True, on_delete=models.CASCADE, related_name="router_score",
                                   verbose_name=_("message"))
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+", verbose_name=_("course"))
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("student"))
    p_correct = models.FloatField(verbose_name=_("p correct"))
    features = models.JSONField(verbose_name=_("features"))
    router_version = models.ForeignKey(RouterVersion, null=True, blank=True, on_delete=models.SET_NULL,
                                       verbose_name=_("router version"))
    question_key = models.CharField(max_length=200, verbose_name=_("question key"))
    flag = models.CharField(max_length=20, choices=Flag.choices, blank=True, verbose_name=_("flag"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("answer score")
        verbose_name_plural = _("answer scores")
        indexes = [
            models.Index(fields=["course", "-created_at"]),
            models.Index(fields=["course", "question_key"]),
        ]


class ReviewTask(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLAIMED = "claimed", _("Claimed")
        APPROVED = "approved", _("Approved")
        CORRECTED = "corrected", _("Corrected")
        REJECTED = "rejected", _("Rejected")
        SUPERSEDED = "superseded", _("Dropped for a likelier-wrong answer")

    UNRESOLVED = (Status.OPEN, Status.CLAIMED)
    VERDICTS = (Status.APPROVED, Status.CORRECTED, Status.REJECTED)

    answer = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="review_task",
                                  verbose_name=_("answer"))
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="review_tasks", verbose_name=_("course"))
    reason = models.CharField(max_length=20, choices=Flag.choices, verbose_name=_("reason"))
    p_correct = models.FloatField(help_text=_("The router's probability that the answer is right, when flagged."),
                                  verbose_name=_("p correct"))
    askers = models.PositiveIntegerField(default=1, help_text=_("Students who asked this question (same key)."),
                                         verbose_name=_("askers"))
    priority = models.FloatField(db_index=True, verbose_name=_("priority"))
    question_key = models.CharField(max_length=200, verbose_name=_("question key"))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN, verbose_name=_("status"))
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("claimed by")
    )
    claimed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("claimed at"))
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("resolved by")
    )
    resolved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("resolved at"))
    corrected_text = models.TextField(blank=True, verbose_name=_("corrected text"))
    reject_reason = models.TextField(blank=True, verbose_name=_("reject reason"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("review task")
        verbose_name_plural = _("review tasks")
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
        FLAGGED = "flagged", _("Flagged")
        CLAIMED = "claimed", _("Claimed")
        RELEASED = "released", _("Released")
        APPROVED = "approved", _("Approved")
        CORRECTED = "corrected", _("Corrected")
        REJECTED = "rejected", _("Rejected")
        SUPERSEDED = "superseded", _("Superseded")

    task = models.ForeignKey(ReviewTask, on_delete=models.CASCADE, related_name="events", verbose_name=_("task"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("actor"))
    action = models.CharField(max_length=12, choices=Action.choices, verbose_name=_("action"))
    detail = models.JSONField(default=dict, blank=True, verbose_name=_("detail"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("review event")
        verbose_name_plural = _("review events")
        ordering = ["id"]


class TrainingExample(models.Model):
    """A question with the answer a teacher stands behind, and where it came from."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Teacher's correction")
        APPROVED = "approved", _("Approved answer")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="training_examples",
                               verbose_name=_("course"))
    kind = models.CharField(max_length=12, choices=Kind.choices, verbose_name=_("kind"))
    question = models.TextField(verbose_name=_("question"))
    earlier_turns = models.JSONField(default=list, help_text=_("[role, text] pairs before the question."),
                                     verbose_name=_("earlier turns"))
    answer = models.TextField(help_text=_("What the tutor should have said."), verbose_name=_("answer"))
    original_answer = models.TextField(help_text=_("What the tutor said."), verbose_name=_("original answer"))
    source_message = models.ForeignKey(Message, null=True, on_delete=models.SET_NULL, related_name="+",
                                       verbose_name=_("source message"))
    review_task = models.OneToOneField(ReviewTask, null=True, on_delete=models.SET_NULL, related_name="training_example",
                                       verbose_name=_("review task"))
    teacher = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                verbose_name=_("teacher"))
    model_name = models.CharField(max_length=200, blank=True, help_text=_("The model version that answered."),
                                  verbose_name=_("model name"))
    gold = models.JSONField(default=list, blank=True, help_text=_("Phrases a right answer contains; empty: the answer."),
                            verbose_name=_("gold"))
    gold_check = models.CharField(max_length=8, blank=True, help_text=_("exact, numeric or contains; empty: like the answer."),
                                  verbose_name=_("gold check"))
    rewordings = models.JSONField(
        default=list, blank=True, help_text=_("Other ways to ask the question; held out to test a retrained tutor."),
        verbose_name=_("rewordings")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("training example")
        verbose_name_plural = _("training examples")
        indexes = [models.Index(fields=["course", "kind", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for course {self.course_id}"


class GoldenCase(models.Model):
    """A course's frozen golden question: held out of training, asked of every new version."""

    class Source(models.TextChoices):
        ITEM = "item", _("Reference question (practice item)")
        APPROVED = "approved", _("Approved answer")
        NOTES = "notes", _("Author's question on the notes")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="golden_cases", verbose_name=_("course"))
    source = models.CharField(max_length=8, choices=Source.choices, verbose_name=_("source"))
    question = models.TextField(verbose_name=_("question"))
    gold = models.JSONField(help_text=_("Phrases or numbers a right answer states; a choice question's right key."),
                            verbose_name=_("gold"))
    gold_check = models.CharField(max_length=9, help_text=_("exact, numeric, contains, choice or reference."),
                                  verbose_name=_("gold check"))
    options = models.JSONField(default=list, blank=True, help_text='A choice question\'s [["a", "1/6"], ...].',
                               verbose_name=_("options"))
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("item"))
    golden_question = models.ForeignKey(GoldenQuestion, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+", verbose_name=_("golden question"))
    example = models.ForeignKey(TrainingExample, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                verbose_name=_("example"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("golden case")
        verbose_name_plural = _("golden cases")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"golden case {self.pk} of course {self.course_id}"


class TrainingRun(models.Model):
    """One fine-tuning of a course's adapter, from its data to the gate's decision."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        PROMOTED = "promoted", _("Promoted (serving)")
        REJECTED = "rejected", _("Rejected by the gate")
        NOT_JUDGED = "not_judged", _("Not judged (answers failed to generate)")
        FAILED = "failed", _("Failed")

    class Trigger(models.TextChoices):
        ADMIN = "admin", _("Started from admin")
        THRESHOLD = "threshold", _("Enough new corrections")
        SCHEDULE = "schedule", _("Schedule")

    LIVE = (Status.QUEUED, Status.RUNNING)

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="training_runs", verbose_name=_("course"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, verbose_name=_("status"))
    trigger = models.CharField(max_length=10, choices=Trigger.choices, verbose_name=_("trigger"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("requested by"))
    owner = models.CharField(max_length=200, blank=True, help_text=_("The worker running it (host:pid:token)."),
                             verbose_name=_("owner"))
    attempts = models.PositiveIntegerField(default=0, verbose_name=_("attempts"))
    heartbeat_at = models.DateTimeField(null=True, blank=True, verbose_name=_("heartbeat at"))
    step = models.PositiveIntegerField(default=0, verbose_name=_("step"))
    total_steps = models.PositiveIntegerField(default=0, verbose_name=_("total steps"))
    examples_seen = models.PositiveIntegerField(default=0, verbose_name=_("examples seen"))
    tokens_seen = models.PositiveBigIntegerField(default=0, verbose_name=_("tokens seen"))
    losses = models.JSONField(default=list, blank=True, help_text=_("The training loss of every step."),
                              verbose_name=_("losses"))
    hyperparameters = models.JSONField(default=dict, blank=True, verbose_name=_("hyperparameters"))
    data = models.JSONField(default=dict, blank=True, help_text=_("What it trains and is judged on, frozen at start."),
                            verbose_name=_("data"))
    report = models.JSONField(default=dict, blank=True, help_text=_("Timings, accuracies and the gate's decision."),
                              verbose_name=_("report"))
    error = models.TextField(blank=True, verbose_name=_("error"))
    model_version = models.OneToOneField(ModelVersion, null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="training_run", verbose_name=_("model version"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    started_at = models.DateTimeField(null=True, blank=True, verbose_name=_("started at"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))

    class Meta:
        verbose_name = _("training run")
        verbose_name_plural = _("training runs")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["course"], condition=models.Q(status__in=["queued", "running"]),
                name="training_run_one_live_per_course",
            )
        ]

    def __str__(self) -> str:
        return f"training run {self.pk} of course {self.course_id} ({self.status})"
