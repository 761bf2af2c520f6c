"""The German catalogue is complete and in step with the code."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
CATALOGUE = Path("locale/de/LC_MESSAGES/django.po")
SOURCES = ["manage.py", "portal", "counties", "programmes", "templates", "locale"]


def _entries(path):
    return {(entry.msgctxt, entry.msgid, entry.msgid_plural) for entry in polib.pofile(str(path))}


@pytest.mark.skipif(
    shutil.which("xgettext") is None and not os.environ.get("CI"),
    reason="GNU gettext is not installed (CI installs it)",
)
def test_makemessages_would_not_change_the_catalogue(tmp_path):
    for name in SOURCES:
        source = ROOT / name
        target = tmp_path / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, target)
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "--locale",
            "de",
            "--no-obsolete",
            "--add-location",
            "file",
        ],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test"},
    )

    assert _entries(tmp_path / CATALOGUE) == _entries(ROOT / CATALOGUE)


def test_every_message_is_translated():
    catalogue = polib.pofile(str(ROOT / CATALOGUE))
    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []


def _translations(catalogue):
    return {
        (entry.msgid, entry.msgid_plural): (entry.msgstr, dict(entry.msgstr_plural))
        for entry in catalogue
        if entry.msgid
    }


def test_compiled_catalogue_is_current():
    compiled = polib.mofile(str(ROOT / CATALOGUE.with_suffix(".mo")))
    source = polib.pofile(str(ROOT / CATALOGUE))
    assert _translations(compiled) == _translations(source)
