"""Grouping quality and speed on a labelled set of synthetic news.

    python bench/grouping.py            # 10,000 and 100,000 stories
    python bench/grouping.py --quick    # 2,000 and 10,000
    python bench/grouping.py --sizes 5000 --seed 7
    python bench/grouping.py --sizes 10000 --store   # also Groups.sync through a real Store

The set imitates a day's news from many outlets.  Each *event* (a fact sheet:
people, an organisation, a place, figures, a topic) is reported by 1 to 15
outlets, each writing its own headline and text: facts told with different
templates and synonyms, in another order, behind another lead, padded with the
outlet's own background sentences.  Some reports are wire copy carried by
several outlets (same text, own headline), some are the same article in two
feeds of one outlet (same link, other tracking parameters), some are opinion
pieces about the event.  The traps, labelled as *different* events:

- same topic, same day, other people and place (two earthquakes, two trials);
- the same prominent people in other events (a minister in three stories a day);
- the same person and topic a day or two later, with another place and people;
- every report shares the topic's vocabulary with unrelated stories.

Pairwise precision and recall: of the pairs of stories grouped together, how
many report one event; of the pairs reporting one event, how many are grouped.
Times are for store.groupstate.Groups.add (the persisted, incremental path):
the whole set in fetch-sized batches of 10,000, and the last batch alone (a
fetch of up to 10,000 into a store already holding the rest), wall clock and
CPU (the CPU figure does not move with other load on the machine).  Reading
the stories back from the store (``Groups.sync`` does, with ``Store.get``) is
not included: that is the store's cost, not grouping's.

Prints ``RESULT name=... value=... unit=...`` lines for bench/run.py.
Targets: precision >= 0.95, recall >= 0.85, a 10,000-story batch in a few seconds.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import load_average, result  # noqa: E402
from store.groupstate import Groups  # noqa: E402
from store.model import Story, make_story_id  # noqa: E402

BATCH = 10_000
START = datetime(2026, 3, 1, tzinfo=timezone.utc)
STORIES_PER_DAY = 3_000

SYNONYMS: dict[str, list[str]] = {
    "said": ["said", "stated", "told reporters", "announced", "confirmed", "declared"],
    "talks": ["talks", "discussions", "negotiations", "meetings", "consultations"],
    "agreed": ["agreed", "reached a deal", "settled", "struck an agreement", "signed off"],
    "rise": ["rise", "increase", "jump", "climb", "surge"],
    "fall": ["fall", "drop", "decline", "slide", "slump"],
    "killed": ["killed", "left dead", "claimed the lives of"],
    "injured": ["injured", "hurt", "wounded"],
    "announced": ["announced", "unveiled", "revealed", "disclosed", "presented"],
    "visit": ["visit", "trip", "tour", "journey"],
    "criticised": ["criticised", "condemned", "attacked", "slammed", "denounced"],
    "plan": ["plan", "proposal", "scheme", "programme", "blueprint"],
    "officials": ["officials", "authorities", "the government", "administrators"],
    "residents": ["residents", "locals", "people living nearby", "inhabitants"],
    "expected": ["expected", "likely", "set", "poised"],
    "major": ["major", "significant", "large", "big", "substantial"],
}

TOPICS: dict[str, dict[str, list[str]]] = {
    "quake": {
        "thing": ["earthquake", "quake", "tremor"],
        "headline": [
            "Magnitude {n1} {thing} strikes near {place}",
            "{thing_c} of magnitude {n1} hits {place}, {n2} {killed}",
            "{place} shaken by {major} {thing}",
            "At least {n2} dead after {thing} rocks {place}",
            "Rescuers search rubble after {place} {thing}",
        ],
        "fact": [
            "A magnitude {n1} {thing} struck near {place} early on {weekday}.",
            "At least {n2} people were {killed} and dozens {injured}, {officials} {said}.",
            "{person1}, who leads the {org}, {said} rescue teams had reached the worst-hit districts of {place}.",
            "The {thing} had a depth of {n3} kilometres, according to the {org}.",
            "{residents} in {place} described buildings swaying for almost a minute.",
            "{person2} {said} emergency shelters had been opened for {n4} families.",
        ],
        "background": [
            "The region sits on a fault line and sees frequent seismic activity.",
            "Aftershocks are common in the days following a large earthquake.",
            "Building codes in the area were tightened after a deadly quake a decade ago.",
            "Seismologists warn that forecasting earthquakes remains impossible.",
        ],
    },
    "trial": {
        "thing": ["trial", "case", "hearing"],
        "headline": [
            "{person1} goes on {thing} in {place} over fraud charges",
            "Jury hears opening arguments in {person1} {thing}",
            "{person1} pleads not guilty as {thing} opens in {place}",
            "Prosecutors say {person1} hid {n2} million from investors",
            "{place} court begins {thing} of former {org} chief {person1}",
        ],
        "fact": [
            "The {thing} of {person1}, the former head of the {org}, opened in {place} on {weekday}.",
            "Prosecutors {said} {person1} diverted {n2} million from investors over {n3} years.",
            "{person1} denies all {n4} charges.",
            "Defence lawyer {person2} {said} the accusations were baseless.",
            "The judge {said} the {thing} was {expected} to last {n3} weeks.",
            "Dozens of former {org} employees are {expected} to testify.",
        ],
        "background": [
            "Fraud trials of this size often take months to reach a verdict.",
            "The case has drawn attention to weak oversight of investment firms.",
            "Legal experts say the jury will have to weigh complex financial records.",
            "Investors have been waiting years for the case to come to court.",
        ],
    },
    "space": {
        "thing": ["mission", "launch", "spacecraft"],
        "headline": [
            "{org} {announced} new lunar {thing} led by {person1}",
            "{person1} and {person2} hold space {talks} in {place}",
            "{org} delays {thing} after {major} fault found",
            "{org} {thing} lifts off from {place} carrying {n4} satellites",
            "Space agencies renew cooperation as {person1} visits {place}",
        ],
        "fact": [
            "{person1}, the head of the {org}, met {person2} in {place} for {talks} on space cooperation.",
            "The {thing} is {expected} to carry {n4} satellites into orbit.",
            "The {org} {said} the {thing} would cost about {n2} million.",
            "{person2} {said} the agencies had {agreed} to keep working together on the space station.",
            "The {thing} was postponed by {n3} days because of weather at {place}.",
            "It is the first such {visit} in {n3} years.",
        ],
        "background": [
            "Space cooperation has survived many political disputes over the decades.",
            "The space station has been continuously occupied for more than twenty years.",
            "Launch schedules often slip because of weather and technical checks.",
            "Several countries are now racing to return astronauts to the Moon.",
        ],
    },
    "markets": {
        "thing": ["shares", "stocks", "markets"],
        "headline": [
            "{org} {thing} {fall} {n1}% after profit warning",
            "{thing_c} in {place} {rise} as {org} beats forecasts",
            "{org} chief {person1} quits after {thing} {fall}",
            "Investors dump {org} {thing} amid debt worries",
            "{org} {announced} {n2} million buyback, {thing} {rise}",
        ],
        "fact": [
            "{thing_c} in the {org} closed {n1}% lower in {place} on {weekday}.",
            "The company {said} annual profit would be {n2} million below earlier guidance.",
            "Chief executive {person1} {said} demand had weakened in the final quarter.",
            "Analyst {person2} {said} the warning had caught investors by surprise.",
            "The {org} employs about {n4} people in {place}.",
            "Trading volume was {n3} times the daily average.",
        ],
        "background": [
            "Markets have been volatile as interest rates remain high.",
            "Investors are watching quarterly earnings closely for signs of a slowdown.",
            "Share buybacks have become a popular way to return cash to shareholders.",
            "Currency swings have weighed on exporters this year.",
        ],
    },
    "politics": {
        "thing": ["bill", "budget", "reform"],
        "headline": [
            "Minister {person1} unveils {major} {thing} in {place}",
            "{place} parliament passes {thing} after heated debate",
            "{person1} {criticised} over {thing} as protests grow",
            "Opposition leader {person2} vows to block {person1}'s {thing}",
            "{person1} survives vote on {thing} by {n3} votes",
        ],
        "fact": [
            "Minister {person1} presented the {thing} to parliament in {place} on {weekday}.",
            "The {thing} would raise spending by {n2} million over {n3} years.",
            "Opposition leader {person2} {criticised} the {plan} as reckless.",
            "The {org} {said} it would study the proposals carefully.",
            "Around {n4} people protested outside parliament in {place}.",
            "The vote passed by a margin of {n3} votes.",
        ],
        "background": [
            "The governing coalition holds a narrow majority in parliament.",
            "Budget debates have grown more bitter ahead of next year's election.",
            "Public finances remain under strain after years of deficits.",
            "Polls suggest voters are divided over the government's economic record.",
        ],
    },
    "health": {
        "thing": ["outbreak", "vaccine", "virus"],
        "headline": [
            "{place} reports {n2} new cases as {thing} spreads",
            "{org} approves {thing} developed by {person1}'s team",
            "Health officials in {place} urge calm over {thing}",
            "{thing_c} cases in {place} {rise} to {n4}",
            "{person1} warns {thing} could reach neighbouring regions",
        ],
        "fact": [
            "Health {officials} in {place} confirmed {n2} new cases of the {thing} on {weekday}.",
            "{person1}, the chief medical officer, {said} hospitals were coping.",
            "The {org} {said} it was sending a team of {n3} experts to {place}.",
            "Total infections have now reached {n4}.",
            "{person2} urged {residents} to wash their hands and avoid crowds.",
            "Schools in {place} will stay closed for {n3} days.",
        ],
        "background": [
            "Outbreaks of this kind usually peak within a few weeks.",
            "Health systems in the region have struggled with staff shortages.",
            "Vaccination rates vary widely between countries.",
            "Experts stress the importance of early testing and isolation.",
        ],
    },
    "tech": {
        "thing": ["chip", "app", "platform"],
        "headline": [
            "{org} {announced} new {thing} to rival competitors",
            "{org} fined {n2} million over {thing} privacy breach",
            "{person1} steps down as {org} boss",
            "{org} {thing} outage hits millions of users",
            "Regulators in {place} open probe into {org} {thing}",
        ],
        "fact": [
            "The {org} {announced} its new {thing} at an event in {place} on {weekday}.",
            "Regulators {said} the {org} had mishandled data of {n4} users.",
            "Chief executive {person1} {said} the company would appeal.",
            "The {thing} will go on sale in {n3} countries next month.",
            "Analyst {person2} {said} the {thing} was a {major} bet for the company.",
            "The fine amounts to {n2} million.",
        ],
        "background": [
            "Technology companies face growing scrutiny over how they use personal data.",
            "Competition in the sector has intensified as growth slows.",
            "Outages at large platforms can disrupt businesses around the world.",
            "Chipmakers have been investing heavily in new factories.",
        ],
    },
    "weather": {
        "thing": ["storm", "flooding", "heatwave"],
        "headline": [
            "{thing_c} batters {place}, {n2} {killed}",
            "Thousands evacuated as {thing} hits {place}",
            "{place} braces for {major} {thing}",
            "{thing_c} leaves {n4} homes without power in {place}",
            "Emergency declared in {place} after {thing}",
        ],
        "fact": [
            "The {thing} hit {place} on {weekday}, forcing thousands from their homes.",
            "At least {n2} people were {killed}, {officials} {said}.",
            "{person1}, the regional governor, declared a state of emergency.",
            "About {n4} homes were left without electricity.",
            "The {org} {said} more rain was {expected} over the next {n3} days.",
            "{person2} {said} rescue crews were working through the night.",
        ],
        "background": [
            "Extreme weather has become more frequent as the climate warms.",
            "Flood defences in the area were upgraded after previous disasters.",
            "Forecasters use satellite data to track storms days in advance.",
            "Insurers have raised premiums in regions prone to flooding.",
        ],
    },
}
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
LEADS = [
    "In a development closely watched across the region, ",
    "Officials moved quickly on {weekday} as ",
    "",
    "",
    "In the latest sign of change, ",
]
COMMON_OPENINGS = frozenset(
    "the at about a it total trading dozens schools health around chief analyst defence minister opposition "
    "regulators prosecutors residents locals people inhabitants officials authorities administrators".split()
)
FILLERS = [
    "Further details were not immediately available.",
    "The story is developing and will be updated.",
    "Reporters on the scene described a tense atmosphere.",
    "Observers said the coming days would be decisive.",
    "It was not clear what would happen next.",
]
SYLLABLES = "ka lo ren vi sa mor tel an dri po lek ma nu zor bel fi ga hal ion ut ves ter ol ric da min".split()
OPINION_HEADLINES = [
    "Opinion: What the {thing} in {place} tells us",
    "Analysis: Why {person1} matters more than ever",
    "Comment: {place} deserves better after this {thing}",
]


def name(rng: random.Random, parts: int = 2) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


@dataclass(slots=True)
class Event:
    number: int
    topic: str
    slots: dict[str, str]
    time: datetime
    reports: int


@dataclass(slots=True)
class Outlet:
    name: str
    feeds: list[str]
    style: list[str]  # the outlet's own stock sentences


def make_world(rng: random.Random, count: int) -> tuple[list[Event], list[Outlet]]:
    """Events enough for ``count`` reports, with the traps described above."""
    days = max(1, count // STORIES_PER_DAY)
    people = [f"{name(rng)} {name(rng, 3)}" for _ in range(max(200, count // 4))]
    famous = people[:12]  # in many events
    places = [name(rng, 3) for _ in range(max(100, count // 20))]
    orgs = [name(rng, 2) + rng.choice([" Group", " Agency", " Institute", " Bank", " Corp", " Council"]) for _ in range(max(80, count // 30))]
    events: list[Event] = []
    total = 0
    while total < count:
        topic = rng.choice(list(TOPICS))
        moment = START + timedelta(seconds=rng.uniform(0, days * 86_400))
        slots = {
            "person1": rng.choice(famous) if rng.random() < 0.25 else rng.choice(people),
            "person2": rng.choice(people),
            "place": rng.choice(places),
            "org": rng.choice(orgs),
            "n1": f"{rng.uniform(1, 9):.1f}",
            "n2": str(rng.randint(3, 900)),
            "n3": str(rng.randint(2, 40)),
            "n4": str(rng.randint(100, 90_000)),
            "weekday": WEEKDAYS[moment.weekday()],
            "thing": rng.choice(TOPICS[topic]["thing"]),
        }
        event = Event(len(events), topic, slots, moment, reports_for(rng))
        events.append(event)
        total += event.reports
        if rng.random() < 0.15:
            # The same prominent person and topic a day or two later, elsewhere: another event.
            later = dict(
                slots,
                person2=rng.choice(people),
                place=rng.choice(places),
                org=rng.choice(orgs),
                n2=str(rng.randint(3, 900)),
                n3=str(rng.randint(2, 40)),
                n4=str(rng.randint(100, 90_000)),
            )
            when = moment + timedelta(hours=rng.uniform(20, 60))
            later["weekday"] = WEEKDAYS[when.weekday()]
            events.append(Event(len(events), topic, later, when, reports_for(rng)))
            total += events[-1].reports
    outlets = []
    for number in range(80):
        outlet_name = f"{name(rng, 2)} {rng.choice(['Times', 'Post', 'News', 'Herald', 'Daily', 'Wire', 'Journal'])}"
        host = f"https://{outlet_name.lower().replace(' ', '')}{number}.example"
        feeds = [f"{host}/rss/world.xml"] + ([f"{host}/rss/top.xml"] if rng.random() < 0.3 else [])
        style = [f"{outlet_name} has covered the region for many years.", rng.choice(FILLERS)]
        outlets.append(Outlet(outlet_name, feeds, style))
    return events, outlets


def reports_for(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.4:
        return 1
    if roll < 0.7:
        return rng.randint(2, 3)
    if roll < 0.95:
        return rng.randint(4, 8)
    return rng.randint(9, 15)


def fill(rng: random.Random, template: str, slots: dict[str, str]) -> str:
    values = dict(slots)
    for word, choices in SYNONYMS.items():
        values[word] = rng.choice(choices)
    values["thing_c"] = slots["thing"].capitalize()
    text = template.format(**values)
    return text[:1].upper() + text[1:]


def write_report(rng: random.Random, event: Event, outlet: Outlet, wire: str | None, opinion: bool) -> tuple[str, str]:
    """(headline, text) of one outlet's report of the event."""
    topic = TOPICS[event.topic]
    headline = fill(rng, rng.choice(OPINION_HEADLINES if opinion else topic["headline"]), event.slots)
    if wire is not None:
        return headline, wire
    facts = rng.sample(topic["fact"], rng.randint(2, min(5, len(topic["fact"]))))
    sentences = [fill(rng, fact, event.slots) for fact in facts]
    lead = fill(rng, rng.choice(LEADS), event.slots)
    if lead:
        first_word = sentences[0].split(" ", 1)[0]
        if first_word.lower() in COMMON_OPENINGS:
            first_word = first_word.lower()
        sentences[0] = lead + first_word + sentences[0][len(first_word) :]
    sentences += rng.sample(topic["background"], rng.randint(0, 2))
    if opinion:
        sentences = sentences[:2] + ["Whatever happens next, the lessons are clear.", *rng.sample(topic["background"], 2)]
    rng.shuffle(sentences[1:])
    sentences.append(rng.choice(outlet.style))
    return headline, " ".join(sentences)


