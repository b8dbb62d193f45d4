from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TutorConfig(AppConfig):
    name = "tutor"
    verbose_name = _("Tutor chat")

    def ready(self):
        # learning's privacy registry exports and erases the chat through the section tutor registers here.
        from learning.privacy.registry import privacy_section_register
        from tutor import tasks  # noqa: F401  (services queue them by name: a held draft's release)
        from tutor.privacy import TUTOR_SECTION

        privacy_section_register(TUTOR_SECTION)
