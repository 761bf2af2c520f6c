// Addresses made from a title as one types it write umlauts the German way, as the server
// does (portal.text.german_slugify): "Sprachkurs für Mütter" becomes sprachkurs-fuer-muetter.
"use strict";
{
    const latinUrlify = window.URLify;
    const german = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"};
    window.URLify = function(text, numChars, allowUnicode) {
        return latinUrlify(text.replace(/[äöüßÄÖÜ]/g, (letter) => german[letter]), numChars, allowUnicode);
    };
}
