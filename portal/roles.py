"""The three kinds of staff, as Django groups whose permissions are kept here in code.

A data migration creates the groups; `sync_roles` brings an existing installation in line.
Nothing in ordinary work looks at is_superuser: access follows these permissions and the
county memberships that administrators keep.
"""

COUNTY_STAFF = "Kreisredaktion"
EDITORS = "Redaktion"
ADMINISTRATORS = "Administration"

REVIEW_PERMISSION = "programmes.review_programme"
CURATE_PERMISSION = "programmes.curate_bestpracticeprofile"


def _crud(app, model, actions=("view", "add", "change", "delete")):
    return [f"{app}.{action}_{model}" for action in actions]


_CONTENT = [
    *_crud("counties", "county", ("view", "change")),
    *_crud("counties", "state", ("view",)),
    *_crud("programmes", "programme"),
    *_crud("programmes", "funding"),
    *_crud("programmes", "bestpracticeprofile"),
    *_crud("programmes", "indicator"),
    *_crud("programmes", "attachment"),
    *_crud("programmes", "fieldofaction", ("view",)),
    *_crud("programmes", "targetgroup", ("view",)),
    *_crud("programmes", "partnerkind", ("view",)),
    *_crud("programmes", "staffrole", ("view",)),
    # Requests between counties: read and answered by the staff of the asked county only
    # (ContactRequestQuerySet.for_staff); nobody adds or deletes them by hand.
    *_crud("programmes", "contactrequest", ("view", "change")),
]

ROLE_PERMISSIONS = {
    COUNTY_STAFF: _CONTENT,
    EDITORS: [
        *_CONTENT,
        REVIEW_PERMISSION,
        CURATE_PERMISSION,
        *_crud("programmes", "fieldofaction", ("change",)),
        *_crud("programmes", "targetgroup", ("change",)),
        *_crud("programmes", "partnerkind", ("change",)),
        *_crud("programmes", "staffrole", ("change",)),
        *_crud("programmes", "keyword", ("view", "change")),
        *_crud("programmes", "searchsynonym"),
        *_crud("portal", "sitepage", ("view", "change")),
        *_crud("counties", "countymembership", ("view",)),
    ],
    ADMINISTRATORS: [
        *_crud("auth", "user"),
        *_crud("auth", "group", ("view",)),
        *_crud("counties", "countymembership"),
        *_crud("counties", "county", ("view",)),
        *_crud("axes", "accessattempt", ("view", "delete")),
        *_crud("axes", "accesslog", ("view",)),
        *_crud("axes", "accessfailurelog", ("view",)),
    ],
}


def sync_roles(group_model, permission_model):
    """Create the groups and give each exactly the permissions listed above."""
    for name, codes in ROLE_PERMISSIONS.items():
        group, _created = group_model.objects.get_or_create(name=name)
        permissions = []
        for code in codes:
            app_label, codename = code.split(".")
            permissions.append(
                permission_model.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(permissions)


def is_editor(user):
    return user.is_active and user.has_perm(REVIEW_PERMISSION)


def county_ids(user):
    """The counties a user is staff of (cached on the user object for the request)."""
    if not hasattr(user, "_county_ids"):
        user._county_ids = (
            frozenset(user.county_memberships.values_list("county_id", flat=True))
            if user.is_authenticated
            else frozenset()
        )
    return user._county_ids
