"""German text analysis for the search, the same on every database: words are cut out,
folded, stemmed (Snowball, which also reads typed ae/oe/ue as ä/ö/ü) and split into the
parts of a compound, so that the index and a query meet in the same tokens.

"Frauensprachkurs" becomes the tokens frauensprachkur, frau, sprachkur, sprach, kur: a text
with the compound is found by "Sprachkurs für Frauen", and a query with the compound finds
a text that has its parts."""

import csv
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import Stemmer
from django.conf import settings

WORD = re.compile(r"[^\W_]+")
# A stem also matches longer stems (sprachkur finds sprachkurs) when the typed word was at
# least this long: "Kurs" is stemmed to kur, which must find kurs, "VHS" only itself.
PREFIX_WORD_MIN = 4
COMPOUND_MIN = 7
PART_MIN = 3
HEAD_MIN = 4
MAX_QUERY_WORDS = 12

# Function words of German, in both spellings where a keyboard lacks umlauts. They carry no
# meaning of their own in a search; the list is kept short on purpose ("nicht", "ohne" and
# the like stay out of it).
_STOP_WORDS = """
aber alle allem allen aller alles als also am an ans auch auf aufs aus bei beim bin bis bist
da dabei dadurch dafür daher damit dann daran darauf darin darum das dass daß dein deine dem
den denen der deren des dessen die dies diese diesem diesen dieser dieses doch dort du durch
ein eine einem einen einer eines er es etwa euch euer eure für gegen hat hatte hätte habe
haben hier hin ich ihm ihn ihnen ihr ihre ihrem ihren ihrer ihres im in ins ist ja jede jedem
jeden jeder jedes jetzt kann kein keine können man mehr mein meine mit muss musste nach nun nur
ob oder sehr sein seine seinem seinen seiner sich sie sind so sollen soll sondern sowie über
um und uns unser unsere unter vom von vor war waren was weil welche welchem welchen welcher
wenn wer werden wie wir wird wo zu zum zur zwischen während wegen sowohl bzw usw
"""
FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
STOP_WORDS = frozenset(word for raw in _STOP_WORDS.split() for word in {raw, raw.translate(FOLD)})
# How people name a place around its name ("LK Cham", "Landkreis Cham"): dropped from a
# query that has other words, so that only the name decides.
PLACE_WORDS = frozenset({"landkreis", "landkreises", "kreis", "kreises", "lk", "lkr", "kreisfreie"})

# Joining sounds between the parts of a compound (Frau-en-sprachkurs, Ausbildung-s-platz).
LINKS = ("", "s", "es", "n", "en", "er", "e", "ens")
# A modifier may be a noun without its final e (Schul-zeugnis) or a verb stem (Wohn-raum).
MODIFIER_ENDINGS = ("", "e", "en", "n")
# Nouns that look like word endings: "Zeugnisse" is no Zeug with Nisse.
FALSE_HEADS = frozenset(
    {
        "nis", "nisse", "nissen", "ung", "ungen", "heit", "heiten", "keit", "keiten",
        "schaft", "schaften", "ling", "linge", "tum", "chen", "lein", "ei", "erei", "ion",
        "ionen", "tät", "ismus", "enz", "ent", "ant", "anten", "ur", "iker",
    }
)  # fmt: skip

_stemmer_local = threading.local()


def _stemmer():
    # A PyStemmer object is not safe to share between threads.
    stemmer = getattr(_stemmer_local, "stemmer", None)
    if stemmer is None:
        stemmer = _stemmer_local.stemmer = Stemmer.Stemmer("german")
    return stemmer


def plain(word):
    """Lower case, accents other than umlauts removed (Café = Cafe), and nothing but letters
    and digits: a compatibility character may decompose into spaces, brackets or nothing
    (⑴ is "(1)", ﾞ a bare accent), none of which a token may hold."""
    word = word.lower()
    if word.isascii():
        return word
    word = unicodedata.normalize("NFC", word)  # an umlaut typed as a + ¨ is still ä
    kept = []
    for char in word:
        if char in "äöüß":
            kept.append(char)
        else:
            kept.append("".join(c for c in unicodedata.normalize("NFKD", char) if c.isalnum()))
    return "".join(kept)


@lru_cache(maxsize=200_000)
def stem(word):
    """Snowball's German stem, taken twice: once takes one ending only, so that Sprachkurs
    gave sprachkur but Sprachkurse sprachkurs. A plural s after a vowel goes too (Kitas)."""
    stemmer = _stemmer()
    token = stemmer.stemWord(stemmer.stemWord(plain(word)))
    if len(token) >= 5 and token.endswith(("as", "os", "ys")):
        token = token[:-1]
    return token


def words(text):
    return WORD.findall(text or "")


