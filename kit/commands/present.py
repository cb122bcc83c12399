"""``servekit present``: the live projector dashboard, served by Voilà (no code shown)."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["present"]


@click.command("present")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (0.0.0.0 opens the dashboard to the network).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8866,
    show_default=True,
    help="Port to listen on (0 = any free port).",
)
@click.option(
    "--token",
    default=None,
    envvar="SERVEKIT_TOKEN",
    help="Access token (default: a new random one, printed in the URL); prefer "
    "$SERVEKIT_TOKEN, which other users cannot read with ps. Voilà gets it through its "
    "environment, never its command line.",
)
@click.option("--no-browser", is_flag=True, help="Do not open a browser.")
@click.option(
    "--base-url",
    default="/",
    show_default=True,
    help="URL prefix, e.g. /services/dashboard/ behind JupyterHub.",
)
@click.option(
    "--interval",
    type=click.FloatRange(0, 3600),
    default=10,
    show_default=True,
    help="Seconds between automatic refreshes (0 = only the button).",
)
def present(
    directory: Path,
    host: str,
    port: int,
    token: str | None,
    no_browser: bool,
    base_url: str,
    interval: float,
) -> None:
    """Serve the live dashboard of the workshop in DIRECTORY for the projector.

    Every team's progress, the latest saved edits, all teams' top priorities side by side, where
    the teams agree, and a tile per team with two small charts. It re-reads the teams' files
    every --interval seconds and on its button, without a page reload. Listens on 127.0.0.1
    with a token unless told otherwise; stop it with Ctrl+C.

    \b
    Examples:
      servekit present my-workshop
      servekit present my-workshop --port 9000 --no-browser
    """
    from kit.exceptions import PresentError
    from kit.room.present import serve

    try:
        code = serve(
            directory,
            host=host,
            port=port,
            token=token,
            open_browser=not no_browser,
            base_url=base_url,
            interval=interval,
            echo=click.echo,
        )
    except PresentError as exc:
        raise click.ClickException(str(exc)) from None
    raise SystemExit(code)
