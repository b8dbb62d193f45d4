from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LtiConfig(AppConfig):
    name = "lti"
    verbose_name = _("LTI 1.3 (learning platforms)")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # A student's LTI links join the export and the erase (learning.privacy).
        from learning.privacy.registry import privacy_section_register
        from lti.privacy import LTI_SECTION

        privacy_section_register(LTI_SECTION)
