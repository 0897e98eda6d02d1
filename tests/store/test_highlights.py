"""Generated highlights: key sentences from the story's own text, never its boilerplate."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store.highlights import (
    candidate_sentences,
    generate_highlights,
    is_boilerplate,
    markdown_to_plain,
    split_sentences,
)

ROOT = Path(__file__).resolve().parents[2]

# An article whose first sentences are boilerplate and fluff, and whose facts come later.
BOILERPLATE = [
    "Listen to this article. 5 min read.",
    "Sign up for our newsletter to get stories like this in your inbox first.",
    "By Joe Whitfield, Local Democracy Reporter",
    "Updated 12 November 2026, 6.04pm.",
    "Scaffolding on the market hall clock tower in October. Photo: Lena Marsh / Evening Post",
    "Click here to see our gallery of the market hall through the years.",
    "Advertisement",
    "Follow us on Facebook and Instagram for the latest Eastport news and views.",
    "Read more: Market hall reopening pushed back again, two years after the council promised it would open.",
    "We use cookies to give you the best experience on our website and to show relevant adverts.",
    "SUBSCRIBE NOW FOR UNLIMITED ACCESS TO EVERY STORY.",
    "© 2026 Eastport Evening Post. All rights reserved.",
]
FLUFF = [
    "It has been quite a journey.",
    "There have been ups and downs, twists and turns, and more than a few surprises along the way.",
    "Ask anyone in town and they will tell you what they think about it.",
    "Everyone, it seems, has something to say.",
]
FACTS = [
    "Eastport's Victorian market hall will reopen on 3 April after a £4.8 million restoration, the borough "
    "council confirmed on Wednesday, two years later than first planned.",
    "The hall closed in March 2023 when inspectors found rot in the roof timbers above the fish market.",
    "The repairs were paid for with £3.1 million from the Heritage Fund and £1.7 million from the council's "
    "own budget.",
    "Forty-two of the hall's fifty-six stalls have already been let, most of them to traders who moved to the "
    "temporary market on Quay Street during the works.",
    "The council expects the market hall to draw 15,000 visitors a week once it is fully open, compared with about "
    "9,000 a week before it closed.",
    "Traders on Quay Street will move back into the market hall in the two weeks before the opening, and the "
    "temporary market will close on 28 March.",
]
TITLE = "Market hall to reopen in April after £4.8m restoration"


def market_hall_text() -> str:
    paragraphs = [
        *BOILERPLATE[:5],
        " ".join(FLUFF[:2]),
        " ".join(FLUFF[2:]),
        " ".join(FACTS[:2]),
        FACTS[2],
        BOILERPLATE[5],
        BOILERPLATE[6],
        " ".join(FACTS[3:5]),
        BOILERPLATE[7],
        FACTS[5],
        *BOILERPLATE[8:],
    ]
    return "\n\n".join(paragraphs)


def test_highlights_are_facts_from_the_text_not_boilerplate_or_the_first_sentences() -> None:
    text = market_hall_text()
    highlights = generate_highlights(text, title=TITLE)
    assert 3 <= len(highlights) <= 5
    sentences = split_sentences(text)
    for highlight in highlights:
        assert highlight in sentences  # whole sentences of the text, word for word
        assert highlight not in FLUFF
        assert not any(highlight in boilerplate or boilerplate in highlight for boilerplate in BOILERPLATE)
    assert sum(highlight in FACTS for highlight in highlights) >= 3
    assert highlights != sentences[: len(highlights)]
    # In the order of the text.
    assert highlights == sorted(highlights, key=text.index)


def test_count_is_clamped_to_three_to_five() -> None:
    text = market_hall_text()
    assert len(generate_highlights(text, title=TITLE, count=1)) == 3
    assert len(generate_highlights(text, title=TITLE, count=5)) == 5
    assert len(generate_highlights(text, title=TITLE, count=50)) == 5


def test_deterministic_across_runs_and_hash_seeds() -> None:
    text = market_hall_text()
    first = generate_highlights(text, title=TITLE)
    assert generate_highlights(text, title=TITLE) == first
    script = (
        "import json, sys; from store.highlights import generate_highlights; "
        "print(json.dumps(generate_highlights(sys.stdin.read(), title=sys.argv[1])))"
    )
    for seed in ("1", "12345"):
        result = subprocess.run(
            [sys.executable, "-c", script, TITLE],
            input=text,
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
            check=True,
        )
        assert json.loads(result.stdout) == first


def test_near_duplicates_are_taken_once() -> None:
    repeated = FACTS[0]
    text = "\n\n".join([repeated, FACTS[1], repeated.replace("Wednesday", "Wednesday evening"), *FACTS[2:]])
    highlights = generate_highlights(text, title=TITLE, count=5)
    assert sum("Victorian market hall will reopen" in highlight for highlight in highlights) == 1


def test_markdown_input_gives_plain_sentences() -> None:
    markdown = (
        "## The decision\n\n"
        "The harbour board voted on Tuesday to run the [Northgate ferry](https://courier.example/ferry) every "
        "20 minutes from 2 March, ending eight years of hourly crossings.\n\n"
        "- A second vessel, the *Kittiwake*, joins the route on weekdays between 6am and 8pm.\n"
        "- Single fares for adults will stay at £2.40 until at least April 2027, the board said.\n\n"
        "> Twenty minutes is a commuter service, and an hourly boat never was one, said the chair of the board.\n\n"
        "| Vessel | Seats |\n|---|---|\n| Kittiwake | 120 |\n\n"
        "The Northgate ferry carried 412,000 passengers last year, up from 365,000 in 2024.\n"
    )
    highlights = generate_highlights(markdown, title="Northgate ferry to run every 20 minutes")
    assert 3 <= len(highlights) <= 5
    for highlight in highlights:
        for marker in ("](", "##", "*", "> ", "| ", "- "):
            assert marker not in highlight
    assert any("Northgate ferry every 20 minutes" in highlight for highlight in highlights)
    plain = markdown_to_plain(markdown)
    assert "The decision\n\nThe harbour board" in plain and "Kittiwake   120" in plain and "](" not in plain


def test_feed_text_link_numbers_are_not_part_of_sentences() -> None:
    text = (
        "The council agreed a budget of £312 million for next year on Tuesday night [1]. "
        "Council tax will rise by 4.99 percent, the most allowed without a referendum [2]. "
        "Libraries and leisure centres will keep their opening hours, the council said. "
        "The budget includes £20 million for road repairs over the next three years.\n\n"
        "Links:\n[1] https://news.example/budget\n[2] https://news.example/tax"
    )
    highlights = generate_highlights(text, title="Council agrees budget")
    assert 3 <= len(highlights) <= 4
    assert not any("[1]" in h or "Links" in h or "https://" in h for h in highlights)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Dr. Smith met the U.S. ambassador on Jan. 5 at 3.30 p.m. in Washington. It went well.",
            ["Dr. Smith met the U.S. ambassador on Jan. 5 at 3.30 p.m. in Washington.", "It went well."],
        ),
        (
            "The deal was struck in the U.S. The company said so. J. K. Rowling agreed.",
            ["The deal was struck in the U.S.", "The company said so.", "J. K. Rowling agreed."],
        ),
        (
            "It cost $3.5 million, e.g. for repairs. Really? Yes!",
            ["It cost $3.5 million, e.g. for repairs.", "Really?", "Yes!"],
        ),
        ("“We will finish by March.” The chair said so.", ["“We will finish by March.”", "The chair said so."]),
        ("First line without a stop\nSecond line.", ["First line without a stop", "Second line."]),
        (
            "Acme Inc. reported a loss. Shares fell by 4.2 percent.",
            ["Acme Inc. reported a loss.", "Shares fell by 4.2 percent."],
        ),
    ],
)
def test_sentences_split_at_real_ends_only(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


@pytest.mark.parametrize("sentence", [*BOILERPLATE, "Short one.", "WATCH: THE MOMENT THE CLOCK TOWER CHIMED AGAIN."])
def test_boilerplate_and_captions_are_never_candidates(sentence: str) -> None:
    assert candidate_sentences(sentence) == []


@pytest.mark.parametrize("sentence", FACTS)
def test_facts_are_not_boilerplate(sentence: str) -> None:
    assert not is_boilerplate(sentence)
    assert candidate_sentences(sentence) == [(0, sentence)]


def test_short_or_empty_texts() -> None:
    assert generate_highlights("") == []
    assert generate_highlights("   \n\n ") == []
    assert generate_highlights("Sign up for our newsletter today and get the briefing first.") == []
    one = generate_highlights("The bridge over the river will reopen on Monday after six months of repairs.")
    assert one == ["The bridge over the river will reopen on Monday after six months of repairs."]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=4000), st.text(max_size=200), st.integers(min_value=-5, max_value=50))
def test_never_raises_and_returns_at_most_five(text: str, title: str, count: int) -> None:
    highlights = generate_highlights(text, title=title, count=count)
    assert isinstance(highlights, list) and len(highlights) <= 5
    assert all(isinstance(h, str) and h for h in highlights)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.sampled_from(FACTS + FLUFF + BOILERPLATE + ["U.S.", "Dr.", "3.5", "\n", "…", "## ", "> "]), max_size=40)
)
def test_never_raises_on_article_like_text(parts: list[str]) -> None:
    highlights = generate_highlights(" ".join(parts), title=TITLE)
    assert len(highlights) <= 5
    assert not any(h in BOILERPLATE for h in highlights)
