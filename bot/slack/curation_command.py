"""`/newsbot edit | history | undo`, and the edit buttons of a profile: editors correct the index from
Slack or the console. The edits themselves are bot.ingest.curation's; this module reads the command,
finds the actors it names through the lookup engine, and says what was done, with an Undo button.

    /newsbot edit <actor> same as <other actor>
    /newsbot edit <actor> move "<spelling>" to <other or new actor>
    /newsbot edit <actor> rename <name> | kind <kind> | describe <text> | alias <name> | not an actor
    /newsbot history <actor>
    /newsbot undo <edit number>

An actor is a name (an exact name or alias: a fuzzy match is never edited) or `#<id>` as the history
and ambiguous answers show. Who may edit is decided by the caller (bot.slack.editors).
"""
from __future__ import annotations

import logging
import re

from bot.blockkit import Message, button, context, escape, finish, section
from bot.ingest import curation
from bot.ingest.curation import EditRefused
from bot.search.results import Band, LookupStatus
from bot.slack.buttons import EditHistory, NotActorChoice, ProfilePage, UndoEdit
from bot.store.curation import Edit
from bot.store.schema import EditAction

log = logging.getLogger(__name__)

VERBS = ("edit", "history", "undo")
USAGE = ("*Correcting the index* (editors)\n"
         "• `/newsbot edit &lt;actor&gt; same as &lt;other actor&gt;`: merge\n"
         "• `/newsbot edit &lt;actor&gt; move \"&lt;spelling&gt;\" to &lt;other or new actor&gt;`: the mentions "
         "written so belong to another\n"
         "• `/newsbot edit &lt;actor&gt; rename &lt;name&gt;` · `kind person|organization|place|other` · "
         "`describe &lt;text&gt;` · `alias &lt;name&gt;` · `not an actor`\n"
         "• `/newsbot history &lt;actor&gt;`: its edits, with Undo · `/newsbot undo &lt;edit number&gt;`\n"
         "An actor is its name or alias, or `#&lt;id&gt;` as the history shows.")
REFUSED = "Only the desk's editors can change the index (they are named in settings.yaml)."
_EDIT = re.compile(r"(?is)^(?P<actor>.+?)\s+(?:(?P<merge>same\s+as)\s+(?P<other>.+)"
                   r"|(?P<move>move)\s+(?:\"(?P<q1>[^\"]+)\"|“(?P<q2>[^”]+)”|(?P<bare>.+?))\s+to\s+(?P<dest>.+)"
                   r"|(?P<verb>rename|kind|describe|alias)\s+(?P<value>.+)"
                   r"|(?P<not>not\s+an?\s+actor))\s*$")


def is_curation(text: str) -> bool:
    """Whether `/newsbot` text is one of these commands."""
    return text.split(" ", 1)[0].lower() in VERBS


def handle(text: str, *, user_id: str, engines, allowed: bool) -> Message:
    """Answer `/newsbot edit|history|undo …` (text already unescaped) for `user_id`."""
    verb, _, rest = text.strip().partition(" ")
    verb, rest = verb.lower(), rest.strip()
    if not allowed:
        log.warning("refused /newsbot %s by %s, who is no editor", verb, user_id)
        return _say(REFUSED)
    try:
        if verb == "history":
            return history_message(engines, _actor(engines, rest))
        if verb == "undo":
            number = re.fullmatch(r"#?(\d{1,9})", rest)
            if number is None:
                return _usage("Give the number of the edit to undo, as `/newsbot history` shows it.")
            return _undone(engines, curation.undo(engines.store, user_id, int(number.group(1))))
        return _edit(engines, user_id, rest)
    except EditRefused as exc:
        return _say(str(exc))


def press(view, *, user_id: str, engines, allowed: bool) -> Message:
    """An edit button: History, Not an actor, Undo."""
    if not allowed:
        log.warning("refused a %s button from %s, who is no editor", view.kind, user_id)
        return _say(REFUSED)
    try:
        if isinstance(view, EditHistory):
            return history_message(engines, view.actor_id)
        if isinstance(view, NotActorChoice):
            return _done(engines, curation.not_actor(engines.store, user_id, view.actor_id), user_id)
        return _undone(engines, curation.undo(engines.store, user_id, view.edit_id))
    except EditRefused as exc:
        return _say(str(exc))


def profile_controls(actor_id: int, name: str) -> tuple[dict, list]:
    """What a profile shows an editor: the commands, and the History and Not an actor buttons."""
    hint = context(f"Editor: `/newsbot edit {escape(name)} same as …` · `rename …` · `move \"…\" to …` · "
                   "`kind …` · `describe …` · `alias …`")
    return hint, [button("Edit history", "edit", EditHistory(actor_id).encode()),
                  button("Not an actor", "edit", NotActorChoice(actor_id).encode())]


