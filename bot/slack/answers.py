"""What the bot answers: commands and button views in, `Message`s out. Slack and the console both
call `Answers`, so a command behaves the same everywhere.

An engine failure never escapes: it is logged with the command and the exception, and the user
gets an apology. Every button value an answer carries is signed here (bot.slack.buttons), and a pressed
value is read only when its signature holds.
"""
from __future__ import annotations

import logging
import re
import secrets

from sqlalchemy.exc import IntegrityError

from bot.blockkit import Message, unescape_command_text
from bot.config import Settings, load_settings
from bot.search.engines import engines_for
from bot.search.filters import FilterError, Filters, parse_query
from bot.search.quote_cards import quote_card
from bot.slack import curation_command, digest_command, links_command, views
from bot.slack.buttons import (
    EDITING, READ_ONLY, ActorQuotesPage, ButtonValue, FollowChoice, ProfilePage, QuoteCardPage, QuotesPage, decode,
    kind_of, sign_buttons, verified, wire_of,
)
from bot.slack.editors import Editors

log = logging.getLogger(__name__)

COMMANDS = ("/lookup", "/quote", "/digest", "/newsbot")
MAX_QUERY = 500  # longer text is cut before it reaches the engines; the answer says what was searched
BUTTON_KEY = "button_key"  # the meta row holding the key button values are signed with


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

    def __init__(self, store, editors: Editors | None = None, settings: Settings | None = None):
        """`editors`: who may correct the index and add to it (nobody when None); `settings`: the project's
        (read from its config folder when None)."""
        self.store = store
        self.engines = engines_for(store)
        self.editors = editors or Editors()
        self._settings = settings
        self._button_key: bytes | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings()
        return self._settings

    def button_key(self) -> bytes:
        """The key every instance on this database signs button values with: made by the first to need it."""
        if self._button_key is None:
            key = self.store.get_meta(BUTTON_KEY)
            if key is None:
                try:
                    with self.store.begin() as conn:
                        self.store.set_meta(conn, BUTTON_KEY, secrets.token_hex(32))
                except IntegrityError:  # another instance made it at the same moment: use theirs
                    pass
                key = self.store.get_meta(BUTTON_KEY)
            self._button_key = key.encode("ascii")
        return self._button_key

    def signed(self, message: Message | None) -> Message | None:
        """The message with every button value signed."""
        if message is not None:
            sign_buttons(message.blocks, self.button_key)
        return message

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
        """Answer `/command text` (text as Slack sends it: escaped, with `<@U…>` tokens; a link's `<url|label>`
        is read as its address, not its label, by `/newsbot add`). `share` False: a thread's answer (an @newsbot
        mention)."""
        query = unescape_command_text(links_command.link_targets(text) if command == "/newsbot" else text)[:MAX_QUERY]
        try:
            return self.signed(self._command(command, query, user_id=user_id, channel_id=channel_id, client=client,
                                             share=share))
        except Exception:
            log.exception("command %s %r failed", command, query[:200])
            return views.apology(command)

    def _command(self, command: str, query: str, *, user_id: str, channel_id: str, client, share: bool) -> Message:
        if command == "/newsbot" and curation_command.is_curation(query):
            return curation_command.handle(query, user_id=user_id, engines=self.engines,
                                           allowed=self.editors.allows(user_id, client))
        if command == "/newsbot" and links_command.is_links(query):
            return links_command.handle(query, user_id=user_id, store=self.store, settings=self.settings,
                                        engines=self.engines, allowed=self.editors.allows(user_id, client),
                                        mentioned=not share)
        if command == "/newsbot" or query.lower() in ("help", "?", "-h", "--help"):
            return views.help_message()
        if command == "/digest":
            return digest_command.handle(query, user_id=user_id, channel_id=channel_id, store=self.store, client=client)
        if not query:
            return views.usage(command)
        try:
            query, filters = self._filters(query)
        except FilterError as exc:
            return views.usage(command, str(exc))
        if not query:
            return views.usage(command, f"Give {'a name' if command == '/lookup' else 'words or a speaker'} "
                                        "besides the filters.")
        if command == "/lookup":
            result = self.engines.lookup(query, articles_limit=views.ARTICLES_PAGE, quotes_limit=views.PROFILE_QUOTES,
                                         related_limit=views.RELATED_MAX, filters=filters)
            editing = share and result.profile is not None and self.editors.allows(user_id, client)
            return views.lookup_message(result, share=share, editing=editing)
        if command == "/quote":
            card = re.fullmatch(r"(?i)card\s+#?(\d{1,12})", query)
            if card:
                return self._show(QuoteCardPage(int(card.group(1))), share=share, shared_by=None)
            words, by = parse_quote_query(query)
            return self._show(QuotesPage(words, by or None, filters=filters.tokens()), share=share, shared_by=None)
        return views.help_message()

    def _filters(self, text: str) -> tuple[str, Filters]:
        """The text without its filter tokens, and the filters (the outlet matched to the index's)."""
        rest, filters = parse_query(text)
        return rest, self.engines.with_outlet(filters)

    def show(self, value: str, *, channel_id: str = "", share: bool = True, shared_by: str | None = None,
             user_id: str = "", client=None, open_form=None) -> Message | None:
        """Render what a pressed button's `value` points at (a profile page, a page of quotes, a quote card), or
        do what it asks in `channel_id`, the channel it was pressed in, for `user_id`. A value that changes
        anything must carry its signature; one that only shows what /lookup or /quote would may come unsigned
        (posted before values were signed, or by a scheduled digest). An editor's Edit… button opens its form
        through `open_form` (a modal's view in; None: the console) and answers None."""
        wire = wire_of((value or "").partition(":")[2]) or wire_of(value)
        try:
            carried = verified(value, self.button_key())
            if carried is None and kind_of(wire_of(value)) not in READ_ONLY:
                log.warning("button value refused, its signature does not hold: %r", (value or "")[:200])
                return views.unverified_button()
            view = decode(value if carried is None else carried)
            if isinstance(view, EDITING):
                return self.signed(curation_command.press(
                    view, user_id=user_id, engines=self.engines, channel_id=channel_id,
                    allowed=self.editors.allows(user_id, client), open_form=open_form))
            editing = isinstance(view, ProfilePage) and share and self.editors.allows(user_id, client)
            return self.signed(self._show(view, channel_id=channel_id, share=share, shared_by=shared_by,
                                          editing=editing))
        except Exception:
            log.exception("view %r failed", wire)
            return views.apology("/lookup" if kind_of(wire) is ProfilePage else "/quote")

    def submit_form(self, view: dict, *, user_id: str, client=None) -> tuple[dict | None, Message | None, str]:
        """A submitted edit form (bot.slack.curation_command.submit_form): errors for the form, or the answer
        and the channel to post it in."""
        try:
            errors, message, channel = curation_command.submit_form(view, user_id=user_id, engines=self.engines,
                                                                    allowed=self.editors.allows(user_id, client))
            return errors, self.signed(message), channel
        except Exception:
            log.exception("edit form of %s failed", user_id)
            return {"value": "Sorry, something went wrong; it has been logged."}, None, ""

    def _show(self, view: ButtonValue | None, *, channel_id: str = "", share: bool, shared_by: str | None,
              editing: bool = False) -> Message:
        if isinstance(view, ActorQuotesPage):  # posted by an earlier version: the profile at that page
            view = view.as_profile()
        if isinstance(view, ProfilePage):
            try:
                profile = self.engines.profiles.profile(
                    view.actor_id, articles_offset=view.articles_offset, articles_limit=views.ARTICLES_PAGE,
                    quotes_limit=views.PROFILE_QUOTES, by_offset=view.by_offset, about_offset=view.about_offset,
                    related_limit=views.RELATED_MAX, filters=self._filters(view.filters)[1])
            except KeyError:
                return views.gone("That actor", "/lookup")
            return views.profile_message(profile, page=view, share=share, shared_by=shared_by, editing=editing)
        if isinstance(view, QuotesPage):
            result = self.engines.quote_search.search(view.words, view.by, limit=views.QUOTES_PAGE, offset=view.offset,
                                                      filters=self._filters(view.filters)[1])
            return views.quotes_message(result, offset=view.offset, share=share, shared_by=shared_by)
        if isinstance(view, QuoteCardPage):
            card = quote_card(self.store, view.quote_id)
            if card is None:
                return views.gone(f"Quote {view.quote_id}", "/quote")
            if view.citation:
                return views.citation_message(card)
            return views.quote_card_message(card, share=share, shared_by=shared_by)
        if isinstance(view, FollowChoice):  # a "Follow …" button from /digest follow
            return digest_command.confirm_follow(view, channel_id=channel_id, store=self.store)
        return views.help_message()
