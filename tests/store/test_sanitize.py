"""Nothing stored can carry a terminal escape or a character that disguises text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from store.sanitize import clean_line, clean_lines, clean_text

FORBIDDEN = (
    {chr(c) for c in range(0x00, 0x20) if c not in (0x09, 0x0A)}
    | {chr(0x7F)}
    | {chr(c) for c in range(0x80, 0xA0)}
    | set("\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff")
)


def test_escape_sequences_lose_their_escape() -> None:
    text = "a\x1b[31mred\x1b[0m \x1b]52;c;ZXZpbA==\x07 \x1b]0;title\x1b\\ \x1b]8;;http://x\x1b\\link \x9b2J"
    cleaned = clean_text(text)
    assert "\x1b" not in cleaned and "\x07" not in cleaned and "\x9b" not in cleaned
    assert cleaned.startswith("ared ")


def test_bidi_and_zero_width_are_removed() -> None:
    assert clean_line("file\u202etxt.exe") == "filetxt.exe"
    assert clean_line("pay\u200bpal.com") == "paypal.com"


def test_lines_fold_white_space_and_text_keeps_paragraphs() -> None:
    assert clean_line("  a\tb\r\nc  ") == "a b c"
    assert clean_text("one\r\n\r\n\r\n\r\ntwo\rthree") == "one\n\ntwo\nthree"
    assert clean_lines(["x", "  ", None, "\x1b"]) == ["x"]
    assert clean_lines("not a list") == []


def test_markup_is_left_as_literal_text() -> None:
    assert clean_line("[bold]x[/] [@click=app.quit]q[/]") == "[bold]x[/] [@click=app.quit]q[/]"


@given(st.text())
def test_no_forbidden_character_survives(text: str) -> None:
    for cleaned in (clean_text(text), clean_line(text)):
        assert not (set(cleaned) & FORBIDDEN)
    assert "\n" not in clean_line(text) and "\t" not in clean_line(text)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cf", "Zl", "Zp", "Zs"))))
def test_ordinary_text_is_untouched(text: str) -> None:
    assert clean_line(text) == text
