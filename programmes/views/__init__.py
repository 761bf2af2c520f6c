"""The public pages of programmes, one module per page or kind of answer."""

from .comparable import comparable
from .fields import field_detail, field_list
from .files import attachment, attachment_response, image, image_response
from .open_data import open_data, programme_data
from .programme_list import DOSSIER_MAX, ProgrammeListView, facets_name
from .programme_page import (
    ProgrammeDetailView,
    preview_response,
    read_details,
    with_detail_relations,
)

__all__ = [
    "attachment",
    "attachment_response",
    "comparable",
    "DOSSIER_MAX",
    "facets_name",
    "field_detail",
    "field_list",
    "image",
    "image_response",
    "open_data",
    "preview_response",
    "programme_data",
    "ProgrammeDetailView",
    "ProgrammeListView",
    "read_details",
    "with_detail_relations",
]
