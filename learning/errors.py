"""Refusals worded once for every interface that gives them: learning's admin and practice, and tutor's chat
and API (apps import downwards, so tutor takes them from here)."""
from django.utils.translation import gettext_lazy as _

# A missing course and one the user may not open get this same answer, so ids reveal nothing.
COURSE_NOT_FOUND = ("course_not_found", _("No course with this id is open to you."))
