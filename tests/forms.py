"""Form data as the admin's pages post it, for tests that drive the admin like a person."""

PROFILE_TEXT_FIELDS = [
    "profile_text", "office_name", "office_email", "office_phone", "office_address",
    "office_website", "concept_year", "concept_url",
]  # fmt: skip


def county_profile_form(**values):
    return {**dict.fromkeys(PROFILE_TEXT_FIELDS, ""), **values}


def field_ids(*positions):
    """The form values of fields of action by their place in the list (1 = the first), as
    the checkboxes send them; their database numbers differ once a test emptied the tables."""
    from programmes.models import FieldOfAction

    ids = list(FieldOfAction.objects.order_by("position").values_list("pk", flat=True))
    return [str(ids[position - 1]) for position in positions]


def programme_form(county, **overrides):
    """A complete add/change form of a programme, with empty inline formsets."""
    data = {
        "county": county.pk, "title": "Neues Programm", "slug": "neues-programm",
        "summary": "Kurz.", "description": "Lang.", "fields_of_action": field_ids(1, 2),
        "status": "running", "keywords": "Patenschaft, Wohnraum",
    }  # fmt: skip
    for inline in ("fundings", "attachments", "best_practice"):
        data[f"{inline}-TOTAL_FORMS"] = "0"
        data[f"{inline}-INITIAL_FORMS"] = "0"
    return {**data, **overrides}
