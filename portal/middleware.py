"""Request checks that apply to every page of the portal."""

from django.core.exceptions import SuspiciousOperation, TooManyFieldsSent
from django.http import QueryDict
from django.urls import reverse

NUL = "\x00"


class NulCharacterInQuery(SuspiciousOperation):
    """Django answers a SuspiciousOperation with the 400 page and logs it as a security event."""


class NulCharacterMiddleware:
    """No NUL character in a query parameter reaches a view: PostgreSQL refuses NUL in any
    text, so one `%00` in a filter would otherwise end in a server error.

    Public pages drop the character, as their filters drop any input they do not
    understand. The staff area answers with the 400 page instead: its own links never
    contain NUL, and a filter changed behind the staff's back would show them the wrong
    list."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            has_nul = _has_nul(request.GET)
        except TooManyFieldsSent:
            # Django's 400, with the query string gone: whatever reads it next (the error
            # page in debug mode, say) would fail on it again and end in a server error.
            request.META["QUERY_STRING"] = ""
            request.GET = QueryDict()
            raise
        if has_nul:
            if request.path_info.startswith(reverse("admin:index")):
                raise NulCharacterInQuery("NUL character in the query string of a staff page")
            # get_full_path() reads the raw string (the login's "next", say), so both change.
            request.META["QUERY_STRING"] = _without_nul(request.GET)
            request.GET = QueryDict(request.META["QUERY_STRING"], encoding=request.encoding)
        return self.get_response(request)


def _has_nul(query):
    return any(NUL in key or any(NUL in value for value in values) for key, values in query.lists())


def _without_nul(query):
    cleaned = QueryDict(mutable=True)
    for key, values in query.lists():
        for value in values:
            cleaned.appendlist(key.replace(NUL, ""), value.replace(NUL, ""))
    return cleaned.urlencode()
