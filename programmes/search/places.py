"""The Länder and counties a query names ("Sprachkurs Bayern"), offered as filters."""

from .. import analysis

CITY_WORDS = frozenset({"stadt", "kreisfreie"})


def _place_keys(name):
    return tuple(
        analysis.stem(word.lower())
        for word in analysis.words(name)
        if word.lower() not in analysis.STOP_WORDS
    )


def all_places():
    from counties.models import County, State

    places = [
        ("land", slug, name, _place_keys(name), None)
        for slug, name in State.objects.values_list("slug", "name")
    ]
    for slug, name, category in County.objects.values_list("slug", "name", "category"):
        places.append(("kreis", slug, name, _place_keys(name.split(",")[0]), category))
    return places


def named_places(text, places):
    """The Länder and counties whose names occur in the query, as (filter, slug, name); a
    Landkreis and a city of the same name both, unless the query says which."""
    typed = [
        word.lower() for word in analysis.words(text) if word.lower() not in analysis.STOP_WORDS
    ]
    keys = [analysis.stem(word) for word in typed]
    wants_city = bool(CITY_WORDS.intersection(typed))
    wants_county = bool(analysis.PLACE_WORDS.intersection(typed) - CITY_WORDS)
    found = []
    for kind, slug, name, place_keys, category in places:
        if not place_keys:
            continue
        length = len(place_keys)
        if not any(tuple(keys[i : i + length]) == place_keys for i in range(len(keys))):
            continue
        said_which = kind == "kreis" and wants_city != wants_county
        if said_which and (category == "kreisfreie_stadt") != wants_city:
            continue
        found.append((kind, slug, name))
    return found[:3]
