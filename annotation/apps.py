from django.apps import AppConfig


class AnnotationConfig(AppConfig):
    name = "annotation"
    verbose_name = "Teacher review"

    def ready(self):
        # tutor never imports annotation: the router is installed as tutor's answer scorer here, as the
        # engine is installed, and the tasks that services queue by name are registered with Celery.
        from annotation import tasks  # noqa: F401
        from annotation.routing import router_scoring
        from tutor.scoring import set_answer_scorer

        set_answer_scorer(router_scoring)
