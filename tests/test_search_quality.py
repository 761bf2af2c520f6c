"""The search measured against the evaluation corpus and its graded queries
(programmes/search_eval), on the database the tests run on. The floors are what the search
reaches today, a little below: a change that makes finding things worse fails here."""

import pytest

from counties.loader import load_counties
from programmes import search_eval

pytestmark = pytest.mark.django_db

FLOOR = {"nDCG@10": 0.80, "MRR": 0.93, "P@5": 0.65, "recall@10": 0.70}
CLASS_FLOOR = 0.65  # nDCG@10 of every class of query


@pytest.fixture(scope="module")
def results(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            load_counties()
            summaries = search_eval.evaluate(search_eval.load_corpus())
            transaction.set_rollback(True)
    return {name: summary.mean() for name, summary in summaries.items()}


def test_the_evaluation_covers_every_class_of_difficulty():
    queries = search_eval.read_queries()
    corpus = {entry["key"] for entry in search_eval.read_corpus()}
    classes = {query["class"] for query in queries}
    assert classes == {
        "single", "partial", "typo", "umlaut", "compound", "synonym", "place", "natural"
    }  # fmt: skip
    assert len(corpus) >= 100 and len(queries) >= 50
    for query in queries:
        assert set(query["judgments"]) <= corpus
        assert max(query["judgments"].values()) >= 2


@pytest.mark.parametrize("metric", sorted(FLOOR))
def test_overall_quality_holds_its_floor(results, metric):
    assert results["all"][metric] >= FLOOR[metric]


def test_no_query_of_the_evaluation_finds_nothing(results):
    assert results["all"]["zero results"] == 0


def test_every_class_of_query_holds_its_floor(results):
    weak = {
        name: round(mean["nDCG@10"], 2)
        for name, mean in results.items()
        if mean["nDCG@10"] < CLASS_FLOOR
    }
    assert weak == {}
