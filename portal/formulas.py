"""Text in exported spreadsheets (CSV, XLSX) that a spreadsheet program would run as a formula.

Whoever writes a summary or a keyword could start it with "=" and have it executed on the
computer of whoever opens an export ("CSV injection"). Such a cell gets a leading apostrophe,
OWASP's advice: spreadsheet programs show it as text. An import takes the apostrophe off again,
so that exporting and re-importing a file changes nothing.
"""

# What spreadsheet programs read as the start of a formula: the four signs, tab, carriage return.
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """`value` as plain text if a spreadsheet would take it for a formula; other values as
    they are (numbers and dates are no text and stay numbers and dates)."""
    if isinstance(value, str) and value.startswith(TRIGGERS):
        return "'" + value
    return value


def unquote(text):
    """The apostrophe that neutralise() put in front of a formula sign, taken off again."""
    if len(text) > 1 and text[0] == "'" and text[1] in TRIGGERS:
        return text[1:]
    return text
