from django.apps import AppConfig


class TutorConfig(AppConfig):
    name = "tutor"
    verbose_name = "Tutor chat"

    def ready(self):
        # learning's privacy registry exports and erases the chat through the section tutor registers here.
        from learning.privacy.registry import privacy_section_register
        from tutor import tasks  # noqa: F401  (services queue them by name: a held draft's release)
        from tutor.privacy import TUTOR_SECTION

        privacy_section_register(TUTOR_SECTION)
