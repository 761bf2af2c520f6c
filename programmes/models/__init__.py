"""The programmes app's models, one module per concern; every model is importable from here."""

from .exchange import (
    ContactReply,
    ContactRequest,
    ContactRequestQuerySet,
    RequestKind,
    RequestState,
)
from .parts import Attachment, Funding, attachment_path
from .profiles import (
    BEST_PRACTICE_HISTORY,
    COST_BOUNDS,
    BestPracticeProfile,
    Indicator,
    shown_cost,
)
from .programmes import (
    CARD_FIELDS,
    PROGRAMME_HISTORY,
    Programme,
    ProgrammeQuerySet,
    image_path,
)
from .search import Neighbours, SearchDocument, SearchLexeme, SearchSynonym, SearchTerm, SearchWord
from .terms import (
    FieldOfAction,
    Keyword,
    PartnerKind,
    StaffRole,
    TargetGroup,
)
from .visitors import DigestEntry, MerklistEntry, Rhythm, SearchSubscription

__all__ = [
    "Attachment",
    "attachment_path",
    "BEST_PRACTICE_HISTORY",
    "BestPracticeProfile",
    "CARD_FIELDS",
    "ContactReply",
    "ContactRequest",
    "ContactRequestQuerySet",
    "COST_BOUNDS",
    "DigestEntry",
    "FieldOfAction",
    "Funding",
    "image_path",
    "Indicator",
    "Keyword",
    "MerklistEntry",
    "Neighbours",
    "PartnerKind",
    "Programme",
    "PROGRAMME_HISTORY",
    "ProgrammeQuerySet",
    "RequestKind",
    "RequestState",
    "Rhythm",
    "SearchDocument",
    "SearchLexeme",
    "SearchSubscription",
    "SearchSynonym",
    "SearchTerm",
    "SearchWord",
    "shown_cost",
    "StaffRole",
    "TargetGroup",
]
