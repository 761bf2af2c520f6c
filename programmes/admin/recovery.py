"""The deletion confirmation page of programmes, and deleted programmes brought back from
their history. Who may delete what is decided in programmes.admin.programmes."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from portal.roles import county_ids, is_editor

from ..enums import PublicationState
from ..history import restore
from ..models import (
    ContactReply,
    ContactRequest,
    Programme,
)


class RecoveryAdminMixin:
    """A deletion that names what a person understands, and a list of deleted programmes to
    restore: county staff their own drafts, editors everything."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("deleted/", view(self.deleted_view), name="programmes_programme_deleted"),
            path(
                "deleted/<int:history_id>/restore/",
                view(require_POST(self.undelete_view)),
                name="programmes_programme_undelete",
            ),
            *super().get_urls(),
        ]

    def get_deleted_objects(self, objs, request):
        """The confirmation page lists what a person understands, not link-table rows."""
        deleted, counts, perms, protected = super().get_deleted_objects(objs, request)
        through = [m._meta.verbose_name_plural for m in self._link_tables()]
        counts = {name: n for name, n in counts.items() if name not in through}
        # Requests go with their programme; nobody needs the right to delete them one by
        # one, and the list does not name them (their contents are the county's).
        private = {str(m._meta.verbose_name) for m in (ContactRequest, ContactReply)}
        perms = {name for name in perms if str(name) not in private}
        return self._strip_links(deleted), counts, perms, protected

    def _link_tables(self):
        return [
            field.remote_field.through
            for field in Programme._meta.many_to_many
            if getattr(field.remote_field, "through", None) is not None
        ]

    def _strip_links(self, items):
        markers = [
            str(m._meta.verbose_name) for m in [*self._link_tables(), ContactRequest, ContactReply]
        ]
        cleaned = []
        for item in items:
            if isinstance(item, list):
                nested = self._strip_links(item)
                if nested:
                    cleaned.append(nested)
            elif not any(marker in str(item) for marker in markers):
                cleaned.append(item)
        return cleaned

    def _deleted_records(self, request):
        records = Programme.history.filter(history_type="-").exclude(
            id__in=Programme.objects.values("pk")
        )
        if not is_editor(request.user):
            # Deleting what was public is the editors' decision; so is bringing it back.
            records = records.filter(county_id__in=county_ids(request.user)).exclude(
                publication_state__in=[PublicationState.PUBLISHED, PublicationState.ARCHIVED]
            )
        return records.select_related("history_user").order_by("-history_date")

    def deleted_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "records": self._deleted_records(request)[:200],
            "title": gettext("Deleted programmes"),
        }
        return TemplateResponse(request, "admin/programmes/programme/deleted.html", context)

    def undelete_view(self, request, history_id):
        if not self.has_add_permission(request):
            raise PermissionDenied
        record = get_object_or_404(self._deleted_records(request), history_id=history_id)
        slug = Programme.objects.free_slug(record.slug)
        programme = restore(record=record, user=request.user, overrides={"slug": slug})
        messages.success(request, gettext("The programme has been restored."))
        if slug != record.slug:
            messages.warning(
                request,
                gettext(
                    "Its address “%(old)s” has been given to another programme in the "
                    "meantime; the restored programme now has the address “%(new)s”."
                )
                % {"old": record.slug, "new": slug},
            )
        return HttpResponseRedirect(
            reverse("admin:programmes_programme_change", args=[programme.pk])
        )
