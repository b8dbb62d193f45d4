from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LtiConfig(AppConfig):
    name = "lti"
    verbose_name = _("LTI 1.3 (learning platforms)")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # A student's LTI links join the export and the erase (learning.privacy).
        from learning.privacy.registry import privacy_section_register
        from learning.signals import practice_graded
        from lti.privacy import LTI_SECTION
        from lti.receivers import practice_graded_receive

        privacy_section_register(LTI_SECTION)
        # A graded practice item's new mastery goes to the platform's gradebook (lti.grades).
        practice_graded.connect(practice_graded_receive, dispatch_uid="lti.practice_graded")
