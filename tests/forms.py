"""Form data as the admin's pages post it, for tests that drive the admin like a person."""

PROFILE_TEXT_FIELDS = [
    "profile_text", "office_name", "office_email", "office_phone", "office_address",
    "office_website", "concept_year", "concept_url",
]  # fmt: skip


def county_profile_form(**values):
    return {**dict.fromkeys(PROFILE_TEXT_FIELDS, ""), **values}


def programme_form(county, **overrides):
    """A complete add/change form of a programme, with empty inline formsets."""
    data = {
        "county": county.pk, "title": "Neues Programm", "slug": "neues-programm",
        "summary": "Kurz.", "description": "Lang.", "fields_of_action": ["1", "2"],
        "status": "running", "keywords": "Patenschaft, Wohnraum",
    }  # fmt: skip
    for inline in ("fundings", "attachments", "best_practice"):
        data[f"{inline}-TOTAL_FORMS"] = "0"
        data[f"{inline}-INITIAL_FORMS"] = "0"
    return {**data, **overrides}
