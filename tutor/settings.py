"""Settings read from the environment.

With no environment at all this is the embedded, one-laptop layout: SQLite,
the in-memory channel layer and a Celery broker kept in a local folder. Setting
DATABASE_URL, REDIS_URL and CELERY_BROKER_URL switches to the scaled layout
with no code change.
"""
from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from tutor.safeguarding.phrases import PHRASES as SAFEGUARDING_PHRASES
from tutor.envconfig import (
    default_origins, env_bool, env_choice, env_float, env_int, env_list, env_origins, env_rate, env_str, env_time_zone,
    env_url, insecure_settings,
)

BASE_DIR = Path(__file__).resolve().parent.parent
RUN_DIR = Path(env_str("TUTOR_RUN_DIR", str(BASE_DIR / ".run")))

DATABASE_URL = env_str("DATABASE_URL")
REDIS_URL = env_str("REDIS_URL")
# Embedded mode: one machine, demo accounts allowed. Any DATABASE_URL means a real deployment.
TUTOR_EMBEDDED = env_bool("TUTOR_EMBEDDED", not DATABASE_URL)

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY") or ("embedded-insecure-key-for-one-machine-only" if TUTOR_EMBEDDED else "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if TUTOR_EMBEDDED else [])
_refusals = insecure_settings(debug=DEBUG, secret_key=SECRET_KEY, allowed_hosts=ALLOWED_HOSTS, embedded=TUTOR_EMBEDDED)
if _refusals:
    raise ImproperlyConfigured("Refusing to start: " + " ".join(_refusals))

INSTALLED_APPS = [
    # First, so that its admin/base_site.html (the admin's accessibility fixes) is found before Django's own.
    "tutor",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "learning",
    "annotation",
    "lti",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside the session, CSRF, clickjacking and CSP middleware: it re-flags what they set (lti/framing.py).
    "lti.framing.LtiFramingMiddleware",
    "tutor.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After the session (an LTI launch's locale is kept there), before CommonMiddleware (Django's rule).
    "tutor.middleware.SessionLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "tutor.urls"
ASGI_APPLICATION = "tutor.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
else:
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("TUTOR_SQLITE_PATH", str(RUN_DIR / "tutor.sqlite3")),
            # Opening a SQLite connection costs more than most queries: keep them.
            "CONN_MAX_AGE": None,
            # WAL lets the web server and the Celery worker read while the other writes; with WAL,
            # synchronous=NORMAL is still corruption-safe and skips an fsync per commit.
            "OPTIONS": {
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Per process, for the channel layer and for the hand-off stream (tutor/handoff.py) each.
TUTOR_REDIS_MAX_CONNECTIONS = env_int("TUTOR_REDIS_MAX_CONNECTIONS", 2000, minimum=10)
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "tutor.channel_layer.RedisChannelLayer",  # channels-redis, made to end when cancelled
            # redis-py's default read timeout (5 s) equals channels-redis's blocking-pop timeout (5 s): the read
            # can time out first and kill the socket's receive loop. Reads wait longer than the pop; idle
            # connections are checked before use, so a restarted Redis is reconnected to, not failed on. redis-py
            # refuses a 101st connection at once by default: 250 sockets closing together need more.
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, "socket_timeout": 15, "socket_connect_timeout": 5,
                           "health_check_interval": 10, "retry_on_timeout": True,
                           "max_connections": TUTOR_REDIS_MAX_CONNECTIONS}],
                "capacity": 1500,
                "expiry": 60,
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 1500}}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# The default language: a browser that asks for none of LANGUAGES, and the emails (tutor/alerts.py).
LANGUAGE_CODE = env_choice("TUTOR_LANGUAGE", "en", ("en", "sv"))
LANGUAGES = [("en", "English"), ("sv", "Swedish")]
# One catalog for the whole project (docs/translations in README): the apps share words ("course", "item"), and
# translators review one file per language rather than four.
LOCALE_PATHS = [BASE_DIR / "locale"]
# The school's time zone: a "day" of a course's question limit and review budget starts at its midnight.
TIME_ZONE = env_time_zone("TUTOR_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = RUN_DIR / "static"
LOGIN_URL = "/admin/login/"

# --- Security headers ------------------------------------------------------------
# A deployment serves HTTPS only (HSTS, secure cookies). TUTOR_HTTPS=0 is for layouts on loopback (the service
# tier, `make run-services`); behind a proxy that ends TLS, set TUTOR_TLS_PROXY=1 so X-Forwarded-Proto counts.
TUTOR_HTTPS = env_bool("TUTOR_HTTPS", not TUTOR_EMBEDDED)
SECURE_SSL_REDIRECT = TUTOR_HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if TUTOR_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", TUTOR_HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", TUTOR_HTTPS)  # check --deploy asks for it; 0 to opt out
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("TUTOR_TLS_PROXY", False) else None
SESSION_COOKIE_SECURE = TUTOR_HTTPS
CSRF_COOKIE_SECURE = TUTOR_HTTPS
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
CSRF_FAILURE_VIEW = "tutor.api.csrf_failure"  # the API's JSON error shape under /api/, Django's page elsewhere
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Scripts only from our own files (model output can never run, even if a page printed it raw); inline styles are
# allowed for the mastery table's cell colours. Views with their own policy (the SVG images) keep theirs.
TUTOR_CONTENT_SECURITY_POLICY = env_str(
    "TUTOR_CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'",
)