def _edit(engines, user_id: str, rest: str) -> Message:
    match = _EDIT.match(rest)
    if match is None:
        return _usage("That edit does not read.")
    actor_id = _actor(engines, match["actor"])
    store = engines.store
    if match["merge"]:
        edit = curation.merge(store, user_id, actor_id, _actor(engines, match["other"]))
    elif match["move"]:
        spelling = match["q1"] or match["q2"] or match["bare"]
        target = _actor(engines, match["dest"], missing_ok=True)
        edit = curation.move(store, user_id, actor_id, spelling, target_id=target,
                             new_name=None if target else match["dest"])
    elif match["not"]:
        edit = curation.not_actor(store, user_id, actor_id)
    else:
        do = {"rename": curation.rename, "kind": curation.set_kind, "describe": curation.describe,
              "alias": curation.add_alias}[match["verb"].lower()]
        edit = do(store, user_id, actor_id, match["value"])
    return _done(engines, edit, user_id)


def _actor(engines, text: str, *, missing_ok: bool = False) -> int | None:
    """The id of the actor `text` names exactly (or `#id`); EditRefused when it names none or several."""
    text = text.strip().strip("\"“”")
    number = re.fullmatch(r"#(\d{1,9})", text)
    if number:
        return int(number.group(1))
    if not text:
        raise EditRefused("Name the actor.")
    result = engines.lookup_engine.resolve(text)
    exact = [c for c in result.candidates if c.band == Band.EXACT]
    if result.status == LookupStatus.FOUND and exact:
        return exact[0].actor_id
    if len({c.actor_id for c in exact}) > 1:
        raise EditRefused(f"“{text}” names several actors: " + ", ".join(
            f"{c.name} (#{c.actor_id})" for c in exact[:8]) + ". Give the one you mean as #id.")
    if missing_ok:
        return None
    near = ", ".join(f"{c.name} (#{c.actor_id})" for c in result.candidates[:3])
    raise EditRefused(f"No actor is named exactly “{text}”." + (f" Near: {near}." if near else ""))


def describe_edit(edit: Edit) -> str:
    """One line of mrkdwn saying what an edit did."""
    before, after, detail = edit.before, edit.after, edit.detail
    name = escape(after.get("of") or edit.actor_key)
    said = {
        EditAction.MERGE: lambda: f"merged *{name}* into *{escape(after.get('into', ''))}*",
        EditAction.MOVE: lambda: (f"moved the mentions of *{name}* written “{escape(detail['spelling'])}” to "
                                  f"*{escape(after.get('to', ''))}*"),
        EditAction.RENAME: lambda: f"renamed *{escape(before['name'])}* to *{escape(after['name'])}*",
        EditAction.KIND: lambda: f"*{name}*: kind {escape(before.get('kind') or '?')} → {escape(after['kind'])}",
        EditAction.DESCRIBE: lambda: f"*{name}*: description “{escape(after['description'])}”",
        EditAction.ALIAS: lambda: f"*{name}*: alias “{escape(detail['alias'])}” added",
        EditAction.NOT_ACTOR: lambda: f"*{name}* marked not an actor",
    }
    return said[edit.action]()


def _who(user: str | None) -> str:
    return f"<@{user}>" if user and re.fullmatch(r"[UW][A-Z0-9]+", user) else escape(user or "someone")


def _done(engines, edit: Edit, user_id: str) -> Message:
    engines.lookup_engine.refresh()  # this instance answers from the edited index at once
    text = f"Done (edit #{edit.id}): {describe_edit(edit)}."
    controls = [button("Undo", "edit", UndoEdit(edit.id).encode())]
    actor_id = _current_id(engines, edit)
    if actor_id is not None:
        controls.append(button("Open profile", "open", ProfilePage(actor_id).encode()))
    return finish(f"Done (edit #{edit.id})", [section(text)], controls=controls)


def _current_id(engines, edit: Edit) -> int | None:
    """The actor an edit leaves to look at: the one merged or moved into, else the one edited."""
    key = edit.target_key if edit.action in (EditAction.MERGE, EditAction.MOVE) else edit.actor_key
    if edit.action == EditAction.NOT_ACTOR:
        return None
    return curation.actor_id_of(engines.store, key)


def _undone(engines, edit: Edit) -> Message:
    engines.lookup_engine.refresh()
    text = f"Undone (edit #{edit.id}): {describe_edit(edit)}."
    return finish(f"Undone edit #{edit.id}", [section(text)])


def history_message(engines, actor_id: int) -> Message:
    edits = curation.history(engines.store, actor_id)
    name = engines.lookup_engine.index.actors.get(actor_id)
    title = f"Edits of {name.name}" if name else f"Edits of actor #{actor_id}"
    if not edits:
        return finish(title, [section(f"*{escape(title)}*: none yet.")])
    blocks = [section(f"*{escape(title)}* (#{actor_id}), newest first")]
    for edit in edits:
        line = f"#{edit.id} · {describe_edit(edit)}\nby {_who(edit.editor)}, {edit.edited_at:%-d %b %Y %H:%M} UTC"
        if edit.undone_at is not None:
            line += f" · _undone by {_who(edit.undone_by)}, {edit.undone_at:%-d %b %Y %H:%M}_"
            blocks.append(section(line))
        else:
            blocks.append(section(line, accessory=button("Undo", "edit", UndoEdit(edit.id).encode())))
    return finish(title, blocks)


def _say(text: str) -> Message:
    return finish(text, [section(escape(text))])


def _usage(problem: str) -> Message:
    return finish(f"{problem} /newsbot edit usage", [section(escape(problem)), section(USAGE)])
