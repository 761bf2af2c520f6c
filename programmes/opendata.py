"""The programme list as open data: CSV and JSON with stable, documented field names."""

import csv
import json
from collections import defaultdict
from itertools import chain, islice

from django.contrib.contenttypes.models import ContentType
from django.http import StreamingHttpResponse
from django.utils.translation import gettext_lazy as _
from taggit.models import TaggedItem

from portal.formulas import neutralise
from portal.links import slug_paths

from .enums import PublicationState
from .models import BestPracticeProfile, Programme, shown_cost

DESTATIS = "© Statistisches Bundesamt (Destatis), 2019, CC BY 4.0"
LICENCE = "CC BY 4.0 – Kreise für Integration (Deutscher Landkreistag)"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/deed.de"
# Programmes read per query while streaming.
CHUNK_SIZE = 500

# name, description (shown on the documentation page), value
FIELDS = [
    ("slug", _("Stable identifier of the programme; part of its address")),
    ("url", _("Address of the programme page")),
    ("title", _("Title")),
    ("summary", _("Short description")),
    ("county_ags", _("Official key (AGS) of the county, five digits")),
    ("county_name", _("Official name of the county")),
    ("state", _("State (Land)")),
    ("county_population", _("Population of the county, 31 Dec 2018 (Destatis)")),
    ("county_area_km2", _("Area of the county in km² (Destatis)")),
    ("fields_of_action", _("Codes of the fields of action (a list; in CSV: a;b)")),
    ("target_groups", _("Codes of the target groups (a list; in CSV: a;b)")),
    ("keywords", _("Keywords (a list; in CSV: a;b)")),
    ("status", _("planned, running, ended or permanent")),
    ("start_date", _("Start, YYYY-MM-DD")),
    ("end_date", _("End, YYYY-MM-DD")),
    ("people_reached", _("Number of people reached, if given")),
    ("best_practice", _("true if the editors recognised it as a best practice")),
    ("staff_fte", _("Transferability: staff needed in full-time equivalents")),
    ("staff_roles", _("Transferability: codes of the staff roles (a list; in CSV: a;b)")),
    ("setup_cost_min", _("Transferability: one-off setup cost in euros, lower bound")),
    (
        "setup_cost_max",
        _(
            "Transferability: one-off setup cost in euros, upper bound "
            "(equal to the lower bound for an exact amount, empty above 1,000,000)"
        ),
    ),
    ("running_cost_min", _("Transferability: annual running cost in euros, lower bound")),
    ("running_cost_max", _("Transferability: annual running cost in euros, upper bound")),
    ("depends_on_funding", _("Transferability: true if it depends on funding that may end")),
    ("months_to_start", _("Transferability: months from decision to start")),
    (
        "required_partners",
        _(
            "Transferability: codes of the kinds of partners that must take "
            "part (a list; in CSV: a;b)"
        ),
    ),
    ("preconditions", _("Transferability: preconditions")),
    ("works_without_city", _("Transferability: true if it works without a large city nearby")),
    (
        "tried_in",
        _(
            "AGS of the counties that run it: its own and those that took it over "
            "(a list; in CSV: a;b)"
        ),
    ),
    ("adapted_from", _("Identifier of the programme it was taken over from, if published")),
    ("adapted_from_title", _("Title and county of the programme it was taken over from")),
    (
        "adopted_by",
        _("Identifiers of the published programmes taken over from it (a list; in CSV: a;b)"),
    ),
    ("published_at", _("First publication, ISO 8601")),
    ("updated_at", _("Last change, ISO 8601")),
    ("county_figures_source", _("Source of the county figures")),
]


# The columns read per programme: plain values, no model objects, which at 100,000 rows
# would cost more than the database does.
COLUMNS = [
    "pk", "slug", "title", "summary", "status", "start_date", "end_date", "reach",
    "published_at", "updated_at", "county__ags", "county__name", "county__state__name",
    "county__population", "county__area_km2", "best_practice__is_recognised",
    "best_practice__pk", "best_practice__staff_fte", "best_practice__setup_cost",
    "best_practice__running_cost", "best_practice__costs_as_range",
    "best_practice__depends_on_funding", "best_practice__months_to_start",
    "best_practice__preconditions", "best_practice__works_without_city",
    "adapted_from__slug", "adapted_from__publication_state", "adapted_from_title",
    "adapted_from_county",
]  # fmt: skip
PUBLIC_STATES = {PublicationState.PUBLISHED, PublicationState.ARCHIVED}


