import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.prod")
application = get_wsgi_application()

if settings.SEARCH_SPLIT_COMPOUNDS:
    # The compound lexicon takes about a second to read: each server process reads it as it
    # starts, before it takes requests, not during the first search that needs it.
    from programmes.analysis import lexicon

    lexicon()