# --- Celery -----------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(RUN_DIR / "broker"),
        "data_folder_out": str(RUN_DIR / "broker"),
        "data_folder_processed": str(RUN_DIR / "broker-processed"),
        "control_folder": str(RUN_DIR / "broker-control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL == "filesystem://"
    # Redis hands an unacknowledged task (its worker host died) to another worker after this long; it must
    # outlast the longest training run, and a second delivery of a live run only waits for it (see training).
    else {"visibility_timeout": env_float("CELERY_VISIBILITY_TIMEOUT_S", 4 * 3600.0, minimum=60.0)}
)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE = {
    "fail-stale-answers": {"task": "tutor.answers_fail_stale", "schedule": env_float("TUTOR_STALE_SWEEP_S", 60.0)},
    # Held drafts whose queued release was lost (a broker restart): released within a minute of their wait.
    "release-overdue-drafts": {"task": "tutor.drafts_release_overdue",
                               "schedule": env_float("TUTOR_DRAFT_SWEEP_S", 60.0, minimum=5.0)},
    "calibrate-courses": {
        "task": "learning.calibrate_due_courses", "schedule": env_float("LEARNING_CALIBRATION_SWEEP_S", 600.0),
    },
    "refit-router": {"task": "annotation.router_refit_if_due", "schedule": env_float("ANNOTATION_REFIT_SWEEP_S", 3600.0)},
    "resend-safeguarding-alerts": {
        "task": "tutor.safeguarding_alerts_resend", "schedule": env_float("TUTOR_SAFEGUARDING_SWEEP_S", 300.0),
    },
    "expire-conversations": {
        "task": "tutor.conversations_expire", "schedule": env_float("TUTOR_RETENTION_SWEEP_S", 3600.0, minimum=60.0),
    },
    "purge-lti-nonces": {"task": "lti.login_nonces_purge", "schedule": env_float("LTI_NONCE_SWEEP_S", 3600.0)},
    "send-lti-scores": {"task": "lti.scores_send_due", "schedule": env_float("LTI_SCORE_SEND_SWEEP_S", 60.0)},
    "refresh-lti-scores": {"task": "lti.scores_refresh", "schedule": env_float("LTI_SCORE_REFRESH_S", 3600.0)},
    "sync-lti-rosters": {"task": "lti.rosters_sync", "schedule": env_float("LTI_ROSTER_SYNC_S", 86400.0)},
    "retrain-courses": {
        "task": "annotation.training_start_scheduled", "schedule": env_float("ANNOTATION_TRAINING_SWEEP_S", 86400.0)
    },
}
CELERY_TASK_ROUTES = {"annotation.training_run": {"queue": "training"}}  # consumed only by training hosts
CELERY_BEAT_SCHEDULE_FILENAME = str(RUN_DIR / "celerybeat-schedule")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