def _iso(value):
    return value.isoformat() if value else None


def _number(value):
    return None if value is None else float(value)


def _costs(values, name):
    """(lower, upper) of a cost as its public page shows it."""
    span = shown_cost(values[f"best_practice__{name}"], values["best_practice__costs_as_range"])
    return (None, None) if span is None else tuple(_number(bound) for bound in span)


def _card(values, lists):
    """The transferability card, for recognised profiles only: what the public page shows."""
    if not values["best_practice__is_recognised"]:
        return dict.fromkeys(CARD_KEYS) | {"staff_roles": [], "required_partners": []}
    profile = values["best_practice__pk"]
    setup, running = _costs(values, "setup_cost"), _costs(values, "running_cost")
    return {
        "staff_fte": _number(values["best_practice__staff_fte"]),
        "staff_roles": lists["roles"].get(profile, []),
        "setup_cost_min": setup[0],
        "setup_cost_max": setup[1],
        "running_cost_min": running[0],
        "running_cost_max": running[1],
        "depends_on_funding": values["best_practice__depends_on_funding"],
        "months_to_start": values["best_practice__months_to_start"],
        "required_partners": lists["partners"].get(profile, []),
        "preconditions": values["best_practice__preconditions"] or None,
        "works_without_city": values["best_practice__works_without_city"],
    }


CARD_KEYS = [
    "staff_fte", "staff_roles", "setup_cost_min", "setup_cost_max", "running_cost_min",
    "running_cost_max", "depends_on_funding", "months_to_start", "required_partners",
    "preconditions", "works_without_city",
]  # fmt: skip


def _lineage(values, lists):
    source_public = values["adapted_from__publication_state"] in PUBLIC_STATES
    title = values["adapted_from_title"]
    adoptions = lists["adoptions"].get(values["pk"], [])
    return {
        "tried_in": list(dict.fromkeys([values["county__ags"], *[a for _s, a in adoptions]])),
        "adapted_from": values["adapted_from__slug"] if source_public else None,
        "adapted_from_title": f"{title} ({values['adapted_from_county']})" if title else None,
        "adopted_by": [slug for slug, _ags in adoptions],
    }


def _row(values, lists, url):
    return {
        "slug": values["slug"],
        "url": url,
        "title": values["title"],
        "summary": values["summary"],
        "county_ags": values["county__ags"],
        "county_name": values["county__name"],
        "state": values["county__state__name"],
        "county_population": values["county__population"],
        "county_area_km2": float(values["county__area_km2"]),
        "fields_of_action": lists["fields"].get(values["pk"], []),
        "target_groups": lists["groups"].get(values["pk"], []),
        "keywords": sorted(lists["keywords"].get(values["pk"], [])),
        "status": values["status"],
        "start_date": _iso(values["start_date"]),
        "end_date": _iso(values["end_date"]),
        "people_reached": values["reach"],
        "best_practice": bool(values["best_practice__is_recognised"]),
        **_card(values, lists),
        **_lineage(values, lists),
        "published_at": _iso(values["published_at"]),
        "updated_at": _iso(values["updated_at"]),
        "county_figures_source": DESTATIS,
    }


def _chunks(items):
    items = iter(items)
    while chunk := list(islice(items, CHUNK_SIZE)):
        yield chunk


def _grouped(pairs):
    grouped = defaultdict(list)
    for programme_id, value in pairs:
        grouped[programme_id].append(value)
    return grouped


