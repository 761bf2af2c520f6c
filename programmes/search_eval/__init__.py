"""An evaluation of the search, kept apart from the demo content: real county programmes
(facts from public pages, paraphrased, with their addresses) in corpus_*.json, and queries
with graded judgments in queries.json, written down before the search was tuned.

Grades: 3 exactly what was asked for, 2 clearly relevant, 1 related, absent 0. Each query
belongs to a class: the kind of difficulty it stands for."""

import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

HERE = Path(__file__).resolve().parent
CUTOFF = 10
RELEVANT = 1  # the lowest grade counted by P@5, recall and MRR


def read_corpus():
    entries = []
    for path in sorted(HERE.glob("corpus_*.json")):
        entries.extend(json.loads(path.read_text(encoding="utf-8")))
    return entries


def read_queries():
    return json.loads((HERE / "queries.json").read_text(encoding="utf-8"))


@transaction.atomic
def load_corpus(entries=None):
    """Creates the corpus programmes, published; returns {key: programme id}."""
    from counties.models import County

    from ..demo import _create_programme, _unique_slug, term_lookup
    from ..models import Programme
    from ..search import deferred_updates

    entries = read_corpus() if entries is None else entries
    counties = {county.ags: county for county in County.objects.all()}
    vocab = term_lookup()
    taken = set(Programme.objects.values_list("slug", flat=True))
    now = timezone.now()
    ids = {}
    with deferred_updates():
        for index, entry in enumerate(entries):
            programme = _create_programme(
                {"status": "running", **entry},
                county=counties[entry["county_ags"]],
                slug=_unique_slug(entry["title"], taken),
                published_at=now - timedelta(days=index + 1),
                vocab=vocab,
            )
            ids[entry["key"]] = programme.pk
    return ids


def ranking(text, ids):
    """The keys of the corpus programmes as the public list orders them for `text`."""
    from ..filters import ProgrammeFilter
    from ..models import Programme

    keys = {pk: key for key, pk in ids.items()}
    queryset = Programme.objects.published().filter(pk__in=list(keys))
    data = QueryDict(mutable=True)
    data["q"] = text
    filterset = ProgrammeFilter(data, queryset=queryset)
    found = filterset.qs.values_list("pk", flat=True)[:CUTOFF]
    return [keys[pk] for pk in found], getattr(filterset, "correction", None)


def dcg(grades):
    return sum((2**grade - 1) / math.log2(rank + 2) for rank, grade in enumerate(grades))


@dataclass
class Score:
    ndcg: float
    precision: float
    recall: float
    reciprocal_rank: float
    zero: bool


def score(found, judgments):
    grades = [judgments.get(key, 0) for key in found[:CUTOFF]]
    ideal = dcg(sorted(judgments.values(), reverse=True)[:CUTOFF])
    relevant = {key for key, grade in judgments.items() if grade >= RELEVANT}
    first = next((rank for rank, key in enumerate(found) if key in relevant), None)
    return Score(
        ndcg=dcg(grades) / ideal if ideal else 0.0,
        precision=sum(1 for key in found[:5] if key in relevant) / 5,
        recall=len(relevant.intersection(found[:CUTOFF])) / min(len(relevant), CUTOFF)
        if relevant
        else 0.0,
        reciprocal_rank=1 / (first + 1) if first is not None else 0.0,
        zero=not found,
    )


@dataclass
class Summary:
    queries: int = 0
    ndcg: float = 0.0
    precision: float = 0.0
    recall: float = 0.0
    mrr: float = 0.0
    zero: int = 0
    each: list = field(default_factory=list)  # (query, nDCG@10)

    def add(self, query, result):
        self.each.append((query["query"], round(result.ndcg, 2)))
        self.queries += 1
        self.ndcg += result.ndcg
        self.precision += result.precision
        self.recall += result.recall
        self.mrr += result.reciprocal_rank
        self.zero += result.zero

    def mean(self):
        n = self.queries or 1
        return {
            "queries": self.queries,
            "nDCG@10": self.ndcg / n,
            "P@5": self.precision / n,
            "recall@10": self.recall / n,
            "MRR": self.mrr / n,
            "zero results": self.zero,
        }


def evaluate(ids, queries=None):
    """{class: Summary} and the overall Summary under the key "all"."""
    queries = read_queries() if queries is None else queries
    summaries = defaultdict(Summary)
    for query in queries:
        found, _correction = ranking(query["query"], ids)
        result = score(found, query["judgments"])
        summaries[query["class"]].add(query, result)
        summaries["all"].add(query, result)
    return dict(summaries)
