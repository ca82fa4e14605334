from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "decisions"
    verbose_name = "Ombudsman decisions"

    def ready(self):
        from decisions import middleware  # noqa: F401 - loaded with the app, so its signal receivers are too
