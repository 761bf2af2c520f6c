"""The programme list as open data: CSV and JSON with stable, documented field names."""

import csv
import json
from collections import defaultdict
from itertools import islice

from django.contrib.contenttypes.models import ContentType
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from taggit.models import TaggedItem

from portal.formulas import neutralise

from .models import Programme

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
]  # fmt: skip


def _iso(value):
    return value.isoformat() if value else None


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
    }


def rows(programmes, base_url):
    """The records one at a time, read in chunks: memory stays the same whatever the number
    of programmes. One query reads the rows (a cursor), and each chunk costs one query per
    list field."""
    values = programmes.values(*COLUMNS)
    # Every address has the same shape; reversing it 100,000 times would take seconds.
    address = base_url + reverse("programmes:programme-detail", kwargs={"slug": "-"})
    before, after = address.rsplit("/-/", 1)
    for chunk in _chunks(values.iterator(chunk_size=CHUNK_SIZE)):
        lists = _lists([row["pk"] for row in chunk])
        for row in chunk:
            yield _row(row, lists, f"{before}/{row['slug']}/{after}")


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
