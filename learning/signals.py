"""What learning tells the apps above it, which it may not import (apps import one way).

Each signal is sent after its transaction commits, so a receiver sees the committed rows. Receivers only hand
work to their own services; the sender never waits on them or learns what they did.
"""
from django.dispatch import Signal

# A practice answer was graded and the student's knowledge state updated, sent with ``send_robust`` (a receiver's
# failure is logged by Django and never reaches the student). Keyword arguments: ``student`` (the
# user) and ``course_id``. The grade passback of LTI (lti.grades) listens to it.
practice_graded = Signal()
