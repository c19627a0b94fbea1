"""Who may edit the index: the user ids and user groups `editors:` in settings.yaml names. A group's
members are asked of Slack (usergroups.users.list) and kept a minute; a Slack error is logged and
grants nothing."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable

from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

CONSOLE_USER = "UCONSOLE"  # the console's user: whoever runs it on the server can edit config/actors.yaml anyway
GROUP_MEMBERS_TTL_S = 60.0


class Editors:
    def __init__(self, users: Iterable[str] = (), groups: Iterable[str] = ()):
        self.users = frozenset(users)
        self.groups = tuple(groups)
        self._members: dict[str, tuple[float, frozenset[str]]] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings, *, console: bool = False) -> Editors:
        """The editors of settings.yaml; with `console`, the console's user as well."""
        return cls([*settings.editors.users, *([CONSOLE_USER] if console else [])], settings.editors.groups)

    def allows(self, user_id: str | None, client=None) -> bool:
        """Whether `user_id` is an editor (`client`: the WebClient that reads user groups)."""
        if not user_id:
            return False
        if user_id in self.users:
            return True
        return client is not None and any(user_id in self._group(group, client) for group in self.groups)

    def _group(self, group: str, client) -> frozenset[str]:
        now = time.monotonic()
        with self._lock:
            held = self._members.get(group)
            if held is not None and now - held[0] < GROUP_MEMBERS_TTL_S:
                return held[1]
        try:
            members = frozenset(client.usergroups_users_list(usergroup=group).get("users") or [])
        except SlackApiError as exc:
            log.error("cannot read the members of editor group %s: %s", group, exc.response.get("error"))
            members = frozenset()
        except Exception as exc:  # the connection failed: nobody is let in by it
            log.error("cannot read the members of editor group %s: %s", group, type(exc).__name__)
            members = frozenset()
        with self._lock:
            self._members[group] = (now, members)
        return members
