"""Programmes as spreadsheets (django-import-export): the resource, and the widgets that read
and write its German cells."""

from .programme import REQUIRED_COLUMNS, ProgrammeResource

__all__ = ["REQUIRED_COLUMNS", "ProgrammeResource"]
