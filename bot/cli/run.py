"""`newsbot run` (Slack, or the console without credentials) and `newsbot console`."""
from __future__ import annotations

import logging
import sys
import threading

import click

from bot.cli.base import Context, cli, friendly_errors, pass_context
from bot.config import ConfigError, Settings, variable

log = logging.getLogger(__name__)


def pick_mode(env) -> tuple[str, str]:
    """The mode the environment asks for, and the one line that says so."""
    has = {name: bool(env.get(name)) for name in ("SLACK_APP_TOKEN", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")}
    if has["SLACK_APP_TOKEN"]:
        if not has["SLACK_BOT_TOKEN"]:
            return "console", "SLACK_APP_TOKEN is set but SLACK_BOT_TOKEN is not: opening the local console instead of Slack."
        return "socket", "Socket Mode: connecting to Slack with SLACK_APP_TOKEN (no public URL needed)."
    if has["SLACK_BOT_TOKEN"] and has["SLACK_SIGNING_SECRET"]:
        return "http", "HTTP mode: listening on http://{address} ({why}); Slack requests at /slack/events, health check at /healthz."
    if has["SLACK_BOT_TOKEN"] or has["SLACK_SIGNING_SECRET"]:
        missing = "SLACK_SIGNING_SECRET" if has["SLACK_BOT_TOKEN"] else "SLACK_BOT_TOKEN"
        return "console", f"{missing} is not set (HTTP mode needs both, or SLACK_APP_TOKEN for Socket Mode): opening the local console."
    return "console", "No Slack credentials set: opening the local console (see docs/slack-setup.md to connect Slack)."


def bind_address(chosen: str | None, configured: str, env) -> tuple[str, str]:
    """The address HTTP mode listens on, and why: --bind/$BIND, then settings.yaml's http.bind, then
    every interface when $PORT is set (a hosting platform routes public traffic to that port), else
    this machine only (a reverse proxy on the same host forwards Slack's requests)."""
    if chosen:
        return chosen, "--bind or $BIND"
    if configured:
        return configured, "http.bind in settings.yaml"
    if env.get("PORT"):
        return "0.0.0.0", "every interface, as $PORT is set; set BIND to narrow it"
    return "127.0.0.1", "this machine only; set BIND=0.0.0.0 to accept other hosts"


def listen(app, answers, secret: str, line: str, host: str, why: str, port: int):
    """The HTTP server, bound; says where in `line` (the real port, when 0 asked the system for one)."""
    from bot.slack.server import make_http_server

    try:
        server = make_http_server(app, answers, secret, host=host, port=port)
    except (OSError, ValueError) as exc:
        click.echo(f"Cannot listen on {host} port {port}: {exc}", err=True)
        sys.exit(1)
    bound_host, bound_port = server.server_address
    address = f"[{bound_host}]:{bound_port}" if ":" in bound_host else f"{bound_host}:{bound_port}"
    click.echo(line.format(address=address, why=why))
    return server


def answers_for(ctx: Context, *, console: bool = False):
    """The answers of every front, with the editors of the settings (and the console's user in the console)."""
    from bot.slack.answers import Answers
    from bot.slack.editors import Editors

    return Answers(ctx.store, editors=Editors.from_settings(ctx.settings, console=console), settings=ctx.settings)


def console_for(ctx: Context, answers):
    """The console on this terminal, with the history file and colour choice of the settings."""
    from bot.slack.console import Console

    return Console(answers, history_file=ctx.settings.history_file, no_color=bool(ctx.settings.no_color))


def slack_app(answers, settings: Settings):
    """The Slack app with the credentials, API address and thread pool sizes of the settings."""
    from bot.slack.app import build_app

    return build_app(answers, token=settings.slack_bot_token or None, signing_secret=settings.slack_signing_secret,
                     api_url=settings.slack_api_url or None,
                     workers=int(settings.slack_workers) if settings.slack_workers else None,
                     answer_workers=int(settings.answer_workers) if settings.answer_workers else None)


def check_configuration(ctx: Context) -> None:
    """Read and validate every configuration file before the bot starts: a mistake stops it here with
    one line, not hours later in a digest job or a re-index."""
    from bot.config import load_feeds
    from bot.digest.subscriptions import load_yaml, yaml_path
    from bot.ingest.indexer import curated_actor_list

    settings = ctx.settings
    curated_actor_list(settings)
    load_yaml(yaml_path(settings), settings)
    load_feeds(settings.config_dir)


def start_scheduler(ctx: Context, app):
    """Digests are posted by the scheduler inside the bot process (the digest ledger keeps a second
    instance from posting twice); None when the digest module has no scheduler."""
    try:
        from bot.digest.scheduler import start as start_digests
    except ImportError:
        log.info("digest scheduler not available: digests are not posted")
        return None
    from bot.slack.digest_command import DIGEST_BUTTONS

    return start_digests(settings=ctx.settings, store=ctx.store, client=app.client, buttons=DIGEST_BUTTONS)


def socket_ping_interval(env) -> float:
    """NEWSBOT_SOCKET_PING_INTERVAL: seconds between keepalive pings (a silent link is given up
    after three)."""
    from bot.slack.socket_mode import PING_INTERVAL_S

    raw = env.get("NEWSBOT_SOCKET_PING_INTERVAL")
    if not raw:
        return PING_INTERVAL_S
    try:
        seconds = float(raw)
    except ValueError:
        seconds = 0
    if not 0 < seconds <= 60:
        raise ConfigError("NEWSBOT_SOCKET_PING_INTERVAL must be a number of seconds above 0 and up to 60, "
                          f"not {raw!r}")
    return seconds


def run_socket_mode(app, answers, app_token: str, *, health_port: int | None, health_host: str,
                    ping_interval: float) -> None:
    """Socket Mode until interrupted; a refused app token ends the command with one line, exit 1."""
    from bot.slack.socket_mode import LinkRefused, serve

    try:
        serve(app, answers, app_token, health_port=health_port, health_host=health_host,
              ping_interval=ping_interval)
    except LinkRefused as exc:
        click.echo(f"Slack error: {exc}", err=True)
        sys.exit(1)


@cli.command("run")
@click.option("--port", type=int, envvar=variable("port"), default=3000, show_default=True,
              help="HTTP mode port ($PORT); in Socket Mode the health check's, when given.")
@click.option("--bind", metavar="ADDRESS",
              help="HTTP mode (and Socket Mode health check) address ($BIND; default: settings.yaml's http.bind, "
                   "else 0.0.0.0 when $PORT is set, else 127.0.0.1).")
@click.pass_context
@pass_context
@friendly_errors
def run_command(ctx: Context, click_ctx: click.Context, port: int, bind: str | None) -> None:
    """Run the bot: Socket Mode with SLACK_APP_TOKEN, HTTP with SLACK_BOT_TOKEN + SLACK_SIGNING_SECRET,
    else the local console. In Socket Mode, --port ($PORT) serves GET /healthz when given."""
    check_configuration(ctx)
    settings = ctx.settings
    port_given = click_ctx.get_parameter_source("port") is not click.core.ParameterSource.DEFAULT
    environment = settings.variables()
    mode, line = pick_mode(environment)
    ping_interval = socket_ping_interval(environment) if mode == "socket" else None
    if mode != "http":  # HTTP mode says where it listens once it is bound
        click.echo(line)
    answers = answers_for(ctx, console=mode == "console")
    if mode == "console":
        console_for(ctx, answers).run()
        return
    app = slack_app(answers, settings)
    host, why = bind_address(bind or settings.bind, settings.http.bind, environment)
    if mode == "http":
        server = listen(app, answers, settings.slack_signing_secret, line, host, why, port)
    threading.Thread(target=answers.warm_up, name="newsbot-warm-up", daemon=True).start()
    scheduler = start_scheduler(ctx, app)
    try:
        if mode == "socket":
            run_socket_mode(app, answers, settings.slack_app_token, health_port=port if port_given else None,
                            health_host=host, ping_interval=ping_interval)
        else:
            try:
                server.serve_forever()
            finally:
                server.server_close()
    except KeyboardInterrupt:
        click.echo("Stopped.")
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)


@cli.command("console")
@pass_context
@friendly_errors
def console_command(ctx: Context) -> None:
    """The bot in this terminal: /lookup, /quote, /digest preview and help, with history."""
    console_for(ctx, answers_for(ctx, console=True)).run()
