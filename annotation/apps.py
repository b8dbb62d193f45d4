from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnnotationConfig(AppConfig):
    name = "annotation"
    verbose_name = _("Teacher review")

    def ready(self):
        # tutor never imports annotation: the router is installed as tutor's answer scorer here, as the
        # engine is installed, the tasks that services queue by name are registered with Celery, and its part
        # of a student's data joins learning's privacy registry.
        from annotation import tasks  # noqa: F401
        from annotation.privacy import ANNOTATION_SECTION
        from annotation.routing import router_scoring, router_scorings
        from learning.privacy.registry import privacy_section_register
        from tutor.scoring import set_answer_scorer

        set_answer_scorer(router_scoring, many=router_scorings)
        privacy_section_register(ANNOTATION_SECTION)
