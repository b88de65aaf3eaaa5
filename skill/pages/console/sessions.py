"""The console's conversations, one per browser session, kept in this process (a development tool: a restart
forgets them) and bounded, the least recently used dropped first."""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from skill.simulator.conversation import Conversation

MAX_CONVERSATIONS = 32
MAX_TURNS = 50


@dataclass
class ConsoleTurn:
    said: str
    intent: str
    slots: list[dict[str, Any]]
    request: str
    response: str
    speech: str
    reprompt: str
    card: dict[str, Any] | None
    directives: list[str]
    session_attributes: str
    session_ended: bool
    resolutions: list[dict[str, Any]]
    cart: list[dict[str, Any]]
    error: str = ""


@dataclass
class ConsoleSession:
    customer_id: str
    conversation: Conversation
    turns: list[ConsoleTurn] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, turn: ConsoleTurn) -> None:
        self.turns.append(turn)
        del self.turns[:-MAX_TURNS]


class ConsoleSessions:
    def __init__(self) -> None:
        self._sessions: OrderedDict[str, ConsoleSession] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str | None) -> ConsoleSession | None:
        if not key:
            return None
        with self._lock:
            found = self._sessions.get(key)
            if found is not None:
                self._sessions.move_to_end(key)
            return found

    def put(self, session: ConsoleSession) -> str:
        key = secrets.token_urlsafe(16)
        with self._lock:
            self._sessions[key] = session
            while len(self._sessions) > MAX_CONVERSATIONS:
                self._sessions.popitem(last=False)
        return key