# --- The tutor ----------------------------------------------------------------
# "transformers": the model in this process; "openai": an OpenAI-compatible server (vLLM, llama-server); "fake".
TUTOR_ENGINE = env_choice("TUTOR_ENGINE", "transformers", ("transformers", "openai", "fake"))
TUTOR_BASE_MODEL = env_str("TUTOR_BASE_MODEL", "")  # "": the bundled SmolLM2-135M-Instruct GGUF
TUTOR_MODEL_CACHE = Path(env_str("TUTOR_MODEL_CACHE", str(BASE_DIR / ".cache" / "models")))
TUTOR_MAX_NEW_TOKENS = env_int("TUTOR_MAX_NEW_TOKENS", 256, minimum=1, maximum=4096)
TUTOR_MAX_PROMPT_TOKENS = env_int("TUTOR_MAX_PROMPT_TOKENS", 1536, minimum=64, maximum=32768)
TUTOR_GENERATION_TIMEOUT_S = env_float("TUTOR_GENERATION_TIMEOUT_S", 60.0, minimum=0.1)
TUTOR_MAX_BATCH_SIZE = env_int("TUTOR_MAX_BATCH_SIZE", 16, minimum=1, maximum=512)
TUTOR_MAX_QUEUE = env_int("TUTOR_MAX_QUEUE", 256, minimum=1)
TUTOR_TORCH_THREADS = env_int("TUTOR_TORCH_THREADS", 0, minimum=0)  # 0: torch's default
TUTOR_DEVICE = env_str("TUTOR_DEVICE", "auto")
# Greedy decoding divides the scores of tokens an answer already used by this (1.0: off); stops small-model loops.
TUTOR_REPETITION_PENALTY = env_float("TUTOR_REPETITION_PENALTY", 1.15, minimum=1.0, maximum=10.0)
TUTOR_MAX_ADAPTERS = env_int("TUTOR_MAX_ADAPTERS", 8, minimum=1, maximum=256)  # LoRA adapters kept loaded per engine
# A version's teacher answers join the prompt of questions at least this similar (MiniLM cosine), same numbers.
TUTOR_TEACHER_ANSWER_MIN_SIMILARITY = env_float("TUTOR_TEACHER_ANSWER_MIN_SIMILARITY", 0.65, minimum=0.0, maximum=1.0)

# --- Retention (tutor/retention.py, docs/privacy.md) ------------------------------
# Conversations with no message in this many days are deleted, with their messages and what hangs on them;
# training examples made from them are kept anonymised. 0 or unset: conversations are kept until erased.
TUTOR_RETENTION_DAYS = env_int("TUTOR_RETENTION_DAYS", 0, minimum=0, maximum=36500) or None

# --- Safeguarding alerts (tutor/safeguarding, tutor/alerts.py) ------------------
TUTOR_SAFEGUARDING_LANGUAGES = env_list("TUTOR_SAFEGUARDING_LANGUAGES", ["en"])  # phrase lists read
if not TUTOR_SAFEGUARDING_LANGUAGES or set(TUTOR_SAFEGUARDING_LANGUAGES) - set(SAFEGUARDING_PHRASES):
    raise ImproperlyConfigured(f"TUTOR_SAFEGUARDING_LANGUAGES={','.join(TUTOR_SAFEGUARDING_LANGUAGES)!r}: expected "
                               f"a comma-separated list of {', '.join(sorted(SAFEGUARDING_PHRASES))}")