def generate(count: int, seed: int) -> tuple[list[Story], dict[str, int]]:
    """``count`` stories (or a few more) and each story's event."""
    rng = random.Random(seed)
    events, outlets = make_world(rng, count)
    stories: list[Story] = []
    truth: dict[str, int] = {}
    for event in events:
        reporters = rng.sample(outlets, min(len(outlets), event.reports))
        wire: str | None = None
        for outlet in reporters:
            opinion = rng.random() < 0.05
            use_wire = wire is not None and rng.random() < 0.2
            headline, text = write_report(rng, event, outlet, wire if use_wire else None, opinion)
            if wire is None and rng.random() < 0.3:
                wire = text
            slug = "-".join(headline.lower().split()[:6]).replace("'", "").replace(",", "").replace(":", "")
            url = f"{outlet.feeds[0].rsplit('/rss', 1)[0]}/{'opinion' if opinion else 'news'}/{event.number}-{slug}"
            published = event.time + timedelta(hours=rng.expovariate(1 / 5))
            for index, feed in enumerate(outlet.feeds if rng.random() < 0.5 else outlet.feeds[:1]):
                link = f"{url}?utm_source={'rss' if index == 0 else 'top'}&utm_medium=feed"
                story = Story(
                    id=make_story_id(feed=feed, guid=link),
                    title=headline,
                    source=outlet.name,
                    url=link,
                    published=published + timedelta(minutes=7 * index),
                    fetched=published + timedelta(minutes=30),
                    body=text,
                    feed=feed,
                )
                stories.append(story)
                truth[story.id] = event.number
    rng.shuffle(stories)
    return stories, truth


