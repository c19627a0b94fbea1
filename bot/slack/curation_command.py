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

import json
import logging
import re
from collections.abc import Callable

from bot.blockkit import Message, button, context, escape, finish, say, section
from bot.ingest import curation
from bot.ingest.curation import EditRefused
from bot.search.results import Band, LookupStatus
from bot.slack.buttons import EditForm, EditHistory, NotActorChoice, ProfilePage, UndoEdit
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
        return say(REFUSED)
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
        return say(str(exc))


def press(view, *, user_id: str, engines, allowed: bool, channel_id: str = "",
          open_form: Callable[[dict], None] | None = None) -> Message | None:
    """An edit button: Edit… (the form, through `open_form`; None where there are no forms: the console
    is shown the commands), Edit history, Not an actor, Undo. None when the form was opened."""
    if not allowed:
        log.warning("refused a %s button from %s, who is no editor", view.kind, user_id)
        return say(REFUSED)
    try:
        if isinstance(view, EditForm):
            if open_form is None:
                return finish("/newsbot edit usage", [section(USAGE)])
            open_form(edit_form(view.actor_id, _name(engines, view.actor_id), channel_id))
            return None
        if isinstance(view, EditHistory):
            return history_message(engines, view.actor_id)
        if isinstance(view, NotActorChoice):
            return _done(engines, curation.not_actor(engines.store, user_id, view.actor_id))
        return _undone(engines, curation.undo(engines.store, user_id, view.edit_id))
    except EditRefused as exc:
        return say(str(exc))


def profile_controls(actor_id: int, name: str) -> tuple[dict, list]:
    """What a profile shows an editor: the commands, and the Edit…, Edit history and Not an actor buttons."""
    hint = context(f"Editor: `/newsbot edit {escape(name)} same as …` · `rename …` · `move \"…\" to …` · "
                   "`kind …` · `describe …` · `alias …`")
    return hint, [button("Edit…", "edit", EditForm(actor_id).encode()),
                  button("Edit history", "edit", EditHistory(actor_id).encode()),
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
    return _done(engines, edit)


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


def _done(engines, edit: Edit) -> Message:
    engines.refresh()  # this instance answers from the edited index at once
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
    engines.refresh()
    text = f"Undone (edit #{edit.id}): {describe_edit(edit)}."
    return finish(f"Undone edit #{edit.id}", [section(text)])


def history_message(engines, actor_id: int) -> Message:
    edits = curation.history(engines.store, actor_id)
    title = f"Edits of {_name(engines, actor_id)}"
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


def _name(engines, actor_id: int) -> str:
    actor = engines.lookup_engine.index.actors.get(actor_id)
    return actor.name if actor else f"actor #{actor_id}"


# --- the edit form ------------------------------------------------------------------------------------

FORM = "newsbot.edit"  # the modal's callback_id
FORM_ACTIONS = {  # the form's choices: how each reads as `/newsbot edit #id …`
    "same as": "Same as (merge into) another actor",
    "move": "Move the mentions written one way to another or a new actor",
    "rename": "Rename",
    "kind": "Set the kind (person, organization, place, other)",
    "describe": "Set the description",
    "alias": "Add an alias",
    "not an actor": "Not an actor",
}


def edit_form(actor_id: int, name: str, channel_id: str) -> dict:
    """The modal an editor's Edit… button opens (views.open): what to do, and the name or text it takes."""
    def option(value: str, label: str) -> dict:
        return {"text": {"type": "plain_text", "text": label[:75]}, "value": value}

    def field(block: str, label: str, hint: str) -> dict:
        return {"type": "input", "block_id": block, "optional": True, "label": {"type": "plain_text", "text": label},
                "hint": {"type": "plain_text", "text": hint},
                "element": {"type": "plain_text_input", "action_id": block, "max_length": 600}}

    return {
        "type": "modal", "callback_id": FORM, "private_metadata": json.dumps({"id": actor_id, "c": channel_id}),
        "title": {"type": "plain_text", "text": "Edit actor"},
        "submit": {"type": "plain_text", "text": "Save"}, "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*{escape(name[:200])}* (#{actor_id})"}},
            {"type": "input", "block_id": "action", "label": {"type": "plain_text", "text": "Edit"},
             "element": {"type": "static_select", "action_id": "action",
                         "options": [option(value, label) for value, label in FORM_ACTIONS.items()]}},
            field("value", "Name, kind or text", "The other actor, the new name, the kind, the description or the alias"),
            field("spelling", "Spelling (Move only)", "The mentions written this way move"),
        ],
    }


def form_unavailable() -> Message:
    """Slack would not open the form: the same edits by command."""
    return finish("Slack did not open the edit form", [section("Slack did not open the edit form; "
                                                               "the same edits work by command:"), section(USAGE)])


def submit_form(view: dict, *, user_id: str, engines, allowed: bool) -> tuple[dict | None, Message | None, str]:
    """A submitted edit form: (errors to show in the form, or None; the answer to post; the channel it
    was opened in). The form reads as `/newsbot edit #id …`, so it does what the command does."""
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
        actor_id, channel_id = int(meta["id"]), str(meta.get("c") or "")
        values = view["state"]["values"]
        action = (values["action"]["action"].get("selected_option") or {}).get("value")
        value = (values.get("value", {}).get("value", {}).get("value") or "").strip()
        spelling = (values.get("spelling", {}).get("spelling", {}).get("value") or "").strip()
    except (KeyError, TypeError, ValueError, AttributeError):
        log.warning("an edit form that does not read, from %s", user_id)
        return {"action": "This form does not read: open it again from the profile."}, None, ""
    if action not in FORM_ACTIONS:
        return {"action": "Pick what to do."}, None, channel_id
    if action == "move" and not spelling:
        return {"spelling": "Give the spelling whose mentions move."}, None, channel_id
    if action != "not an actor" and not value:
        return {"value": "Give the name, kind or text."}, None, channel_id
    command = {"move": f'move "{spelling}" to {value}', "not an actor": "not an actor"}.get(action, f"{action} {value}")
    message = handle(f"edit #{actor_id} {command}", user_id=user_id, engines=engines, allowed=allowed)
    said = message.text
    if not said.startswith("Done"):
        return {"spelling" if action == "move" and "written" in said else "value": said[:150]}, None, channel_id
    return None, message, channel_id


def _usage(problem: str) -> Message:
    return finish(f"{problem} /newsbot edit usage", [section(escape(problem)), section(USAGE)])