TUTOR_SAFEGUARDING_HELP_TEXT = env_str(
    "TUTOR_SAFEGUARDING_HELP_TEXT",
    "Thank you for telling me. It sounds like things are really hard right now, and you don't have to deal with "
    "this on your own. I've let your teacher and your school's safeguarding lead know, so that someone can talk "
    "with you. If you are in danger right now, please tell an adult near you or call your local emergency number.",
)
TUTOR_SAFEGUARDING_NOTIFY_RETRIES = env_int("TUTOR_SAFEGUARDING_NOTIFY_RETRIES", 12, minimum=0)
TUTOR_SAFEGUARDING_RESEND_AFTER_S = env_float("TUTOR_SAFEGUARDING_RESEND_AFTER_S", 600.0, minimum=60.0)
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend" if TUTOR_EMBEDDED
                        else "django.core.mail.backends.smtp.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "tutor@localhost")
# Where courses' adapter versions live; every web and inference worker must see the same folder (shared disk).
TUTOR_ADAPTER_DIR = Path(env_str("TUTOR_ADAPTER_DIR", str(RUN_DIR / "adapters")))
TUTOR_FAKE_ENGINE_DELAY_S = env_float("TUTOR_FAKE_ENGINE_DELAY_S", 0.0)
# TUTOR_ENGINE=openai: the server (its URL up to /v1), the model or "" for the server's own, a bearer key, limits.
TUTOR_OPENAI_BASE_URL = env_url("TUTOR_OPENAI_BASE_URL", "http://127.0.0.1:8080/v1")
TUTOR_OPENAI_MODEL = env_str("TUTOR_OPENAI_MODEL", "")
TUTOR_OPENAI_API_KEY = env_str("TUTOR_OPENAI_API_KEY", "")
TUTOR_OPENAI_CONNECT_TIMEOUT_S = env_float("TUTOR_OPENAI_CONNECT_TIMEOUT_S", 5.0, minimum=0.1)
TUTOR_OPENAI_READ_TIMEOUT_S = env_float("TUTOR_OPENAI_READ_TIMEOUT_S", 30.0, minimum=0.1)  # longest silence
TUTOR_OPENAI_RETRIES = env_int("TUTOR_OPENAI_RETRIES", 2, minimum=0, maximum=10)  # before the first token only
# "chat": the server's chat template; "raw": /v1/completions with a template-free prompt.
TUTOR_OPENAI_PROMPT = env_choice("TUTOR_OPENAI_PROMPT", "chat", ("chat", "raw"))
# How a course's adapter is chosen: vLLM's runtime LoRA API, llama-server's per-request list, or never.
TUTOR_OPENAI_ADAPTERS = env_choice("TUTOR_OPENAI_ADAPTERS", "vllm", ("vllm", "llama", "none"))
# Empty: answers are generated in the web process. A name (e.g. "tutor-inference"): web servers hand each answer to
# the inference workers (`manage.py inference_worker`) through a Redis stream of that name (tutor/handoff.py).
TUTOR_INFERENCE_CHANNEL = env_str("TUTOR_INFERENCE_CHANNEL", "")
# An answer whose worker has not shown it is alive for this long (a worker renews its claims every third of it) is
# taken over by another worker and generated again from the start.
TUTOR_RECLAIM_S = env_float("TUTOR_RECLAIM_S", 30.0, minimum=0.3)
# Answers one inference worker generates at once; the rest wait in the stream for whichever worker is free.
TUTOR_INFERENCE_CONCURRENCY = env_int("TUTOR_INFERENCE_CONCURRENCY", 64, minimum=1, maximum=4096)
# Answers waiting for a worker beyond this are refused at once (engine_busy) rather than left to wait.
TUTOR_HANDOFF_BACKLOG = env_int("TUTOR_HANDOFF_BACKLOG", 1500, minimum=1)
# Load the model when the web process starts rather than on the first question.
TUTOR_WARMUP = env_bool("TUTOR_WARMUP", False)

