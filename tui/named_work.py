"""`named_work`: Textual's `@work`, with a description that costs nothing to make.

Without a `description`, Textual writes one for every worker it starts, on the event
loop, from `repr()` of every argument.  The worker that folds a large view again is
given the view's rows: 100,000 of them took 90 ms to repr, in the middle of the keys
being pressed while a fetch added stories.  Every worker of the app is started
through this, so none pays for its arguments' repr.
"""

from __future__ import annotations

from typing import Any

from textual import work


def named_work(name: str, **options: Any) -> Any:
    """`@work(name=name, description=name, **options)`."""
    return work(name=name, description=name, **options)
