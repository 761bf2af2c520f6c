from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _

# The apps whose texts staff write.
TEXT_APPS = ("programmes", "counties", "portal")


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from .sqlite import install_unicode_like

        connection_created.connect(install_unicode_like, dispatch_uid="portal-unicode-like")
        self._watch_public_content()
        self._normalise_line_breaks()

    def _normalise_line_breaks(self):
        """Texts are stored with \n line breaks, whether typed in a browser (which sends
        \r\n), imported or restored: the history must not see a change where there is none."""
        from django.apps import apps
        from django.db.models import TextField
        from django.db.models.signals import pre_save

        from .text_diff import normalise_newlines

        def normalise(sender, instance, raw=False, **kwargs):
            for name in sender._text_fields:
                value = getattr(instance, name)
                if isinstance(value, str) and "\r" in value:
                    setattr(instance, name, normalise_newlines(value))

        for label in TEXT_APPS:
            for model in apps.get_app_config(label).get_models():
                fields = [
                    f.attname for f in model._meta.concrete_fields if isinstance(f, TextField)
                ]
                if fields:
                    model._text_fields = fields
                    pre_save.connect(
                        normalise,
                        sender=model,
                        dispatch_uid=f"newlines-{model._meta.label}",
                        weak=False,  # a function of this method only
                    )

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
            StaffRole,
            TargetGroup,
        )

        from . import cache
        from .models import SitePage

        models = [
            Programme, BestPracticeProfile, Funding, Attachment, Indicator, FieldOfAction,
            TargetGroup, PartnerKind, StaffRole, County, State, Tag, TaggedItem, SitePage,
            SearchSynonym,
        ]  # fmt: skip
        links = [
            field.remote_field.through
            for model in (Programme, BestPracticeProfile)
            for field in model._meta.many_to_many
        ]
        cache.connect(models, [*links, TaggedItem])
        post_migrate.connect(cache.bump_after_migrate, sender=self, dispatch_uid="content-migrate")
