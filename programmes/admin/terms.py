"""The shared vocabularies: fields of action, target groups, partner kinds and staff roles
(renamed, never added or deleted), the keywords, and the editors' synonyms of the search."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin
from taggit.models import Tag

from ..models import (
    FieldOfAction,
    Keyword,
    PartnerKind,
    SearchSynonym,
    StaffRole,
    TargetGroup,
)


class ControlledTermAdmin(admin.ModelAdmin):
    list_display = ["name", "address", "slug", "position"]
    search_fields = ["name"]
    # The vocabularies come from migrations; editors may rename, nobody adds or deletes.
    # Addresses and codes stay as they are: saved links and open data rely on them.
    readonly_fields = ["address", "slug"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Keywords are shared by all counties: editors may correct their spelling, nobody merges or
# deletes them from here (that would change other counties' programmes unrecorded).
admin.site.unregister(Tag)


@admin.register(Keyword)
class KeywordAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    actions = None

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SearchSynonym)
class SearchSynonymAdmin(SimpleHistoryAdmin):
    """The editors' synonym list: each change is recorded and applies to the next search."""

    list_display = ["term", "synonym"]
    search_fields = ["term", "synonym"]
    list_per_page = 100


admin.site.register(FieldOfAction, ControlledTermAdmin)
admin.site.register(TargetGroup, ControlledTermAdmin)
admin.site.register(PartnerKind, ControlledTermAdmin)
admin.site.register(StaffRole, ControlledTermAdmin)
