"""What the search and the programme pages keep beside the programmes: stored documents,
the vocabulary and the words' numbers, the editors' synonyms, and the neighbours of each
programme."""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..validators import validate_single_line
from .programmes import Programme


class SearchDocument(models.Model):
    """A programme's stored search documents on PostgreSQL (SQLite keeps them in an FTS5
    table), in a narrow table of their own: a search reads the row of every match, and here
    a row holds what the search needs, not a programme's long texts. Whether the programme
    is published, and when, are copied with the documents, so that a search of all
    published programmes reads no other table (programmes.search keeps them current)."""

    programme = models.OneToOneField(
        Programme, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True)
    # Title, summary, keywords, fields, groups and county (weights A and B): what ranks the
    # matches, small enough to be read for thousands of them, and stored in the row.
    rank_vector = SearchVectorField(null=True)
    # Everything, the long texts too (weight C): what decides whether a programme matches,
    # found through its GIN index; stored uncompressed and out of line once the row would
    # pass about 2 kB, as it does for most programmes.
    search_vector = SearchVectorField(null=True)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")

    def __str__(self):
        return str(self.programme_id)


class SearchTerm(models.Model):
    """A word of a published programme's title, summary, keywords, fields of action or county:
    what "Meinten Sie …?" can suggest when a search with a typo finds nothing. Kept per
    programme, so that a word leaves the vocabulary with the last public programme using it."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="+", verbose_name=_("programme")
    )
    term = models.CharField(_("word"), max_length=80)

    class Meta:
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "term"], name="searchterm_unique_per_programme"
            )
        ]

    def __str__(self):
        return self.term


class SearchWord(models.Model):
    """Each word of the correction vocabulary (SearchTerm) once, with the number of published
    programmes using it (PostgreSQL; kept current by triggers on SearchTerm, migration 0025):
    "Meinten Sie …?" compares a typed word with a few thousand words, not with every
    programme's."""

    word = models.CharField(_("word"), max_length=80, primary_key=True)
    programmes = models.IntegerField(_("published programmes"), default=0)

    class Meta:
        verbose_name = _("word of the vocabulary")
        verbose_name_plural = _("words of the vocabulary")

    def __str__(self):
        return self.word


class SearchLexeme(models.Model):
    """How many published programmes' search documents hold a word of the index (PostgreSQL):
    kept current by triggers on the documents' table (migration 0024), whatever writes it.
    A search needs to know only whether a word is common, and a word held by enough
    programmes makes every search term it starts common without reading the index."""

    lexeme = models.TextField(_("word"), primary_key=True)
    documents = models.IntegerField(_("published programmes"), default=0)

    class Meta:
        verbose_name = _("indexed word")
        verbose_name_plural = _("indexed words")

    def __str__(self):
        return self.lexeme


class Neighbours(models.Model):
    """The related and comparable programmes of a programme, worked out ahead
    (programmes.neighbours), with the structure version they were worked out at."""

    programme = models.OneToOneField(
        Programme,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="neighbours",
        verbose_name=_("programme"),
    )
    related = models.JSONField(_("related programmes"), default=list)
    comparable = models.JSONField(_("comparable programmes"), default=list)
    version = models.PositiveBigIntegerField(_("structure version"))

    class Meta:
        verbose_name = _("neighbours of a programme")
        verbose_name_plural = _("neighbours of programmes")

    def __str__(self):
        return str(self.programme_id)


class SearchSynonym(models.Model):
    """Two expressions the search treats as one, in both directions: an abbreviation and its
    long form ("MBE" – "Migrationsberatung für erwachsene Zuwanderer"), a loan word and its
    German word. Kept by the editors; applied to every query, not to the stored documents,
    so that a change works at once."""

    term = models.CharField(
        _("term"),
        max_length=100,
        validators=[validate_single_line],
        help_text=_("Usually the short form, e.g. “JMD”."),
    )
    synonym = models.CharField(
        _("same meaning"),
        max_length=200,
        validators=[validate_single_line],
        help_text=_("E.g. “Jugendmigrationsdienst”. Both directions are searched."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("synonym")
        verbose_name_plural = _("synonyms")
        ordering = [Lower("term"), Lower("synonym")]
        constraints = [
            models.UniqueConstraint(Lower("term"), Lower("synonym"), name="synonym_unique_pair")
        ]

    def __str__(self):
        return f"{self.term} = {self.synonym}"