def pair_counts(labels: list[int], groups: list[str]) -> tuple[int, int, int]:
    """(pairs grouped together, pairs of one event, pairs both): the pairwise contingency."""

    def pairs(counter: Counter) -> int:  # type: ignore[type-arg]
        return sum(n * (n - 1) // 2 for n in counter.values())

    return pairs(Counter(groups)), pairs(Counter(labels)), pairs(Counter(zip(labels, groups, strict=True)))


def measure(count: int, seed: int) -> dict[str, float]:
    stories, truth = generate(count, seed)
    # Fetch order: stories arrive roughly in time order, batch by batch.
    stories.sort(key=lambda story: story.fetched)
    with tempfile.TemporaryDirectory() as home, Groups(home) as groups:
        started, cpu_started = time.perf_counter(), time.process_time()
        last = last_cpu = 0.0
        # Batches of BATCH, the last one whole: a fetch of 10,000 into a store holding the rest.
        cuts = [*range(len(stories) - BATCH, 0, -BATCH)][::-1]
        for start, end in zip([0, *cuts], [*cuts, len(stories)], strict=True):
            batch_started, batch_cpu = time.perf_counter(), time.process_time()
            groups.add(stories[start:end])
            last, last_cpu = time.perf_counter() - batch_started, time.process_time() - batch_cpu
        total, total_cpu = time.perf_counter() - started, time.process_time() - cpu_started
        assigned = groups.all_groups()
    ids = list(truth)
    grouped, actual, both = pair_counts([truth[i] for i in ids], [assigned[i] for i in ids])
    return {
        "stories": len(stories),
        "precision": both / grouped if grouped else 1.0,
        "recall": both / actual if actual else 1.0,
        "seconds": total,
        "cpu_seconds": total_cpu,
        "last_batch_seconds": last,
        "last_batch_cpu_seconds": last_cpu,
        "last_batch_size": min(BATCH, len(stories)),
        "groups": len(set(assigned.values())),
        "events": len(set(truth.values())),
    }


def measure_sync(count: int, seed: int) -> tuple[float, float, int]:
    """Through a real store: the last fetch-sized batch written with put_stories, then
    ``Groups.sync`` (which reads the new stories back with Store.get).  (wall, CPU, batch)."""
    from store import Store

    stories, _ = generate(count, seed)
    stories.sort(key=lambda story: story.fetched)
    with tempfile.TemporaryDirectory() as home, Store(home) as store, Groups(home) as groups:
        cut = max(0, len(stories) - BATCH)
        if cut:
            store.put_stories(stories[:cut])
            groups.sync(store)
        store.put_stories(stories[cut:])
        started, cpu_started = time.perf_counter(), time.process_time()
        groups.sync(store)
        return time.perf_counter() - started, time.process_time() - cpu_started, len(stories) - cut


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2,000 and 10,000 stories")
    parser.add_argument("--sizes", type=int, nargs="+", metavar="N", help="set sizes (default 10000 100000)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed of the generated set")
    parser.add_argument("--store", action="store_true", help="also time Groups.sync through a real store (slow to set up)")
    args = parser.parse_args(argv)
    sizes = args.sizes or ([2_000, 10_000] if args.quick else [10_000, 100_000])
    print(f"load average before: {load_average()}")
    for size in sizes:
        figures = measure(size, args.seed)
        print(
            f"{int(figures['stories'])} stories, {int(figures['events'])} events -> {int(figures['groups'])} groups: "
            f"precision {figures['precision']:.3f}, recall {figures['recall']:.3f}, "
            f"{figures['seconds']:.2f} s in all ({figures['cpu_seconds']:.2f} s CPU), last batch of "
            f"{int(figures['last_batch_size'])} in {figures['last_batch_seconds']:.2f} s "
            f"({figures['last_batch_cpu_seconds']:.2f} s CPU)"
        )
        n = f"{size // 1000}k"
        result(f"grouping.precision_{n}", figures["precision"], "ratio", target=">= 0.95", label=f"grouping precision, {n} stories")
        result(f"grouping.recall_{n}", figures["recall"], "ratio", target=">= 0.85", label=f"grouping recall, {n} stories")
        result(f"grouping.seconds_{n}", figures["seconds"], "s", label=f"grouping {n} stories in 10k batches")
        result(f"grouping.cpu_seconds_{n}", figures["cpu_seconds"], "s", label=f"grouping {n} stories, CPU")
        result(
            f"grouping.last_batch_seconds_{n}",
            figures["last_batch_seconds"],
            "s",
            target="<= 5",
            label=f"grouping the last batch ({int(figures['last_batch_size'])}) of {n}",
        )
        result(f"grouping.last_batch_cpu_seconds_{n}", figures["last_batch_cpu_seconds"], "s", label="the same, CPU")
        if args.store:
            wall, cpu, batch = measure_sync(size, args.seed)
            print(f"sync of the last {batch} stories through a real store: {wall:.2f} s ({cpu:.2f} s CPU)")
            result(f"grouping.sync_seconds_{n}", wall, "s", target="<= 5", label=f"Groups.sync of {batch} new stories, real store")
            result(f"grouping.sync_cpu_seconds_{n}", cpu, "s", label="the same, CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