def _lists(ids):
    """Fields of action and target groups (in their order) and keywords of these programmes:
    one query each, pairs of ids and codes."""
    fields = Programme.fields_of_action.through.objects.filter(programme_id__in=ids)
    groups = Programme.target_groups.through.objects.filter(programme_id__in=ids)
    keywords = TaggedItem.objects.filter(
        content_type=ContentType.objects.get_for_model(Programme), object_id__in=ids
    )
    return {
        "fields": _grouped(
            fields.order_by("fieldofaction__position", "fieldofaction__name").values_list(
                "programme_id", "fieldofaction__slug"
            )
        ),
        "groups": _grouped(
            groups.order_by("targetgroup__position", "targetgroup__name").values_list(
                "programme_id", "targetgroup__slug"
            )
        ),
        "keywords": _grouped(keywords.values_list("object_id", "tag__name")),
        # Keyed by profile: the card's lists.
        "roles": _grouped(
            BestPracticeProfile.staff_roles.through.objects.filter(
                bestpracticeprofile__programme_id__in=ids
            )
            .order_by("staffrole__position")
            .values_list("bestpracticeprofile_id", "staffrole__slug")
        ),
        "partners": _grouped(
            BestPracticeProfile.required_partners.through.objects.filter(
                bestpracticeprofile__programme_id__in=ids
            )
            .order_by("partnerkind__position")
            .values_list("bestpracticeprofile_id", "partnerkind__slug")
        ),
        # Published programmes taken over from these: (slug, AGS of their county).
        "adoptions": _grouped(
            (source, (slug, ags))
            for source, slug, ags in Programme.objects.published()
            .filter(adapted_from_id__in=ids)
            .order_by("county__ags", "slug")
            .values_list("adapted_from_id", "slug", "county__ags")
        ),
    }


def rows(programmes, base_url):
    """The records one at a time, read in chunks: memory stays the same whatever the number
    of programmes. One query reads the rows (a cursor), and each chunk costs one query per
    list field. The first chunk is read at once, before anything is sent: a query that
    fails does so as the response's error, not as a download cut off after its first line."""
    values = programmes.values(*COLUMNS)
    chunks = _chunks(values.iterator(chunk_size=CHUNK_SIZE))
    first = next(chunks, None)
    return _records(chain([first] if first else [], chunks), base_url)


def _records(chunks, base_url):
    path = slug_paths("programmes:programme-detail")
    for chunk in chunks:
        lists = _lists([row["pk"] for row in chunk])
        for row in chunk:
            yield _row(row, lists, base_url + path(row["slug"]))


def _csv_value(value):
    """CSV cells: lists joined by semicolons, booleans as true/false, None as empty, and text
    that a spreadsheet program would run as a formula neutralised (the JSON keeps it as is)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(str(neutralise(item)) for item in value)
    return neutralise(value)


class _Line:
    """What csv.writer writes to: hands back the line instead of keeping it."""

    def write(self, text):
        return text


def _csv_lines(records):
    # A byte order mark, so that spreadsheet programs read the umlauts as UTF-8.
    yield "\ufeff"
    # Every cell quoted: a spreadsheet that splits at ";" (German Excel) keeps a list whole.
    writer = csv.DictWriter(
        _Line(), fieldnames=[name for name, _label in FIELDS], quoting=csv.QUOTE_ALL
    )
    yield writer.writeheader()
    for record in records:
        yield writer.writerow({key: _csv_value(value) for key, value in record.items()})


def as_csv(records):
    response = StreamingHttpResponse(_csv_lines(records), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="programme.csv"'
    return response


def _json_parts(records):
    head = {"licence": LICENCE, "licence_url": LICENCE_URL, "county_figures_source": DESTATIS}
    # The document as json.dumps would write it, the list written as it is read; the count
    # follows the list, so that the filtered query runs once.
    yield json.dumps(head, ensure_ascii=False, indent=1)[:-2] + ',\n "programmes": ['
    count = 0
    for record in records:
        yield ("\n" if count == 0 else ",\n") + json.dumps(record, ensure_ascii=False)
        count += 1
    yield f'\n ],\n "count": {count}\n}}'


def as_json(records):
    response = StreamingHttpResponse(
        _json_parts(records), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="programme.json"'
    return response