TUTOR_MAX_FRAME_BYTES = env_int("TUTOR_MAX_FRAME_BYTES", 16384, minimum=256)
TUTOR_MAX_QUESTION_CHARS = env_int("TUTOR_MAX_QUESTION_CHARS", 2000, minimum=1)
TUTOR_MAX_CONTENT_BYTES = env_int("TUTOR_MAX_CONTENT_BYTES", 2 * 1024 * 1024, minimum=1)  # one content upload
TUTOR_HISTORY_PAGE = env_int("TUTOR_HISTORY_PAGE", 200, minimum=1, maximum=1000)
TUTOR_CONTEXT_TURNS = env_int("TUTOR_CONTEXT_TURNS", 12, minimum=0, maximum=200)
TUTOR_ASK_RATE = env_rate("TUTOR_ASK_RATE", "30/60")  # asks per student per window (seconds)
TUTOR_TOKEN_TTL_DAYS = env_int("TUTOR_TOKEN_TTL_DAYS", 30, minimum=1)
# The exact origins (scheme, host and port) whose pages may open a WebSocket with the session cookie; another port
# or scheme of the same host is another site.
TUTOR_ALLOWED_ORIGINS = env_origins(
    "TUTOR_ALLOWED_ORIGINS", default_origins(embedded=TUTOR_EMBEDDED, https=TUTOR_HTTPS, allowed_hosts=ALLOWED_HOSTS)
)
# How often an open socket checks that its token or session still holds (revoked, expired, logged out).
TUTOR_AUTH_RECHECK_S = env_float("TUTOR_AUTH_RECHECK_S", 30.0, minimum=0.05)

# --- Practice and the knowledge model ------------------------------------------------
LEARNING_PRACTICE_TARGET = env_float("LEARNING_PRACTICE_TARGET", 0.7, minimum=0.05)  # predicted success to aim at
LEARNING_MASTERY_LEVEL = env_float("LEARNING_MASTERY_LEVEL", 0.8, minimum=0.05)
LEARNING_MAX_RESPONSE_CHARS = env_int("LEARNING_MAX_RESPONSE_CHARS", 500, minimum=1, maximum=5000)
LEARNING_OPEN_ITEM_TTL_S = env_float("LEARNING_OPEN_ITEM_TTL_S", 3600.0, minimum=1.0)  # hints-only window of an item
LEARNING_WEAK_SKILLS_IN_PROMPT = env_int("LEARNING_WEAK_SKILLS_IN_PROMPT", 3, minimum=0, maximum=20)
# A diagnose-then-practice experiment arm serves diagnose items until the student has answered this many.
TUTOR_DIAGNOSE_FIRST_ITEMS = env_int("TUTOR_DIAGNOSE_FIRST_ITEMS", 5, minimum=1, maximum=100)
LEARNING_PASSAGES_IN_PROMPT = env_int("LEARNING_PASSAGES_IN_PROMPT", 3, minimum=0, maximum=20)
LEARNING_RETRIEVAL = env_choice("LEARNING_RETRIEVAL", "hybrid", ("hybrid", "tfidf"))  # see learning/passage_search.py
# Calibration refits a course once it has this many attempts, and again after this many new ones.
LEARNING_CALIBRATION_MIN_ATTEMPTS = env_int("LEARNING_CALIBRATION_MIN_ATTEMPTS", 50, minimum=1)
LEARNING_CALIBRATION_NEW_ATTEMPTS = env_int("LEARNING_CALIBRATION_NEW_ATTEMPTS", 50, minimum=1)

