"""`newsbot curation export | import`: editors' edits to the index as config/actors.yaml entries, kept in
git, and read back into another index."""
from __future__ import annotations

import sys
from pathlib import Path

import click
import yaml

from bot.cli.base import Context, cli, friendly_errors, pass_context
from bot.ingest.curation_file import export_entries, import_entries


@cli.group("curation")
def curation_group() -> None:
    """Editors' corrections to the index (made from Slack or the console): export and import."""


@curation_group.command("export")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (default: standard output).")
@pass_context
@friendly_errors
def export_command(ctx: Context, output: Path | None) -> None:
    """Write the edits as config/actors.yaml entries (name, kind, description, aliases; not_actors)."""
    data = export_entries(ctx.store)
    text = ("# Editors' corrections to the index (newsbot curation export): paste the entries into\n"
            "# config/actors.yaml, or read them into another index with `newsbot curation import`.\n"
            + yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    if output is None:
        sys.stdout.write(text)
        return
    output.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {len(data['actors'])} actors and {len(data.get('not_actors', []))} not-actors to {output}",
               err=True)


@curation_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_context
@friendly_errors
def import_command(ctx: Context, path: Path) -> None:
    """Record the edits that make the index agree with an actors.yaml file (as editor `import`)."""
    said = import_entries(ctx.store, path)
    for line in said:
        click.echo(line)
    click.echo(f"{len([line for line in said if not line.startswith('skipped')])} edits recorded.")
