"""The cells of a programme spreadsheet as German staff write them: the county by its AGS,
lists separated by semicolons, dates as 31.12.2026, numbers as 1.234,5, and ja or nein."""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from import_export import widgets

from portal.formulas import unquote

from ..enums import ProgrammeStatus

LIST_SEPARATOR = ";"


class CountyWidget(widgets.ForeignKeyWidget):
    """Kreisschlüssel (AGS), five digits; spreadsheets like to drop the leading zero."""

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if text.endswith(".0"):
            text = text[:-2]
        if text.isdigit():
            text = text.zfill(5)
        if not text:
            raise ValueError(_("The AGS of the county is missing."))
        county = self._by_ags().get(text)
        if county is None:
            raise ValueError(_("There is no county with the AGS “%(ags)s”.") % {"ags": text})
        return county

    def _by_ags(self):
        # Loaded once per import: every resource copies its fields, and so its widgets.
        if not hasattr(self, "_counties"):
            counties = self.model.objects.only("pk", "ags", "name")
            self._counties = {county.ags: county for county in counties}
        return self._counties


class NamesWidget(widgets.ManyToManyWidget):
    """Terms of a controlled list by their German names, separated by semicolons."""

    def clean(self, value, row=None, **kwargs):
        text = unquote(str(value or "").strip())
        names = [name.strip() for name in text.split(LIST_SEPARATOR) if name.strip()]
        found = self._by_name()
        unknown = [name for name in names if name.casefold() not in found]
        if unknown:
            raise ValueError(
                _("Unknown: %(names)s. Allowed: %(allowed)s.")
                % {
                    "names": ", ".join(unknown),
                    "allowed": f"{LIST_SEPARATOR} ".join(t.name for t in found.values()),
                }
            )
        return list(dict.fromkeys(found[name.casefold()] for name in names))

    def _by_name(self):
        # Loaded once per import, like the counties above.
        if not hasattr(self, "_terms"):
            self._terms = {term.name.casefold(): term for term in self.model.objects.all()}
        return self._terms

    def render(self, value, obj=None, **kwargs):
        return f"{LIST_SEPARATOR} ".join(term.name for term in value.all()) if value else ""


class StatusWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip().casefold()
        for choice, label in ProgrammeStatus.choices:
            if text in {choice, str(label).casefold()}:
                return choice
        raise ValueError(
            _("Unknown status “%(value)s”. Allowed: %(allowed)s.")
            % {
                "value": value,
                "allowed": ", ".join(str(label) for _c, label in ProgrammeStatus.choices),
            }
        )

    def render(self, value, obj=None, **kwargs):
        return str(ProgrammeStatus(value).label) if value else ""


class GermanDateWidget(widgets.Widget):
    """31.12.2024 or 2024-12-31; Excel also hands over real dates."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = str(value).strip()
        for pattern in ("%d.%m.%Y", "%Y-%m-%d"):
            try:
                return datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        raise ValueError(_("“%(value)s” is no date (e.g. 31.12.2024).") % {"value": text})

    def render(self, value, obj=None, **kwargs):
        return value.strftime("%d.%m.%Y") if value else ""


GROUPED_THOUSANDS = re.compile(r"-?\d{1,3}(\.\d{3})+")


def german_number(value):
    """18.000,50 and 18000,5 as written in Germany, 18000.50 too; Euro signs and spaces
    are left out. Raises ValueError with a German message."""
    text = re.sub(r"\s|€|EUR|Euro", "", str(value), flags=re.IGNORECASE)
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    elif GROUPED_THOUSANDS.fullmatch(text):
        text = text.replace(".", "")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(
            _("“%(value)s” is no number (e.g. 18.000,50).") % {"value": str(value).strip()}
        ) from None


class GermanDecimalWidget(widgets.DecimalWidget):
    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            return None
        if isinstance(value, int | float | Decimal):
            return Decimal(str(value))
        return german_number(value)


class GermanIntegerWidget(widgets.IntegerWidget):
    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            return None
        number = value if isinstance(value, int | float | Decimal) else german_number(value)
        if number != int(number):
            raise ValueError(_("“%(value)s” is no whole number.") % {"value": value})
        return int(number)


class TextWidget(widgets.CharWidget):
    """An empty spreadsheet cell is empty text, never NULL (XLSX hands over None); the
    apostrophe an export put in front of a formula sign comes off again."""

    def clean(self, value, row=None, **kwargs):
        return "" if value is None else unquote(str(value).strip()).strip()


class YesNoWidget(widgets.Widget):
    """ja, nein, or an empty cell for "not specified"."""

    YES, NO = (
        {"ja", "j", "yes", "true", "wahr", "1", "x"},
        {"nein", "n", "no", "false", "falsch", "0"},
    )

    def clean(self, value, row=None, **kwargs):
        text = unquote(str("" if value is None else value).strip()).casefold()
        if not text:
            return None
        if text in self.YES:
            return True
        if text in self.NO:
            return False
        raise ValueError(_("“%(value)s” is neither “ja” nor “nein”.") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else ("ja" if value else "nein")