# --- Teacher review and the confidence router ------------------------------------------
ANNOTATION_REVIEWS_PER_TEACHER_PER_DAY = env_int("ANNOTATION_REVIEWS_PER_TEACHER_PER_DAY", 20, minimum=0)
# Of the answers the router is confident about, the share also sent for review at random.
ANNOTATION_RANDOM_SHARE = env_float("ANNOTATION_RANDOM_SHARE", 0.05, minimum=0.0, maximum=0.5)
# Of the rest of the budget, the share spent on answers whose verdict teaches the router most (the "learn" part;
# the others "fix": the likeliest wrong). A course's review policy may set its own (annotation/router/picking.py).
ANNOTATION_LEARN_SHARE = env_float("ANNOTATION_LEARN_SHARE", 0.0, minimum=0.0, maximum=1.0)
# Flag answers below this probability of being right until a course has ANNOTATION_THRESHOLD_HISTORY answers;
# after that the threshold follows the course's recent answers and its budget.
ANNOTATION_FLAG_BELOW = env_float("ANNOTATION_FLAG_BELOW", 0.5, minimum=0.0, maximum=1.0)
ANNOTATION_THRESHOLD_HISTORY = env_int("ANNOTATION_THRESHOLD_HISTORY", 50, minimum=1)
ANNOTATION_ROUTER_REFIT_EVERY = env_int("ANNOTATION_ROUTER_REFIT_EVERY", 20, minimum=1)  # new verdicts
ANNOTATION_ROUTER_MIN_PER_CLASS = env_int("ANNOTATION_ROUTER_MIN_PER_CLASS", 10, minimum=2)
ANNOTATION_CLAIM_TTL_S = env_float("ANNOTATION_CLAIM_TTL_S", 1800.0, minimum=1.0)
ANNOTATION_MAX_CORRECTION_CHARS = env_int("ANNOTATION_MAX_CORRECTION_CHARS", 4000, minimum=1)
ANNOTATION_MAX_REASON_CHARS = env_int("ANNOTATION_MAX_REASON_CHARS", 1000, minimum=1)
ANNOTATION_MAX_REWORDINGS = env_int("ANNOTATION_MAX_REWORDINGS", 5, minimum=0, maximum=50)

# Retraining: when, on what, how (LoRA), and the gate.
ANNOTATION_TRAINING_MIN_NEW_CORRECTIONS = env_int("ANNOTATION_TRAINING_MIN_NEW_CORRECTIONS", 20, minimum=1)
ANNOTATION_TRAINING_SCHEDULED_MIN_NEW = env_int("ANNOTATION_TRAINING_SCHEDULED_MIN_NEW", 1, minimum=1)
ANNOTATION_TRAINING_DIR = Path(env_str("ANNOTATION_TRAINING_DIR", str(RUN_DIR / "training")))  # checkpoints
ANNOTATION_TRAINING_DEVICE = env_str("ANNOTATION_TRAINING_DEVICE", "auto")  # auto: CUDA when present, else CPU
ANNOTATION_TRAINING_TORCH_THREADS = env_int("ANNOTATION_TRAINING_TORCH_THREADS", 0, minimum=0)  # 0: torch's default
ANNOTATION_TRAINING_NICE = env_int("ANNOTATION_TRAINING_NICE", 10, minimum=0, maximum=19)  # leave the CPU to chat
ANNOTATION_TRAINING_LEASE_S = env_float("ANNOTATION_TRAINING_LEASE_S", 300.0, minimum=5.0)
ANNOTATION_TRAINING_MAX_RETRIES = env_int("ANNOTATION_TRAINING_MAX_RETRIES", 3, minimum=0)
ANNOTATION_LORA_RANK = env_int("ANNOTATION_LORA_RANK", 16, minimum=1, maximum=512)
ANNOTATION_LORA_ALPHA = env_int("ANNOTATION_LORA_ALPHA", 32, minimum=1)
ANNOTATION_LORA_DROPOUT = env_float("ANNOTATION_LORA_DROPOUT", 0.0, minimum=0.0, maximum=0.9)
ANNOTATION_LORA_LEARNING_RATE = env_float("ANNOTATION_LORA_LEARNING_RATE", 3e-3, minimum=1e-7, maximum=0.5)
ANNOTATION_LORA_EPOCHS = env_int("ANNOTATION_LORA_EPOCHS", 3, minimum=1, maximum=100)
ANNOTATION_LORA_BATCH_SIZE = env_int("ANNOTATION_LORA_BATCH_SIZE", 8, minimum=1, maximum=512)
ANNOTATION_LORA_MAX_ANSWER_TOKENS = env_int("ANNOTATION_LORA_MAX_ANSWER_TOKENS", 96, minimum=1)
ANNOTATION_LORA_CHECKPOINT_EVERY = env_int("ANNOTATION_LORA_CHECKPOINT_EVERY", 10, minimum=1)  # steps
ANNOTATION_LORA_SEED = env_int("ANNOTATION_LORA_SEED", 0, minimum=0)
ANNOTATION_REPLAY_MAX = env_int("ANNOTATION_REPLAY_MAX", 20, minimum=0)  # approved answers + reference questions
ANNOTATION_GOLDEN_SHARE = env_float("ANNOTATION_GOLDEN_SHARE", 0.25, minimum=0.05, maximum=0.9)
ANNOTATION_GOLDEN_MAX = env_int("ANNOTATION_GOLDEN_MAX", 60, minimum=1)
# The gate's paired test (one-sided exact McNemar) promotes a gain, and refuses a loss, significant at this level.
ANNOTATION_GATE_ALPHA = env_float("ANNOTATION_GATE_ALPHA", 0.05, minimum=0.001, maximum=0.5)
ANNOTATION_GATE_MIN_GOLDEN = env_int("ANNOTATION_GATE_MIN_GOLDEN", 30, minimum=1)  # fewer: a warning with the run
ANNOTATION_GATE_MAX_CONFLICT_SHARE = env_float("ANNOTATION_GATE_MAX_CONFLICT_SHARE", 0.1, minimum=0.0, maximum=1.0)
ANNOTATION_EVAL_MAX_NEW_TOKENS = env_int("ANNOTATION_EVAL_MAX_NEW_TOKENS", 64, minimum=1)
# The gate's questions share one time budget per version, base + per case: a busy tutor delays them, and a
# timed-out or refused one is asked again (ANNOTATION_EVAL_TRIES in all, waiting 2x longer each time).
ANNOTATION_EVAL_TIMEOUT_BASE_S = env_float("ANNOTATION_EVAL_TIMEOUT_BASE_S", 120.0, minimum=1.0)
ANNOTATION_EVAL_TIMEOUT_PER_CASE_S = env_float("ANNOTATION_EVAL_TIMEOUT_PER_CASE_S", 10.0, minimum=0.0)
ANNOTATION_EVAL_TRIES = env_int("ANNOTATION_EVAL_TRIES", 4, minimum=1, maximum=20)
ANNOTATION_EVAL_RETRY_DELAY_S = env_float("ANNOTATION_EVAL_RETRY_DELAY_S", 2.0, minimum=0.0)

