"""What the bot answers: commands and button views in, `Message`s out. Slack and the console both
call `Answers`, so a command behaves the same everywhere.

An engine failure never escapes: it is logged with the command and the exception, and the user
gets an apology.
"""
from __future__ import annotations

import logging
import re

from bot.search.engines import engines_for
from bot.slack import render
from bot.slack.render import Message, unescape_command_text

log = logging.getLogger(__name__)

COMMANDS = ("/lookup", "/quote", "/digest", "/newsbot")
MAX_QUERY = 500  # longer text is cut before it reaches the engines; the answer says what was searched


def parse_quote_query(text: str) -> tuple[str, str | None]:
    """`/quote <words>` or `/quote by <speaker> [<words>]` (speaker in quotes when it is several
    words followed by words: `by "Hassan Nasrallah" resistance`; otherwise the speaker is the
    whole rest, and the engine resolves it)."""
    match = re.match(r"(?i)^by\s+(?:\"([^\"]+)\"|“([^”]+)”)\s*(.*)$", text)
    if match:
        return match.group(3).strip(), (match.group(1) or match.group(2)).strip()
    match = re.match(r"(?i)^by\s+(.+)$", text)
    if match:
        return "", match.group(1).strip()
    return text, None


class Answers:
    """What every front answers, from the search engines of its store (bot.search.engines: one set per
    process, shared with /digest follow). Built once per process; the engines are thread-safe readers."""

    def __init__(self, store):
        self.store = store
        self.engines = engines_for(store)

    def warm_up(self) -> None:
        """Load the engines' in-memory indexes now, so the first journalist to ask does not wait."""
        try:
            self.engines.lookup("newsbot")
            self.engines.quote_search.search("newsbot", limit=1)
        except Exception:
            log.exception("warming up the engines failed (they will load on the first command)")

    def index_counts(self) -> dict | None:
        """Articles, actors and quotes in the index; None when the database cannot be read."""
        from sqlalchemy import func, select
        from sqlalchemy.exc import SQLAlchemyError

        from bot.store.schema import actors, articles, quotes

        try:
            with self.store.connect() as conn:
                return {name: conn.execute(select(func.count()).select_from(table)).scalar()
                        for name, table in (("articles", articles), ("actors", actors), ("quotes", quotes))}
        except SQLAlchemyError:
            log.warning("index unreadable at %s", self.store.display_url, exc_info=True)
            return None

    def command(self, command: str, text: str, *, user_id: str = "", channel_id: str = "", client=None,
                share: bool = True) -> Message:
        """Answer `/command text` (text as Slack sends it: escaped, with `<@U…>` tokens)."""
        query = unescape_command_text(text)[:MAX_QUERY]
        try:
            return self._command(command, query, user_id=user_id, channel_id=channel_id, client=client, share=share)
        except Exception:
            log.exception("command %s %r failed", command, query[:200])
            return render.apology(command)

    def _command(self, command: str, query: str, *, user_id: str, channel_id: str, client, share: bool) -> Message:
        if command == "/newsbot" or query.lower() in ("help", "?", "-h", "--help"):
            return render.help_message()
        if command == "/digest":
            from bot.digest.commands import handle
            return render.digest_message(handle(query, user_id=user_id, channel_id=channel_id,
                                                store=self.store, client=client))
        if not query:
            return render.usage(command)
        if command == "/lookup":
            return render.lookup_message(self.engines.lookup(query), share=share)
        if command == "/quote":
            words, by = parse_quote_query(query)
            return self._show({"v": "quotes", "q": words, "by": by, "o": 0}, share=share, shared_by=None)
        return render.help_message()

    def show(self, view: dict, *, channel_id: str = "", share: bool = True, shared_by: str | None = None) -> Message:
        """Render what a button points at (a profile page, a page of quotes), or do what it asks in
        `channel_id`, the channel it was pressed in."""
        try:
            return self._show(view, channel_id=channel_id, share=share, shared_by=shared_by)
        except Exception:
            log.exception("view %r failed", view)
            return render.apology("/lookup" if view.get("v") == "profile" else "/quote")

    def _show(self, view: dict, *, channel_id: str = "", share: bool, shared_by: str | None) -> Message:
        kind = view.get("v")
        if kind == "profile":
            offset = max(int(view.get("ao") or 0), 0)
            profile = self.engines.profiles.profile(int(view["id"]), articles_offset=offset,
                                                    articles_limit=render.ARTICLES_PAGE,
                                                    quotes_limit=render.PROFILE_QUOTES)
            return render.profile_message(profile, articles_offset=offset, share=share, shared_by=shared_by)
        if kind == "quotes":
            offset = max(int(view.get("o") or 0), 0)
            result = self.engines.quote_search.search(view.get("q") or "", view.get("by") or None,
                                                      limit=render.QUOTES_PAGE, offset=offset)
            return render.quotes_message(result, offset=offset, share=share, shared_by=shared_by)
        if kind == "actor_quotes":
            actor_id, offset, side = int(view["id"]), max(int(view.get("o") or 0), 0), view.get("side")
            actor = self.engines.profiles.profile(actor_id, articles_limit=0, quotes_limit=0)
            quote_search = self.engines.quote_search
            hits = quote_search.quotes_by(actor_id, limit=render.QUOTES_PAGE, offset=offset) if side == "by" \
                else quote_search.quotes_about(actor_id, limit=render.QUOTES_PAGE, offset=offset)
            name = actor.name
            return render.actor_quotes_message(name, "by" if side == "by" else "about", hits,
                                               actor_id=actor_id, offset=offset)
        if kind == "digest_follow":  # a "Follow …" button from /digest follow
            from bot.digest.commands import confirm_follow
            return render.digest_message(confirm_follow(view, channel_id=channel_id, store=self.store))
        return render.help_message()
