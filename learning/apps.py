from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "learning"
    verbose_name = _("Learning")

    def ready(self):
        # The privacy registry's own sections; tutor and annotation register theirs in their ready().
        from learning.privacy.account import ACCOUNT_SECTION
        from learning.privacy.learning_part import LEARNING_SECTION
        from learning.privacy.registry import privacy_section_register

        privacy_section_register(ACCOUNT_SECTION)
        privacy_section_register(LEARNING_SECTION)