# --- LTI 1.3 (lti/, docs/lti.md) ------------------------------------------------------
LTI_LOGIN_TTL_S = env_float("LTI_LOGIN_TTL_S", 300.0, minimum=10.0)  # from login initiation to launch
LTI_CLOCK_SKEW_S = env_float("LTI_CLOCK_SKEW_S", 30.0, minimum=0.0, maximum=600.0)  # leeway on exp and iat
LTI_KEYSET_CACHE_S = env_float("LTI_KEYSET_CACHE_S", 300.0, minimum=0.0)  # a platform's JWKS
LTI_HTTP_TIMEOUT_S = env_float("LTI_HTTP_TIMEOUT_S", 5.0, minimum=0.1)  # each call to a platform
LTI_DEEP_LINK_TTL_S = env_float("LTI_DEEP_LINK_TTL_S", 3600.0, minimum=60.0)  # a deep linking request waits
LTI_SCORE_RETRY_BASE_S = env_float("LTI_SCORE_RETRY_BASE_S", 30.0, minimum=1.0)  # first back-off of a failed send
LTI_SCORE_RETRY_MAX_S = env_float("LTI_SCORE_RETRY_MAX_S", 3600.0, minimum=1.0)  # the back-off's ceiling
LTI_SCORE_CLAIM_S = env_float("LTI_SCORE_CLAIM_S", 120.0, minimum=10.0)  # a sender holds a score this long at most
if LTI_SCORE_CLAIM_S <= 4 * LTI_HTTP_TIMEOUT_S:  # a send is a token request and a score POST, each up to the timeout
    raise ImproperlyConfigured(f"LTI_SCORE_CLAIM_S={LTI_SCORE_CLAIM_S:g} must be more than four times "
                               f"LTI_HTTP_TIMEOUT_S={LTI_HTTP_TIMEOUT_S:g}, or two senders could send one score")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
