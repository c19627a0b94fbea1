from click.testing import CliRunner

from bot.cli import cli


def test_index_and_stats_on_seeds(tmp_path, config_dir):
    runner = CliRunner()
    db = f"sqlite:///{tmp_path / 'x.db'}"
    result = runner.invoke(cli, ["--db", db, "index"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["--db", db, "stats"])
    assert "articles" in result.output
