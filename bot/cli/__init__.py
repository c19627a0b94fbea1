"""The `newsbot` command line. Each command lives in its own small module."""
from bot.cli.base import cli
from bot.cli import curation, digest, export, feeds, index, lookup, quote, run, stats  # noqa: F401  (registers the commands)


def main() -> None:
    cli(prog_name="newsbot")
