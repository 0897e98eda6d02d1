"""Build a realistic store of generated stories through the store's own API.

    python bench/make_store.py --stories 100000 --feeds 1000 --home /tmp/bs-100k

The shape is what a real fetch writes: feeds subscribed with titles and URLs
(under https://feeds.example/, never fetched by the benchmarks), stories with
highlights, bodies of varied length (a quarter carry a long extracted full text
of about 800 words), read and bookmark state mixed, and the story groups synced
(store.groupstate), as a fetch leaves them.  Words come from a
Zipf-distributed vocabulary so that rare words, common words and phrases behave
as they do in news.  The same seed always gives the same store.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator
from itertools import accumulate
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from store import Store, Story, make_story_id  # noqa: E402
from store.feeds import Feed, FeedList  # noqa: E402
from store.groupstate import Groups  # noqa: E402

COMMON = (
    "the of and to in a is that for on with as was by at from his her said it an be are has have "
    "government minister city council police market school energy water climate election court "
    "report company workers prices health hospital river bridge station train airport farmers "
    "storm rain launch rocket space station crew museum library festival team season match"
).split()
SYLLABLES = "ka lo mi re sa tu ven dor ish an el or ist ra ne mo lin tar gel fen bro cas pli quo zen".split()
BATCH = 5_000


class Vocabulary:
    """Words with Zipf-like frequencies: a few very common, most rare."""

    def __init__(self, chance: random.Random, size: int = 30_000) -> None:
        invented = {"".join(chance.choices(SYLLABLES, k=chance.randint(2, 4))) for _ in range(size)}
        self.words = COMMON + sorted(invented)
        weights = [1.0 / (rank + 1) ** 1.05 for rank in range(len(self.words))]
        self.cumulative = list(accumulate(weights))
        self.chance = chance

    def sentence(self, length: int) -> str:
        words = self.chance.choices(self.words, cum_weights=self.cumulative, k=length)
        return " ".join(words).capitalize() + "."

    def paragraph(self, sentences: int) -> str:
        return " ".join(self.sentence(self.chance.randint(8, 22)) for _ in range(sentences))

    def text(self, words: int) -> str:
        paragraphs, total = [], 0
        while total < words:
            paragraph = self.paragraph(self.chance.randint(3, 6))
            paragraphs.append(paragraph)
            total += paragraph.count(" ") + 1
        return "\n\n".join(paragraphs)


def feed_url(number: int) -> str:
    return f"https://feeds.example/{number}/rss.xml"


def feed_name(words: Vocabulary) -> str:
    return words.sentence(2).rstrip(".") + " News"


def subscriptions(feeds: int, seed: int = 7) -> list[Feed]:
    """The feeds `generate` files its stories under, as subscriptions (same names, same seed)."""
    words = Vocabulary(random.Random(seed))
    return [Feed(feed_url(n), title=feed_name(words), site_url=f"https://site{n}.example/") for n in range(feeds)]


def generate(stories: int, feeds: int, seed: int = 7) -> Iterator[list[Story]]:
    chance = random.Random(seed)
    words = Vocabulary(chance)
    now = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)
    feed_urls = [feed_url(n) for n in range(feeds)]
    feed_names = [feed_name(words) for _ in range(feeds)]
    batch: list[Story] = []
    for number in range(stories):
        feed = chance.randrange(feeds)
        url = f"https://site{feed}.example/{number}"
        long_text = number % 4 == 0
        story = Story(
            id=make_story_id(feed=feed_urls[feed], guid=url),
            title=words.sentence(chance.randint(6, 12)).rstrip("."),
            source=feed_names[feed],
            url=url,
            author=words.sentence(2).rstrip("."),
            published=now - timedelta(minutes=number * 5 + chance.randint(0, 4)),
            fetched=now,
            highlights=[words.sentence(chance.randint(10, 20)) for _ in range(chance.randint(3, 5))],
            highlights_generated=True,
            body=words.text(chance.randint(40, 160)),
            full_text=words.text(800) if long_text else "",
            read=chance.random() < 0.6,
            bookmarked=chance.random() < 0.02,
            feed=feed_urls[feed],
        )
        batch.append(story)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def build(home: Path, stories: int, feeds: int) -> float:
    """Fill a store; returns seconds taken."""
    started = time.perf_counter()
    with FeedList(home) as feed_list:
        feed_list.add_many(subscriptions(feeds))
    with Store(home) as store:
        for batch in generate(stories, feeds):
            store.put_stories(batch)
        # The groups, as a real fetch leaves them (it syncs them after writing): the app
        # under a benchmark then starts on a store it has grouped before, as a reader's is.
        with Groups(home) as groups:
            groups.sync(store)
    return time.perf_counter() - started


def folder_size(path: Path) -> int:
    return sum(item.stat().st_size for item in path.rglob("*") if item.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--feeds", type=int, default=1_000)
    parser.add_argument("--home", type=Path, required=True)
    args = parser.parse_args()
    if args.home.exists() and any(args.home.iterdir()):
        parser.error(f"{args.home} is not empty")
    seconds = build(args.home, args.stories, args.feeds)
    print(f"stories {args.stories}  feeds {args.feeds}  seconds {seconds:.1f}  disk {folder_size(args.home) / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
