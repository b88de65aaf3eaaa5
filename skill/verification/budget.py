"""Which unknown certificate-chain URLs may be fetched now: a budget a flood of forged URLs cannot spend for Alexa.

A forged request can name any Amazon-shaped chain URL, a new one every time, and each fetch holds a request thread
for up to the fetch timeout, so fetches are budgeted. A single budget is spent by such a flood, and then the one URL
that matters, Amazon's next chain after a rotation, is refused for as long as the flood lasts. What a forger cannot
cheaply fake is repetition: every real request carries Amazon's current URL, while a URL fetched and found false is
refused without fetching for a while (the failure memory of :class:`CertificateSource`). So:

- the **open** budget (``open_per_minute``) fetches any unknown URL on first sight, as long as it lasts;
- beyond it, a **priority** fetch goes to a URL seen at least ``PRIORITY_SIGHTINGS`` times, at least as often as
  any other waiting URL seen in the last ``LIVE_SECONDS``, and more often than every URL given a priority fetch in
  the last minute. One-off URLs never get one. A forger who wants them must send a URL as often as Alexa has sent
  the real one since the rotation, and the k-th priority fetch in a minute needs a URL sent more than k times:
  k fetches cost about k²/2 requests, so a flood of N requests a minute buys about √(2N) fetches (a handful of
  threads, each for at most the fetch timeout), and keeping the real URL out costs ever more as Alexa keeps
  sending it. It is fetched within a few requests of a one-off flood and is never starved;
- sightings are kept for at most ``max_waiting`` waiting URLs; when full, the least-seen, least recently seen one
  goes first, so a one-off flood churns only its own entries: a URL seen twice outlives any number of one-offs,
  and a first sighting survives ``max_waiting`` further new URLs;
- a **vouched** fetch goes to a request whose caller (the Alexa user id) came on a request whose signature was
  verified before: Amazon's requests name callers a forger does not know, since a user id appears only in
  requests Amazon sends to this skill. So after a rotation the first request naming the new URL, from any
  customer who used the skill before, fetches it at once, flood or no flood. A caller vouches for at most one
  fetch in ``BUDGET_WINDOW_SECONDS`` and all callers for at most ``vouched_per_minute``: a leaked user id buys a
  forger one fetch a minute, no more.

Not thread-safe: the caller holds its own lock around every call.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass

BUDGET_WINDOW_SECONDS = 60.0
PRIORITY_SIGHTINGS = 2
LIVE_SECONDS = 60.0


@dataclass(slots=True)
class _Sighting:
    count: int
    last_seen: float


class _Window:
    """At most ``limit`` starts in any ``BUDGET_WINDOW_SECONDS``."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._starts: deque[float] = deque()

    def take(self, clock: float) -> bool:
        while self._starts and clock - self._starts[0] >= BUDGET_WINDOW_SECONDS:
            self._starts.popleft()
        if len(self._starts) >= self.limit:
            return False
        self._starts.append(clock)
        return True


class FetchBudget:
    """Decides, per request naming an unknown chain URL, whether that request may fetch it now."""

    def __init__(self, *, open_per_minute: int, max_waiting: int = 4096, vouched_per_minute: int | None = None) -> None:
        if open_per_minute < 1:
            raise ValueError("the open budget must allow at least one fetch a minute")
        if max_waiting < 2:
            raise ValueError("max_waiting must be at least 2")
        self._open = _Window(open_per_minute)
        self._vouched = _Window(vouched_per_minute if vouched_per_minute is not None else open_per_minute)
        # caller -> when it last vouched for a fetch (oldest first), for the callers of the last window only.
        self._vouchers: OrderedDict[str, float] = OrderedDict()
        # (clock, sightings) of every priority fetch in the last BUDGET_WINDOW_SECONDS: the next needs more sightings.
        self._priority: deque[tuple[float, int]] = deque()
        self._max_waiting = max_waiting
        self._sightings: dict[str, _Sighting] = {}
        # count -> the URLs seen that many times, in the order they reached it: the last one is the most recently
        # seen of them (a URL moves to the end of the next count each time it is seen).
        self._by_count: dict[int, OrderedDict[str, None]] = {}

    def admit(self, url: str, clock: float, *, vouched_by: str | None = None) -> bool:
        """Count one more request naming ``url``; ``True`` if it may start a fetch (a budget is then spent).

        ``vouched_by``: the caller of this request, when a request of that caller passed the signature check before.
        """
        count = self._see(url, clock)
        if self._open.take(clock):
            return True
        if vouched_by is not None and self._vouch(vouched_by, clock):
            return True
        if count < PRIORITY_SIGHTINGS or count <= self._priority_bar(clock) or count < self._most_seen_live(clock):
            return False
        self._priority.append((clock, count))
        return True

    def _vouch(self, caller: str, clock: float) -> bool:
        while self._vouchers and clock - next(iter(self._vouchers.values())) >= BUDGET_WINDOW_SECONDS:
            self._vouchers.popitem(last=False)
        if caller in self._vouchers or not self._vouched.take(clock):
            return False
        self._vouchers[caller] = clock  # at most vouched_per_minute callers are held: the window bounds them
        return True

    def _priority_bar(self, clock: float) -> int:
        while self._priority and clock - self._priority[0][0] >= BUDGET_WINDOW_SECONDS:
            self._priority.popleft()
        return max((count for _, count in self._priority), default=0)

    def forget(self, url: str) -> None:
        """``url`` was fetched (kept or failed): it waits no more."""
        sighting = self._sightings.pop(url, None)
        if sighting is not None:
            self._unfile(url, sighting.count)

    def sightings(self, url: str) -> int:
        sighting = self._sightings.get(url)
        return sighting.count if sighting is not None else 0

    def __len__(self) -> int:
        return len(self._sightings)

    def _see(self, url: str, clock: float) -> int:
        sighting = self._sightings.get(url)
        if sighting is None:
            if len(self._sightings) >= self._max_waiting:
                self._evict_one()
            sighting = self._sightings[url] = _Sighting(0, clock)
        else:
            self._unfile(url, sighting.count)
        sighting.count += 1
        sighting.last_seen = clock
        self._by_count.setdefault(sighting.count, OrderedDict())[url] = None
        return sighting.count

    def _most_seen_live(self, clock: float) -> int:
        for count in sorted(self._by_count, reverse=True):
            newest = next(reversed(self._by_count[count]))
            if clock - self._sightings[newest].last_seen <= LIVE_SECONDS:
                return count
        return 0

    def _evict_one(self) -> None:
        fewest = min(self._by_count)
        url, _ = self._by_count[fewest].popitem(last=False)
        if not self._by_count[fewest]:
            del self._by_count[fewest]
        del self._sightings[url]

    def _unfile(self, url: str, count: int) -> None:
        bucket = self._by_count[count]
        del bucket[url]
        if not bucket:
            del self._by_count[count]
