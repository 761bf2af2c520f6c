import pytest
from django.core.management import CommandError, call_command

from programmes.demo import PROFILE_FIELDS, DemoRefused, load_demo
from programmes.models import BestPracticeProfile, FieldOfAction, Programme, TargetGroup
from tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


def test_demo_content_makes_a_living_portal(counties):
    load_demo()

    published = Programme.objects.published()
    assert published.count() >= 60
    assert published.values("county").distinct().count() >= 25
    assert published.values("county__state").distinct().count() >= 10
    for term in [*FieldOfAction.objects.all(), *TargetGroup.objects.all()]:
        assert published.filter(pk__in=term.programmes.all()).exists(), term
    profiles = BestPracticeProfile.objects.published()
    assert profiles.count() >= 12
    for profile in profiles:
        assert all(getattr(profile, field).strip() for field in PROFILE_FIELDS), profile
    assert BestPracticeProfile.objects.featured().count() >= 6
    assert not Programme.objects.filter(is_demo=False).exists()


def test_demo_summaries_fit_and_slugs_are_unique(counties):
    load_demo()
    slugs = list(Programme.objects.values_list("slug", flat=True))
    assert len(slugs) == len(set(slugs))
    assert all(len(p.summary) <= 300 for p in Programme.objects.all())


def test_second_run_creates_nothing(counties):
    created = load_demo()
    assert load_demo() == 0
    assert Programme.objects.count() == created


def test_refuses_a_database_with_real_programmes(counties):
    ProgrammeFactory(title="Echtes Programm")
    with pytest.raises(DemoRefused):
        load_demo()
    assert Programme.objects.count() == 1


def test_command_prints_the_admin_login_and_refuses_outside_development(counties, settings, capsys):
    settings.DEBUG = True
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "Benutzername „admin“" in out
    assert "Benutzername „kreis-neuss“" in out
    assert "Benutzername „redaktion“" in out

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo")


def test_command_explains_refusal_in_german(counties, settings):
    settings.DEBUG = True
    ProgrammeFactory()
    with pytest.raises(CommandError, match="echte Programme"):
        call_command("load_demo")


def test_demo_fills_county_profiles_but_keeps_what_staff_wrote(counties):
    from counties.models import County

    neuss = County.objects.get(ags="05162")
    neuss.office_name = "Amt für Integration (von der Kreisredaktion)"
    neuss.save()

    load_demo()

    neuss.refresh_from_db()
    assert neuss.office_name == "Amt für Integration (von der Kreisredaktion)"
    assert neuss.profile_text
    taking_part = County.objects.taking_part()
    assert all(county.profile_text for county in taking_part)
