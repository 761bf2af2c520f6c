"""The committee dossier: a real, tagged PDF of the Merkliste, a shared list, one programme
or a filtered list of up to 50 — read back with pypdf and rendered with poppler."""

import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from programmes.dossier import _font_files, local_fonts_only
from tests.factories import BestPracticeFactory, FundingFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db

CHANGE = reverse("programmes:merkliste-change")
DESTATIS = "Statistisches Bundesamt (Destatis)"


def _pdf(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return PdfReader(io.BytesIO(response.content))


def _text(reader):
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def chosen(county_a, county_b):
    first = ProgrammeFactory(
        county=county_a,
        title="Wohnraumlotsen für Geflüchtete",
        contact_name="Kim Muster",
        contact_email="kim@kreis-ahorn.example",
    )
    BestPracticeFactory(
        programme=first,
        is_recognised=True,
        staff_fte=Decimal("1.5"),
        running_cost=Decimal("42000"),
        months_to_start=4,
    )
    FundingFactory(programme=first, programme_name="Landesprogramm Wohnen")
    second = ProgrammeFactory(county=county_b, title="Sprachcafé im Landratsamt")
    third = ProgrammeFactory(county=county_a, title="Jobpaten für junge Erwachsene")
    return [first, second, third]


def test_the_merkliste_becomes_a_tagged_german_pdf_with_contents(client, chosen):
    for programme in chosen:
        client.post(CHANGE, {"programm": programme.pk, "aktion": "merken"})

    reader = _pdf(client.get(reverse("programmes:merkliste-dossier")))

    assert len(reader.pages) >= 5  # cover, contents, three programmes, sources
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "de"
    assert "/StructTreeRoot" in root  # tagged for screen readers
    assert root["/MarkInfo"]["/Marked"]
    assert reader.metadata.title == "Dossier: Programme für den Ausschuss"
    cover, contents = reader.pages[0].extract_text(), reader.pages[1].extract_text()
    assert "3 Programme" in cover
    assert "Inhalt" in contents
    for number, programme in enumerate(chosen, start=1):
        assert f"{number}. {programme.title}" in contents
    text = _text(reader)
    for expected in (
        "Übertragbarkeit: was ein anderer Kreis braucht",
        "1,5 Vollzeitäquivalente",
        "Landesprogramm Wohnen",
        "Kim Muster",
        "Zuletzt bestätigt am",
        f"/programme/{chosen[1].slug}/",
        DESTATIS,
        "Seite 3 von",
    ):
        assert expected in text, expected
    assert "kim@kreis-ahorn.example" not in text  # the contact address stays private


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils")
def test_the_first_page_renders_as_a_visible_document(client, chosen, tmp_path):
    response = client.get(reverse("programmes:programme-dossier", args=[chosen[0].slug]))
    _pdf(response)
    (tmp_path / "dossier.pdf").write_bytes(response.content)

    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", "-singlefile",
         str(tmp_path / "dossier.pdf"), str(tmp_path / "cover")],
        check=True,
    )  # fmt: skip
    image = Image.open(tmp_path / "cover.png").convert("L")
    dark = sum(image.histogram()[:128])  # pixels darker than mid-grey
    assert image.size[0] < image.size[1]  # A4 upright
    assert 200 < dark < image.size[0] * image.size[1] // 4  # words on a white page


def test_one_programme_and_only_a_published_one(client, county_a, chosen):
    reader = _pdf(client.get(reverse("programmes:programme-dossier", args=[chosen[1].slug])))
    assert reader.metadata.title == "Sprachcafé im Landratsamt"

    draft = ProgrammeFactory(county=county_a, draft=True)
    assert client.get(reverse("programmes:programme-dossier", args=[draft.slug])).status_code == 404


