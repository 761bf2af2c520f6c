"""The staff's workplace: one module per part of the admin, each registering its own.

- programmes: the programme form, its lists and the staff's view of files and previews,
  with the review workflow (workflow), deletion and recovery (recovery), and spreadsheet
  import and export (spreadsheets) as mixins of its admin;
- inlines and files: the parts of the programme form;
- profiles: best-practice profiles; contact_requests: requests between counties;
- terms: the shared vocabularies, keywords and the search's synonyms."""

from . import contact_requests, profiles, programmes, terms  # noqa: F401 - each registers its admins
