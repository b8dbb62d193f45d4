"""``manage.py tutor_eval``: how often the tutor's answers are right, with grounding and without it."""