def test_a_filtered_list_of_up_to_fifty(client, county_a, chosen):
    ProgrammeFactory(county=county_a, title="Geheimer Entwurf", draft=True)
    url = reverse("programmes:list-dossier")

    text = _text(_pdf(client.get(url, {"kreis": county_a.slug})))

    assert "Wohnraumlotsen für Geflüchtete" in text
    assert "Jobpaten für junge Erwachsene" in text
    assert "Sprachcafé" not in text
    assert "Geheimer Entwurf" not in text
    assert "Kreis: Landkreis Ahorn" in text  # the filters in words on the cover


def test_too_many_or_nothing_get_a_german_page(client, county_a):
    ProgrammeFactory.create_batch(51, county=county_a)
    url = reverse("programmes:list-dossier")

    response = client.get(url)
    assert response.status_code == 400
    assert "höchstens 50 Programme" in response.content.decode()

    response = client.get(url, {"q": "Quastenflosser"})
    assert response.status_code == 404
    assert "Für ein Dossier gibt es nichts" in response.content.decode()

    response = client.get(reverse("programmes:merkliste-dossier"))
    assert response.status_code == 404
    assert "Für ein Dossier gibt es nichts" in response.content.decode()


def test_a_shared_list_with_drafts_and_junk(client, county_a, chosen):
    draft = ProgrammeFactory(county=county_a, title="Geheimer Entwurf", draft=True)
    url = reverse("programmes:shared-dossier")

    text = _text(_pdf(client.get(url, {"programme": f"{draft.pk},x,{chosen[2].pk}"})))

    assert "Jobpaten für junge Erwachsene" in text
    assert "Geheimer Entwurf" not in text
    assert client.get(url, {"programme": "a,b"}).status_code == 404


def test_the_pdf_loads_nothing_but_the_portal_fonts():
    fonts = _font_files()
    fetcher = local_fonts_only(set(fonts.values()))

    assert fonts, "the KERN fonts are installed with npm"
    for address in ("http://169.254.169.254/latest/", "file:///etc/passwd", "ftp://x/y"):
        with pytest.raises(ValueError):
            fetcher.fetch(address)
    font = fetcher.fetch(fonts["regular"])
    assert font.read(4) == b"wOF2"
    font.close()


def test_a_server_without_the_pdf_libraries_says_so(client, chosen, monkeypatch):
    from programmes import dossier

    def missing():
        raise dossier.PdfUnavailable

    monkeypatch.setattr(dossier, "_weasyprint", missing)
    response = client.get(reverse("programmes:programme-dossier", args=[chosen[0].slug]))

    assert response.status_code == 503
    assert "aus dem Browser drucken" in response.content.decode()


def test_what_else_an_address_carries_never_reaches_the_document(client, chosen):
    url = reverse("programmes:programme-dossier", args=[chosen[0].slug])
    planted = _text(_pdf(client.get(url, {"x": "BITTE RUFEN SIE 0190-666666 AN"})))
    assert "0190-666666" not in planted
    assert f"/programme/{chosen[0].slug}/" in planted

    shared = reverse("programmes:shared-dossier")
    text = _text(_pdf(client.get(shared, {"programme": chosen[1].pk, "x": "evil.example"})))
    assert "evil.example" not in text
    assert f"/merkliste/geteilt/?programme={chosen[1].pk}" in text


def test_new_dossiers_are_limited_per_address_and_answer_head(client, chosen, monkeypatch):
    from programmes import dossier

    monkeypatch.setattr(dossier, "LIMIT_PER_HOUR", 5)
    url = reverse("programmes:shared-dossier")
    orders = [f"{a.pk},{b.pk}" for a in chosen for b in chosen if a != b]  # six new ones

    answers = [client.get(url, {"programme": order}).status_code for order in orders]

    assert answers == [200] * 5 + [429]
    assert "Zu viele Dossiers" in client.get(url, {"programme": orders[5]}).content.decode()
    assert client.get(url, {"programme": orders[0]}).status_code == 200  # made before
    assert client.head(url, {"programme": orders[0]}).status_code == 200
