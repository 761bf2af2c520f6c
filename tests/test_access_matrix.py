"""Who may do what in the admin: every view × {anonymous, staff of county A, staff of
county B, editor, administrator}. A cell is checked by its effect, not only its status:
a denied POST must leave the database as it was; a denied GET must not show the page."""

import pytest
from django.urls import reverse

from counties.models import County
from programmes.demo import PROFILE_FIELDS
from programmes.enums import PublicationState as State
from programmes.models import (
    BestPracticeProfile,
    ContactReply,
    ContactRequest,
    Programme,
    RequestState,
)
from tests.factories import BestPracticeFactory, ContactRequestFactory, ProgrammeFactory
from tests.forms import county_profile_form

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "staff_a", "staff_b", "editor", "administrator"]
CONTENT = {"staff_a", "staff_b", "editor"}
OWN_A = {"staff_a", "editor"}
EDITOR = {"editor"}
ADMINS = {"administrator"}


@pytest.fixture
def scene(county_a, county_b):
    published = ProgrammeFactory(county=county_a, title="Veröffentlicht A")
    draft = ProgrammeFactory(county=county_a, title="Entwurf A", draft=True)
    submitted = ProgrammeFactory(
        county=county_a, title="Eingereicht A", publication_state=State.SUBMITTED
    )
    other = ProgrammeFactory(county=county_b, title="Programm B")
    profile = BestPracticeFactory(programme=published)
    published.title = "Veröffentlicht A, neu"
    published.contact_email = "kontakt@ahorn.example"
    published.save()  # a second history record to restore from
    request_a = ContactRequestFactory(programme=published)
    return {
        "request_a": request_a,
        "published": published,
        "draft": draft,
        "submitted": submitted,
        "other": other,
        "profile": profile,
        "county_a": county_a,
        "county_b": county_b,
    }


def _ct(model):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(model).pk


def admin_url(name, *args):
    return reverse(f"admin:{name}", args=args)


# (name, url builder, allowed roles) – GET pages: allowed means the page opens (200).
GET_CELLS = [
    ("programme list", lambda s: admin_url("programmes_programme_changelist"), CONTENT),
    ("programme add", lambda s: admin_url("programmes_programme_add"), CONTENT),
    (
        "programme change (A)",
        lambda s: admin_url("programmes_programme_change", s["published"].pk),
        OWN_A,
    ),
    (
        "programme change (B)",
        lambda s: admin_url("programmes_programme_change", s["other"].pk),
        {"staff_b", "editor"},
    ),
    (
        "programme history (A)",
        lambda s: admin_url("programmes_programme_history", s["published"].pk),
        OWN_A,
    ),
    (
        "delete published (A)",
        lambda s: admin_url("programmes_programme_delete", s["published"].pk),
        EDITOR,
    ),
    ("delete draft (A)", lambda s: admin_url("programmes_programme_delete", s["draft"].pk), OWN_A),
    (
        "request changes (A)",
        lambda s: admin_url("programmes_programme_request_changes", s["submitted"].pk),
        EDITOR,
    ),
    ("deleted programmes", lambda s: admin_url("programmes_programme_deleted"), CONTENT),
    ("import", lambda s: admin_url("programmes_programme_import"), CONTENT),
    ("export", lambda s: admin_url("programmes_programme_export"), CONTENT),
    (
        "import template",
        lambda s: admin_url("programmes_programme_import_template", "csv"),
        CONTENT,
    ),
    ("profile list", lambda s: admin_url("programmes_bestpracticeprofile_changelist"), CONTENT),
    (
        "profile change (A)",
        lambda s: admin_url("programmes_bestpracticeprofile_change", s["profile"].pk),
        OWN_A,
    ),
    (
        "profile history (A)",
        lambda s: admin_url("programmes_bestpracticeprofile_history", s["profile"].pk),
        OWN_A,
    ),
    (
        "county change (A)",
        lambda s: admin_url("counties_county_change", s["county_a"].pk),
        OWN_A | ADMINS,
    ),
    (
        "county history (A)",
        lambda s: admin_url("counties_county_history", s["county_a"].pk),
        OWN_A | ADMINS,
    ),
    ("memberships", lambda s: admin_url("counties_countymembership_changelist"), EDITOR | ADMINS),
    ("membership add", lambda s: admin_url("counties_countymembership_add"), ADMINS),
    ("users", lambda s: admin_url("auth_user_changelist"), ADMINS),
    ("legal pages", lambda s: admin_url("portal_sitepage_changelist"), EDITOR),
    ("keywords", lambda s: admin_url("programmes_keyword_changelist"), EDITOR),
    ("view on site: draft (A)", lambda s: f"/admin/r/{_ct(Programme)}/{s['draft'].pk}/", set()),
    # Requests between counties: every content role opens the list (editors see counts only,
    # tests/test_contact_requests.py); only the asked county's staff open a request.
    ("requests", lambda s: admin_url("programmes_contactrequest_changelist"), CONTENT),
    (
        "request change (A)",
        lambda s: admin_url("programmes_contactrequest_change", s["request_a"].pk),
        {"staff_a"},
    ),
    ("request add", lambda s: admin_url("programmes_contactrequest_add"), set()),
    (
        "request delete (A)",
        lambda s: admin_url("programmes_contactrequest_delete", s["request_a"].pk),
        set(),
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "url", "allowed"), GET_CELLS, ids=[c[0] for c in GET_CELLS])
def test_get_cell(request, client, scene, role, name, url, allowed):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    response = client.get(url(scene))
    if role in allowed:
        assert response.status_code == 200, f"{role} should open {name}"
    elif role == "anonymous":
        assert response.status_code == 302
        assert "/anmelden/" in response.url or "/admin/login/" in response.url
    else:
        assert response.status_code in (302, 403, 404), f"{role} must not open {name}"
        if response.status_code == 302:
            # Staff who open another county's programme land on their own list, told so.
            own_list = reverse("admin:programmes_programme_changelist")
            assert response.url in ("/admin/", reverse("admin:index"), own_list)


