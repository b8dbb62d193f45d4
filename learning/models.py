import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


# Under the router's prior an unchecked answer scores about 0.4 when the model wrote it fluently and falls under
# 0.3 only when it hedged, looped, was cut short or wavered token by token: the answers most likely wrong. A
# higher value would also hold back many right answers, and each one held costs a teacher's time.
DEFAULT_ABSTAIN_BELOW = 0.3
# A day's questions per student beyond this are a typing loop or a script, not a student.
MAX_DAILY_QUESTION_LIMIT = 1000


class AnswerStyle(models.TextChoices):
    EXPLAIN = "explain", _("Explain the verified working")
    HINTS = "hints", _("Hints only (never the result)")


# The course's settings of the tutor, which its teachers change (annotation.admin.course_settings); the review
# budget is annotation.ReviewPolicy.
AI_SETTING_FIELDS = ("tutor_enabled", "answer_style", "daily_question_limit", "answer_off_topic", "abstain_below")


class Course(models.Model):
    slug = models.SlugField(max_length=80, unique=True, verbose_name=_("slug"))
    title = models.CharField(max_length=200, verbose_name=_("title"))
    description = models.TextField(blank=True, help_text=_("What the course covers; the tutor reads it as context."),
                                   verbose_name=_("description"))
    content_revision = models.PositiveIntegerField(
        default=0, help_text=_("Bumped by every content import, so caches of the course know to reload."),
        verbose_name=_("content revision")
    )
    knowledge_revision = models.PositiveIntegerField(
        default=0, help_text=_("Bumped by every calibration, so cached knowledge models of the course reload."),
        verbose_name=_("knowledge revision")
    )
    answer_style = models.CharField(
        max_length=8, choices=AnswerStyle.choices, default=AnswerStyle.EXPLAIN,
        help_text=_("For a calculation the tutor can solve: show the verified working and explain it, or give "
                  "hints that never state the result."), verbose_name=_("answer style")
    )
    abstain_below = models.FloatField(
        null=True, blank=True, default=DEFAULT_ABSTAIN_BELOW,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_("An answer the system cannot check (no solvable calculation, no supporting course note) whose "
                  "confidence is below this is not sent: the student is told the tutor is not sure and the "
                  "question goes to the teachers. Empty: never hold answers back."), verbose_name=_("abstain below")
    )
    tutor_enabled = models.BooleanField(
        default=True, verbose_name=_("tutor on"),
        help_text=_("Off: students' questions are refused (tutor_disabled) and nothing is generated or stored; "
                  "practice items and their grading still work."),
    )
    daily_question_limit = models.PositiveIntegerField(
        null=True, blank=True,
        validators=[
            MinValueValidator(1, "Expected at least 1 question a day (empty: no limit); to stop questions, switch "
                                 "the tutor off."),
            MaxValueValidator(MAX_DAILY_QUESTION_LIMIT, f"Expected at most {MAX_DAILY_QUESTION_LIMIT} questions a "
                                                        "day (empty: no limit)."),
        ],
        help_text=_("Questions each student may ask the tutor in this course per day (the school's day, from "
                  "midnight in TUTOR_TIME_ZONE). Empty: no limit."), verbose_name=_("daily question limit")
    )
    answer_off_topic = models.BooleanField(
        default=True,
        help_text=_("Off: a question that is not about the course (no passage of its notes matches it, and it is no "
                  "calculation, practice question or follow-up) is not answered; the student is asked to keep to "
                  "the course (off_topic)."), verbose_name=_("answer off topic")
    )
    safeguarding_help_text = models.TextField(
        blank=True, help_text=_("What a student whose message raises a safeguarding alert is told: who to talk to and "
                              "how to reach help. Empty: the school's TUTOR_SAFEGUARDING_HELP_TEXT."),
        verbose_name=_("safeguarding help text")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["title"]
        constraints = [models.CheckConstraint(
            condition=models.Q(daily_question_limit__isnull=True) | models.Q(
                daily_question_limit__gte=1, daily_question_limit__lte=MAX_DAILY_QUESTION_LIMIT),
            name="course_daily_question_limit_range")]

    def __str__(self) -> str:
        return self.title


class Enrollment(models.Model):
    class Role(models.TextChoices):
        STUDENT = "student", _("Student")
        TEACHER = "teacher", _("Teacher")
        AUTHOR = "author", _("Author")
        # Gets every safeguarding alert of the course, with its teachers (tutor.SafeguardingAlert).
        SAFEGUARDING = "safeguarding", _("Safeguarding contact")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments",
                             verbose_name=_("user"))
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrollments", verbose_name=_("course"))
    role = models.CharField(max_length=16, choices=Role.choices, verbose_name=_("role"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        constraints = [models.UniqueConstraint(fields=["user", "course", "role"], name="enrollment_unique_role")]
        indexes = [models.Index(fields=["course", "role"])]

    def __str__(self) -> str:
        return f"{self.user} is {self.role} in {self.course}"


class Skill(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="skills", verbose_name=_("course"))
    key = models.SlugField(max_length=80, help_text=_("Stable key used by content files."), verbose_name=_("key"))
    name = models.CharField(max_length=200, verbose_name=_("name"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    prerequisites = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="unlocks",
                                           verbose_name=_("prerequisites"))

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["course", "key"]
        constraints = [models.UniqueConstraint(fields=["course", "key"], name="skill_unique_key_per_course")]

    def __str__(self) -> str:
        return self.name


class Item(models.Model):
    """A practice item. ``answer_spec`` is graded in code (learning.grading); items that have attempts are
    retired, never deleted, so that the attempts keep their meaning."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="items", verbose_name=_("course"))
    key = models.CharField(max_length=80, help_text=_("Stable key: re-importing updates the item with this key."),
                           verbose_name=_("key"))
    prompt = models.TextField(verbose_name=_("prompt"))
    choices = models.JSONField(null=True, blank=True, help_text='[{"key": "a", "text": "..."}, ...] or empty',
                               verbose_name=_("choices"))
    answer_spec = models.JSONField(verbose_name=_("answer spec"))
    skills = models.ManyToManyField(Skill, related_name="items", verbose_name=_("skills"))
    difficulty_hint = models.CharField(max_length=20, blank=True, help_text=_("easy, medium, hard or a number"),
                                       verbose_name=_("difficulty hint"))
    params = models.JSONField(null=True, blank=True, help_text=_("Calibrated parameters (background job)."),
                              verbose_name=_("params"))
    misconceptions = models.JSONField(
        default=list, blank=True,
        help_text='[{"id", "text", and one of "choice", "value" (+ "tolerance"), "pattern"}, ...] from the content '
                  "file (learning.misconceptions.matching); the bug library adds the classic fraction errors.",
        verbose_name=_("misconceptions"))
    retired = models.BooleanField(default=False, verbose_name=_("retired"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["course", "key"]
        constraints = [models.UniqueConstraint(fields=["course", "key"], name="item_unique_key_per_course")]

    def __str__(self) -> str:
        return self.key

    def clean(self):
        from learning.grading import spec_errors

        errors = spec_errors(self.answer_spec, self.choices)
        if errors:
            raise ValidationError({"answer_spec": errors})


class ServedItem(models.Model):
    """An item put to a student; a submission answers exactly one open serving (compare-and-swap on answered_at)."""

    class Mode(models.TextChoices):
        DIAGNOSE = "diagnose", _("Diagnose")
        PRACTICE = "practice", _("Practice")

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="served_items",
                                verbose_name=_("student"))
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="servings", verbose_name=_("item"))
    mode = models.CharField(max_length=10, choices=Mode.choices, verbose_name=_("mode"))
    served_at = models.DateTimeField(auto_now_add=True, verbose_name=_("served at"))
    answered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("answered at"))
    skipped_at = models.DateTimeField(null=True, blank=True, help_text=_("Set when a newer item replaced this one unanswered."),
                                      verbose_name=_("skipped at"))

    class Meta:
        verbose_name = _("served item")
        verbose_name_plural = _("served items")
        indexes = [models.Index(fields=["student", "item", "answered_at"])]

    @property
    def is_open(self) -> bool:
        return self.answered_at is None and self.skipped_at is None


class Attempt(models.Model):
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts",
                                verbose_name=_("student"))
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="attempts", verbose_name=_("item"))
    serving = models.OneToOneField(ServedItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="attempt",
                                   verbose_name=_("serving"))
    response = models.TextField(verbose_name=_("response"))
    correct = models.BooleanField(verbose_name=_("correct"))
    misconception = models.JSONField(null=True, blank=True, help_text='{"id", "text"} the wrong response showed.',
                                     verbose_name=_("misconception"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        indexes = [models.Index(fields=["student", "created_at"]), models.Index(fields=["item"])]


class StudentMisconception(models.Model):
    """A misconception a student's wrong answers showed in a course: how often and when last (part of what the
    tutor knows about the student, beside ``KnowledgeState``). Counted by ``F() + 1``, never read-modify-save."""

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="misconceptions",
                                verbose_name=_("student"))
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="student_misconceptions",
                               verbose_name=_("course"))
    key = models.CharField(max_length=80, help_text=_("The misconception's id."), verbose_name=_("key"))
    text = models.CharField(max_length=600, help_text=_("The explanation the student was shown last."),
                            verbose_name=_("text"))
    times = models.PositiveIntegerField(default=1, verbose_name=_("times"))
    first_seen_at = models.DateTimeField(auto_now_add=True, verbose_name=_("first seen at"))
    last_seen_at = models.DateTimeField(verbose_name=_("last seen at"))

    class Meta:
        verbose_name = _("student misconception")
        verbose_name_plural = _("student misconceptions")
        constraints = [models.UniqueConstraint(fields=["student", "course", "key"],
                                               name="student_misconception_unique_key")]
        indexes = [models.Index(fields=["course", "key"])]

    def __str__(self) -> str:
        return f"{self.student} × {self.key} ({self.times})"


class KnowledgeState(models.Model):
    """One student's knowledge in one course: learning.knowledge's StudentState as a dict, updated by
    compare-and-swap on ``version``."""

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="knowledge",
                                verbose_name=_("student"))
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="knowledge_states",
                               verbose_name=_("course"))
    state = models.JSONField(default=dict, verbose_name=_("state"))
    version = models.PositiveIntegerField(default=0, verbose_name=_("version"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("knowledge state")
        verbose_name_plural = _("knowledge states")
        constraints = [models.UniqueConstraint(fields=["student", "course"], name="knowledge_unique_student_course")]


class Passage(models.Model):
    """A passage of a course's reference text, retrieved into the tutor's prompt. Passages are replaced
    source by source when reference material is re-imported (nothing refers to them)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="passages", verbose_name=_("course"))
    source = models.CharField(max_length=120, help_text=_("The reference document the passage comes from."),
                              verbose_name=_("source"))
    ordinal = models.PositiveIntegerField(help_text=_("Position within its source."), verbose_name=_("ordinal"))
    title = models.CharField(max_length=300, blank=True, help_text=_("The heading path the passage sits under."),
                             verbose_name=_("title"))
    text = models.TextField(verbose_name=_("text"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("passage")
        verbose_name_plural = _("passages")
        ordering = ["course", "source", "ordinal"]
        constraints = [
            models.UniqueConstraint(fields=["course", "source", "ordinal"], name="passage_unique_position"),
        ]

    def __str__(self) -> str:
        return f"{self.source} #{self.ordinal}"


class GoldenQuestion(models.Model):
    """An author's question on the course notes, held out of training: the retraining gate asks it of every new
    version to see that the course's other answers do not get worse. Replaced with the content document's
    ``golden`` list (keyed by the question); a frozen golden set keeps its own copy of the text."""

    class Check(models.TextChoices):
        CONTAINS = "contains", _("Contains one of the phrases")
        NUMERIC = "numeric", _("States one of the numbers")
        EXACT = "exact", _("Is one of the answers")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="golden_questions",
                               verbose_name=_("course"))
    question = models.TextField(verbose_name=_("question"))
    gold = models.JSONField(help_text=_("The phrases or numbers a right answer states."), verbose_name=_("gold"))
    gold_check = models.CharField(max_length=8, choices=Check.choices, verbose_name=_("gold check"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("golden question")
        verbose_name_plural = _("golden questions")
        ordering = ["course", "id"]
        constraints = [models.UniqueConstraint(fields=["course", "question"], name="golden_question_unique_per_course")]

    def __str__(self) -> str:
        return self.question[:80]


class KnowledgeCalibration(models.Model):
    """The calibrated knowledge model of a course (learning.knowledge.KnowledgeModel.to_dict), refitted
    from all attempts by a background job; items it has not seen are cold-started from their hints."""

    course = models.OneToOneField(Course, on_delete=models.CASCADE, related_name="calibration",
                                  verbose_name=_("course"))
    model = models.JSONField(verbose_name=_("model"))
    attempts_used = models.PositiveIntegerField(verbose_name=_("attempts used"))
    students_used = models.PositiveIntegerField(verbose_name=_("students used"))
    fitted_at = models.DateTimeField(auto_now=True, verbose_name=_("fitted at"))

    class Meta:
        verbose_name = _("knowledge calibration")
        verbose_name_plural = _("knowledge calibrations")


class CourseMastery(Course):
    """The admin's read-only view of a course for its teachers: every student's mastery of every skill
    (learning.admin.mastery)."""

    class Meta:
        proxy = True
        verbose_name = _("Course mastery")
        verbose_name_plural = _("Course mastery")


class CourseAISettings(Course):
    """A course as its teachers see it in the admin: the tutor's settings for it, nothing else."""

    class Meta:
        proxy = True
        verbose_name = _("Course AI settings")
        verbose_name_plural = _("Course AI settings")


class CourseContent(Course):
    """The admin's list of the courses an author may upload content to (learning.admin.content)."""

    class Meta:
        proxy = True
        verbose_name = _("Course content")
        verbose_name_plural = _("Course content")


class PrivacyAudit(models.Model):
    """That a student's data was exported or erased, or old conversations expired (learning.privacy): what kind
    of rows and how many, never whose. ``reference`` is random, so nothing here leads back to the student; the
    person who handled the request keeps it beside their own record of the request if they need to show later
    that it was done."""

    class Action(models.TextChoices):
        EXPORT = "export", _("Student data exported")
        ERASE = "erase", _("Student data erased")
        RETENTION = "retention", _("Old conversations expired")

    class Channel(models.TextChoices):
        COMMAND = "command", _("manage.py student_data")
        ADMIN = "admin", _("Admin action")
        RETENTION_JOB = "retention_job", _("Retention job (TUTOR_RETENTION_DAYS)")

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, help_text=_("Random: not derived from the student."),
                                 verbose_name=_("reference"))
    action = models.CharField(max_length=10, choices=Action.choices, verbose_name=_("action"))
    channel = models.CharField(max_length=16, choices=Channel.choices, verbose_name=_("channel"))
    counts = models.JSONField(default=dict, help_text='{"deleted": {"app.Model": n}, "anonymised": {...}} or, for an '
                                                      'export, {"exported": {...}}.', verbose_name=_("counts"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("privacy audit")
        verbose_name_plural = _("privacy audits")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.created_at:%Y-%m-%d %H:%M} ({self.reference})"
