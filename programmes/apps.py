from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = _("Programmes")

    def ready(self):
        from . import history, keywords, merkliste, neighbours, updates
        from .search import signals as search_signals

        updates.connect()
        merkliste.connect()
        history.connect()
        keywords.connect()
        search_signals.connect()
        neighbours.connect()
