"""Finding the corpus files under the paths given to `newsbot index`, and what could not be looked at.

Folders are walked recursively, hidden entries and sidecars skipped, each folder's files (sorted) before
its subfolders (sorted). A dataset's own documentation found in a folder (README, LICENSE, CHANGELOG …,
whatever the suffix) is not an article: it is set aside and listed, not read. A file is named by the path
it was found under: a symbolic link keeps its own name, so removing the link removes its articles, never
the target's.

Symbolic links found inside a folder are followed when they lead inside the folders being indexed; one
that leads elsewhere, one whose target does not exist and a loop are reported and skipped (a sidecar
that is such a link too: its file is read without it). A file or folder named as a path to index is
read wherever it leads (whoever named it chose it).

What the walk could not see is kept apart from what is gone: a folder that cannot be listed is
reported and listed in `unseen`, so that the articles indexed from it are not taken for deleted.
"""
from __future__ import annotations

import errno
import os
from dataclasses import dataclass, field
from pathlib import Path

from bot.corpus.models import FileProblem
from bot.corpus.readers import SUPPORTED
from bot.corpus.sidecar import SIDECAR_SUFFIX


@dataclass
class CorpusWalk:
    """The corpus files found, in a stable order, and what the walk could not look at."""

    files: list[Path] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
    unseen: list[Path] = field(default_factory=list)  # folders that could not be listed: their files are unknown
    empty_folders: list[Path] = field(default_factory=list)  # folders named to index that hold nothing at all
    without_sidecar: set[str] = field(default_factory=set)  # files whose sidecar is a link not followed
    documentation: list[Path] = field(default_factory=list)  # README, LICENSE … found in the folders: not read


DOCUMENTATION_STEMS = frozenset({"readme", "license", "licence", "copying", "changelog", "contributing"})


def is_documentation(name: str) -> bool:
    """README.md, LICENSE, ChangeLog.txt …: what a dataset says about itself, never one of its articles."""
    return name.split(".", 1)[0].lower() in DOCUMENTATION_STEMS


def walk_corpus(paths: list[Path]) -> CorpusWalk:
    """The corpus files under `paths` (files, or folders walked recursively)."""
    walk = CorpusWalk()
    folders = [os.path.realpath(p) for p in paths if os.path.isdir(p)]
    walker = _Walker(walk, folders)
    for path in paths:
        try:
            is_folder = os.path.isdir(os.path.realpath(path, strict=True))
        except OSError as exc:
            walker.unreadable(Path(os.path.abspath(path)), exc)
            continue
        if is_folder:
            real = Path(os.path.realpath(path))
            if not walker.folder(real, (str(real),)):
                walk.empty_folders.append(real)
        else:
            named = Path(os.path.abspath(path))
            walker.file(Path(os.path.realpath(named.parent)) / named.name, regular=os.path.isfile(named))
    return walk


class _Walker:
    def __init__(self, walk: CorpusWalk, folders: list[str]):
        self.walk = walk
        self.inside = [f.rstrip(os.sep) + os.sep for f in folders]

    def folder(self, folder: Path, chain: tuple[str, ...]) -> bool:
        """Walk `folder` (`chain`: the real paths of the folders it is in, itself included);
        False when it has no entry at all."""
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as exc:
            self.walk.problems.append(FileProblem(str(folder), f"folder cannot be read ({exc.strerror or exc}): "
                                                               f"the articles indexed from it are kept"))
            self.walk.unseen.append(folder)
            return True
        subfolders: list[tuple[Path, str]] = []
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            path = folder / name
            if is_documentation(name) and not entry.is_dir():
                self.walk.documentation.append(path)
                continue
            if entry.is_symlink():
                target = self.link_target(path)
                if target is None:
                    if name.endswith(SIDECAR_SUFFIX):
                        self.walk.without_sidecar.add(str(path)[:-len(SIDECAR_SUFFIX)])
                    continue
                if os.path.isdir(target):
                    if target in chain:
                        self.problem(path, f"symbolic link loop: leads back to {target}, skipped")
                    else:
                        subfolders.append((path, target))
                elif not name.endswith(SIDECAR_SUFFIX):
                    self.file(path, regular=os.path.isfile(target))
            elif entry.is_dir(follow_symlinks=False):
                subfolders.append((path, os.path.join(chain[-1], name)))
            elif not name.endswith(SIDECAR_SUFFIX):
                self.file(path, regular=entry.is_file(follow_symlinks=False))
        for path, real in subfolders:
            self.folder(path, (*chain, real))
        return bool(entries)

    def link_target(self, link: Path) -> str | None:
        """The real path a link found in a folder leads to, or None (reported) when it is not followed."""
        try:
            target = os.path.realpath(link, strict=True)
        except OSError as exc:
            self.unreadable(link, exc)
            return None
        if not any((target + os.sep).startswith(folder) for folder in self.inside):
            self.problem(link, f"symbolic link to {target}, outside the folders being indexed: skipped")
            return None
        return target

    def file(self, path: Path, regular: bool = True) -> None:
        if path.suffix.lower() not in SUPPORTED:
            self.problem(path, f"unsupported file type '{path.suffix or path.name}' "
                               f"(expected one of {', '.join(sorted(SUPPORTED))})")
        elif not regular:
            self.problem(path, "not a regular file: skipped")
        else:
            self.walk.files.append(path)

    def unreadable(self, path: Path, exc: OSError) -> None:
        """A path whose target cannot be reached: missing, a dangling link, a loop or no permission."""
        if os.path.islink(path) and exc.errno == errno.ELOOP:
            reason = "cannot be read: symbolic link loop"
        elif os.path.islink(path) and isinstance(exc, FileNotFoundError):
            reason = f"cannot be read: symbolic link to {os.readlink(path)}, which does not exist"
        elif isinstance(exc, FileNotFoundError):
            reason = "no such file or folder"
        else:
            reason = f"cannot be read ({exc.strerror or exc})"
        self.problem(path, reason)

    def problem(self, path: Path, reason: str) -> None:
        self.walk.problems.append(FileProblem(str(path), reason))
