from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from .sqlite import install_unicode_like

        connection_created.connect(install_unicode_like, dispatch_uid="portal-unicode-like")
        self._watch_public_content()

    def _watch_public_content(self):
        """Every model whose rows public pages show raises the content version (portal.cache);
        so does every migration, which may change what pages render."""
        from django.db.models.signals import post_migrate
        from taggit.models import Tag, TaggedItem

        from counties.models import County, State
        from programmes.models import (
            Attachment,
            BestPracticeProfile,
            FieldOfAction,
            Funding,
            Indicator,
            PartnerKind,
            Programme,
            SearchSynonym,
            TargetGroup,
        )

        from . import cache
        from .models import SitePage

        models = [
            Programme, BestPracticeProfile, Funding, Attachment, Indicator, FieldOfAction,
            TargetGroup, PartnerKind, County, State, Tag, TaggedItem, SitePage, SearchSynonym,
        ]  # fmt: skip
        links = [field.remote_field.through for field in Programme._meta.many_to_many]
        cache.connect(models, [*links, TaggedItem])
        post_migrate.connect(cache.bump_after_migrate, sender=self, dispatch_uid="content-migrate")
