"""Draft approval: hold-to-release latency and approve-as-is rate in the seeded demo (manage.py draft_bench)."""
