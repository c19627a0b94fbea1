"""The package's layers, read from the code: no import cycle, and no import that runs up the layers.

Bottom up: foundation modules (settings, wording, the cache folder, the Block Kit toolkit), then corpus/
(read, split, clean), nlp/ (actors, quotes), store/ (persistence only), ingest/ (the indexing run),
search/, digest/, and the fronts slack/ and cli/. A module may import its own layer or the ones below.
Imports inside functions count like the ones at the top of a file.
"""
from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parent.parent / "bot"

LAYERS = [
    {"bot", "bot.config", "bot.wording", "bot.cache", "bot.blockkit"},
    {"bot.corpus"},
    {"bot.nlp"},
    {"bot.store"},
    {"bot.ingest"},
    {"bot.search"},
    {"bot.digest"},
    {"bot.slack"},
    {"bot.cli"},
    {"bot.__main__"},
]


def module_name(path: Path) -> str:
    parts = path.relative_to(BOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str) -> bool:
    relative = Path(*name.split("."))
    return (BOT.parent / relative).with_suffix(".py").is_file() or (BOT.parent / relative / "__init__.py").is_file()


def layer_of(module: str) -> int:
    for rank, members in enumerate(LAYERS):
        if any(module == member or (member != "bot" and module.startswith(member + ".")) for member in members):
            return rank
    raise AssertionError(f"{module} is in no layer: place it in LAYERS ({__file__})")


def imported_modules(path: Path, module: str) -> set[str]:
    """The bot modules a file imports: `from bot.x import y` is bot.x.y when y is a module, else bot.x."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if is_module(f"{base}.{alias.name}") else base)
    return {name for name in found if name == "bot" or name.startswith("bot.")}


def import_graph() -> dict[str, set[str]]:
    graph = {}
    for path in sorted(BOT.rglob("*.py")):
        module = module_name(path)
        graph[module] = imported_modules(path, module) - {module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_every_module_belongs_to_a_layer():
    for module in import_graph():
        layer_of(module)


def test_no_module_imports_a_layer_above_its_own():
    upward = [f"{module} imports {target}"
              for module, targets in import_graph().items()
              for target in sorted(targets) if layer_of(target) > layer_of(module)]
    assert upward == []


def test_no_import_cycle():
    assert cycles(import_graph()) == []


def test_the_walk_sees_lazy_and_relative_imports(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def later():\n    from bot.search import results\n    import bot.store.db\n")
    assert imported_modules(sample, "bot.digest.sample") == {"bot.search.results", "bot.store.db"}
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
