"""The programme list as open data: CSV and JSON with stable, documented field names."""

import csv
import json

from django.http import StreamingHttpResponse
from django.utils.translation import gettext_lazy as _

from portal.formulas import neutralise

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


def _row(programme, base_url):
    county = programme.county
    profile = getattr(programme, "best_practice", None)
    return {
        "slug": programme.slug,
        "url": f"{base_url}{programme.get_absolute_url()}",
        "title": programme.title,
        "summary": programme.summary,
        "county_ags": county.ags,
        "county_name": county.name,
        "state": county.state.name,
        "county_population": county.population,
        "county_area_km2": float(county.area_km2),
        "fields_of_action": [f.slug for f in programme.fields_of_action.all()],
        "target_groups": [t.slug for t in programme.target_groups.all()],
        "keywords": sorted(tag.name for tag in programme.keywords.all()),
        "status": programme.status,
        "start_date": programme.start_date.isoformat() if programme.start_date else None,
        "end_date": programme.end_date.isoformat() if programme.end_date else None,
        "people_reached": programme.reach,
        "best_practice": bool(profile and profile.is_recognised),
        "published_at": programme.published_at.isoformat() if programme.published_at else None,
        "updated_at": programme.updated_at.isoformat(),
        "county_figures_source": DESTATIS,
    }


def rows(programmes, base_url):
    """The records one at a time, read in chunks: memory stays the same whatever the number
    of programmes. Each chunk costs one query for the rows and one per list field."""
    programmes = programmes.select_related("county__state", "best_practice").prefetch_related(
        "fields_of_action", "target_groups", "keywords"
    )
    for programme in programmes.iterator(chunk_size=CHUNK_SIZE):
        yield _row(programme, base_url)


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


def _json_parts(records, count):
    head = {
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "county_figures_source": DESTATIS,
        "count": count,
    }
    # The document as json.dumps would write it, the list of programmes written as it is read.
    yield json.dumps(head, ensure_ascii=False, indent=1)[:-2] + ',\n "programmes": ['
    separator = "\n"
    for record in records:
        yield separator + json.dumps(record, ensure_ascii=False)
        separator = ",\n"
    yield "\n ]\n}"


def as_json(records, count):
    response = StreamingHttpResponse(
        _json_parts(records, count), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="programme.json"'
    return response