def _state(programme):
    programme.refresh_from_db()
    return programme.publication_state


# (name, performs the POST, checks the effect, allowed roles)
def _profile_form(profile):
    fields = PROFILE_FIELDS
    return {
        **{field: getattr(profile, field) for field in fields},
        "featured_rank": "100",
        "indicators-TOTAL_FORMS": "0",
        "indicators-INITIAL_FORMS": "0",
    }


def _delete_and_recover(client, scene):
    """The published programme is deleted; then the role under test tries to recover it."""
    pk = scene["published"].pk
    Programme.objects.get(pk=pk).delete()
    record = Programme.history.filter(id=pk, history_type="-").get()
    return client.post(admin_url("programmes_programme_undelete", record.history_id))


POST_CELLS = [
    (
        "submit draft (A)",
        lambda c, s: c.post(admin_url("programmes_programme_workflow", s["draft"].pk, "submit")),
        lambda s: _state(s["draft"]) == State.SUBMITTED,
        OWN_A,
    ),
    (
        "publish submitted (A)",
        lambda c, s: c.post(
            admin_url("programmes_programme_workflow", s["submitted"].pk, "publish")
        ),
        lambda s: _state(s["submitted"]) == State.PUBLISHED,
        EDITOR,
    ),
    (
        "request changes (A)",
        lambda c, s: c.post(
            admin_url("programmes_programme_request_changes", s["submitted"].pk),
            {"comment": "Bitte Zahlen ergänzen."},
        ),
        lambda s: _state(s["submitted"]) == State.CHANGES_REQUESTED,
        EDITOR,
    ),
    (
        "archive published (A)",
        lambda c, s: c.post(
            admin_url("programmes_programme_workflow", s["published"].pk, "archive")
        ),
        lambda s: _state(s["published"]) == State.ARCHIVED,
        EDITOR,
    ),
    (
        "confirm published (A)",
        lambda c, s: c.post(
            admin_url("programmes_programme_workflow", s["published"].pk, "confirm")
        ),
        lambda s: (
            Programme.objects.get(pk=s["published"].pk).reminder_sent_at is None
            and Programme.objects.get(pk=s["published"].pk).last_confirmed_at is not None
            and Programme.objects.get(pk=s["published"].pk).last_confirmed_at
            > s["published"].published_at
        ),
        OWN_A,
    ),
    (
        "delete published (A)",
        lambda c, s: c.post(
            admin_url("programmes_programme_delete", s["published"].pk), {"post": "yes"}
        ),
        lambda s: not Programme.objects.filter(pk=s["published"].pk).exists(),
        EDITOR,
    ),
    (
        "delete draft (A)",
        lambda c, s: c.post(
            admin_url("programmes_programme_delete", s["draft"].pk), {"post": "yes"}
        ),
        lambda s: not Programme.objects.filter(pk=s["draft"].pk).exists(),
        OWN_A,
    ),
    (
        "restore earlier version (A)",
        lambda c, s: c.post(
            admin_url(
                "programmes_programme_restore",
                s["published"].pk,
                s["published"].history.earliest().history_id,
            )
        ),
        lambda s: Programme.objects.get(pk=s["published"].pk).title == "Veröffentlicht A",
        OWN_A,
    ),
    (
        "bulk publish (A)",
        lambda c, s: c.post(
            admin_url("programmes_programme_changelist"),
            {"action": "publish_selected", "_selected_action": [s["draft"].pk]},
        ),
        lambda s: _state(s["draft"]) == State.PUBLISHED,
        EDITOR,
    ),
    (
        "move a profile to another programme (A)",
        lambda c, s: c.post(
            admin_url("programmes_bestpracticeprofile_change", s["profile"].pk),
            {"programme": s["draft"].pk, **_profile_form(s["profile"])},
        ),
        lambda s: BestPracticeProfile.objects.get(pk=s["profile"].pk).programme_id == s["draft"].pk,
        set(),
    ),
    (
        "recover a deleted published programme (A)",
        lambda c, s: _delete_and_recover(c, s),
        lambda s: Programme.objects.filter(pk=s["published"].pk).exists(),
        EDITOR,
    ),
    (
        "confirm county (A)",
        lambda c, s: c.post(admin_url("counties_county_confirm", s["county_a"].pk)),
        lambda s: County.objects.get(pk=s["county_a"].pk).last_confirmed_at is not None,
        OWN_A,
    ),
    (
        "edit county profile (A)",
        lambda c, s: c.post(
            admin_url("counties_county_change", s["county_a"].pk),
            county_profile_form(profile_text="Neu geschrieben."),
        ),
        lambda s: County.objects.get(pk=s["county_a"].pk).profile_text == "Neu geschrieben.",
        OWN_A,
    ),
    (
        "take over published (A) into B",
        lambda c, s: c.post(
            reverse("programmes:adopt", args=[s["published"].slug]), {"county": s["county_b"].pk}
        ),
        lambda s: Programme.objects.filter(
            adapted_from=s["published"], county=s["county_b"]
        ).exists(),
        {"staff_b"},
    ),
    (
        "take over published (A) into A, forged",
        lambda c, s: c.post(
            reverse("programmes:adopt", args=[s["published"].slug]), {"county": s["county_a"].pk}
        ),
        lambda s: Programme.objects.filter(adapted_from=s["published"]).exists(),
        set(),
    ),
    (
        "answer request (A)",
        lambda c, s: c.post(
            admin_url("programmes_contactrequest_change", s["request_a"].pk),
            {"state": "open", "answer": "So fangen Sie an."},
        ),
        lambda s: ContactReply.objects.filter(request=s["request_a"]).exists(),
        {"staff_a"},
    ),
    (
        "close request (A)",
        lambda c, s: c.post(
            admin_url("programmes_contactrequest_change", s["request_a"].pk),
            {"state": "closed", "answer": ""},
        ),
        lambda s: ContactRequest.objects.get(pk=s["request_a"].pk).state == RequestState.CLOSED,
        {"staff_a"},
    ),
    (
        "ask under county A's name (forged)",
        lambda c, s: c.post(
            reverse("programmes:ask-question", args=[s["published"].slug]),
            {"sender_county": s["county_a"].pk, "message": "Im Namen von Ahorn gesendet."},
        ),
        lambda s: ContactRequest.objects.filter(sender_county=s["county_a"]).exists(),
        {"staff_a"},
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "perform", "happened", "allowed"), POST_CELLS, ids=[c[0] for c in POST_CELLS]
)
def test_post_cell(request, client, scene, role, name, perform, happened, allowed):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    response = perform(client, scene)
    assert response.status_code in (200, 302, 400, 403, 404, 405)
    if role in allowed:
        assert happened(scene), f"{role} should be able to {name}"
    else:
        assert not happened(scene), f"{role} must not be able to {name}"