# The lexicon: every form of the ~100,000 nouns of the German Wiktionary (package
# german-nouns), in lower case. Loaded once per process, on the first compound.
_lexicon = None
_lexicon_lock = threading.Lock()
_EXCLUDED_KINDS = {
    "Buchstabe",
    "Abkürzung",
    "Wortverbindung",
    "Vorname",
    "Nachname",
    "Familienname",
    "Eigenname",
    "Straßenname",
    "Ortsnamengrundwort",
    "Toponym",
    "Gebundenes Lexem",
    "Affix",
    "Suffix",
    "Präfix",
}


def _lexicon_path():
    import german_nouns.lookup

    return Path(german_nouns.lookup.__file__).resolve().parent.parent / "nouns.csv"


def lexicon():
    global _lexicon
    if _lexicon is None:
        with _lexicon_lock:
            if _lexicon is None:
                forms = set()
                with open(_lexicon_path(), encoding="utf-8", newline="") as file:
                    rows = csv.reader(file)
                    next(rows)
                    for row in rows:
                        if _EXCLUDED_KINDS.intersection(row[1].split(",")):
                            continue
                        forms.update(
                            plain(value) for value in [row[0], *row[7:]] if value.isalpha()
                        )
                _lexicon = frozenset(forms)
    return _lexicon


def _is_word(part):
    known = lexicon()
    return len(part) >= PART_MIN and any(part + ending in known for ending in MODIFIER_ENDINGS)


@lru_cache(maxsize=200_000)
def split(word):
    """The two parts of a compound, (modifier, head), or None. German compounds are headed on
    the right: the longest known head wins whose rest is a word itself, with or without a
    joining sound, or a compound again. Parts must cover the whole word, so "Integration"
    is not read as "Integ" + "Ration"."""
    word = plain(word)
    if len(word) < COMPOUND_MIN or not word.isalpha() or not settings.SEARCH_SPLIT_COMPOUNDS:
        return None
    known = lexicon()
    for cut in range(PART_MIN, len(word) - HEAD_MIN + 1):
        head = word[cut:]
        if head not in known or head in FALSE_HEADS or head in STOP_WORDS:
            continue
        modifier = word[:cut]
        for link in LINKS:
            if link and not modifier.endswith(link):
                continue
            base = modifier[: len(modifier) - len(link)]
            if base in STOP_WORDS:
                continue
            if _is_word(base) or split(base) is not None:
                return base, head
    return None


def parts(word):
    """Every part of a compound, the nested ones too: Ausbildungsplatzsuche gives
    ausbildungsplatz, suche, ausbildung, platz."""
    found = split(word)
    if found is None:
        return []
    result = list(found)
    for part in found:
        result.extend(parts(part))
    return result


def leaves(word):
    """The smallest parts of a compound, in order: Ausbildungsplatzsuche gives ausbildung,
    platz, suche."""
    found = split(word)
    if found is None:
        return [word]
    return [leaf for part in found for leaf in leaves(part)]


def index_tokens(text):
    """The tokens a text is found by: per word its stem and the stems of its parts."""
    tokens = []
    for word in words(text):
        lowered = word.lower()
        if lowered in STOP_WORDS:
            continue
        tokens.append(stem(lowered))
        tokens.extend(stem(part) for part in parts(lowered))
    return tokens


def index_text(text):
    return " ".join(index_tokens(text))


# A query becomes a tree of these: a word is a group of alternatives (its stem, or all the
# parts of the compound, or a synonym), and the groups are counted, not all required.
@dataclass(frozen=True)
class Term:
    token: str
    prefix: bool


@dataclass(frozen=True)
class AllOf:
    items: tuple


@dataclass(frozen=True)
class AnyOf:
    items: tuple


def term(word):
    token = stem(word)
    return Term(token, len(word) >= PREFIX_WORD_MIN and len(token) >= 3 and not token.isdigit())


def word_node(word):
    """What one typed word matches: its stem (as a prefix, for a word typed in part or the
    start of a compound), or all parts of the compound, each exactly: "Sprachkurs" must not
    find every text with a word beginning with "Kur"."""
    lowered = word.lower()
    alternatives = [term(lowered)]
    found = split(lowered)
    if found is not None:
        alternatives.append(AllOf(tuple(Term(stem(part), False) for part in found)))
        smallest = leaves(lowered)
        if len(smallest) > len(found):  # Ausbildungsplatzsuche: Ausbildung, Platz, Suche
            alternatives.append(AllOf(tuple(Term(stem(part), False) for part in smallest)))
    return alternatives[0] if len(alternatives) == 1 else AnyOf(tuple(alternatives))


@dataclass
class QueryWord:
    text: str  # as typed
    key: str  # its stem, to compare with synonyms and places


def query_words(text):
    """The meaningful words of a query, in order, at most MAX_QUERY_WORDS of them; words
    naming the kind of a place only when nothing else is there."""
    found = [word for word in words(text) if word.lower() not in STOP_WORDS and plain(word)]
    content = [word for word in found if word.lower() not in PLACE_WORDS]
    chosen = content or found
    return [QueryWord(word, stem(word.lower())) for word in chosen[:MAX_QUERY_WORDS]]
