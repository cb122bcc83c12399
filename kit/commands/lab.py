"""``servekit lab``: one shared JupyterLab for the room, with a link (and QR code) per team."""

from __future__ import annotations

import signal
from pathlib import Path

import click

__all__ = ["lab"]


@click.command("lab")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; 0.0.0.0 lets the room's laptops in.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8888,
    show_default=True,
    help="Port (0: any free port).",
)
@click.option(
    "--token",
    default="",
    envvar="SERVEKIT_TOKEN",
    help="The server's token (default: a new random one). "
    "Give one to keep printed links valid after a restart; prefer $SERVEKIT_TOKEN, which "
    "other users cannot read with ps. JupyterLab gets it through its environment, never "
    "its command line.",
)
@click.option(
    "--url-host",
    default="",
    metavar="NAME",
    help="Host name to put in the links (default: this machine's address).",
)
@click.option(
    "--links",
    "write_links",
    is_flag=True,
    help="Also write DIRECTORY/links.html (one card per team with QR codes for its notebooks "
    "and its phone page) and DIRECTORY/links.json.",
)
@click.option(
    "--cull-idle",
    type=click.FloatRange(min=0),
    default=30.0,
    show_default=True,
    metavar="MINUTES",
    help="Shut down a kernel that no open tab shows and that runs nothing after this many "
    "minutes (0: never). A tab left open keeps its kernel.",
)
@click.option("--no-browser", is_flag=True, help="Do not open a browser here.")
def lab(
    directory: Path,
    host: str,
    port: int,
    token: str,
    url_host: str,
    write_links: bool,
    cull_idle: float,
    no_browser: bool,
) -> None:
    """Start JupyterLab on the workshop in DIRECTORY and print one link per team.

    The server listens on 127.0.0.1 with a token unless --host says otherwise; each team's
    link opens its own notebooks (notebooks/<team>/) in its own workspace, with a fresh layout
    each time (no tabs restored from before). Kernels no open tab shows are shut down after
    --cull-idle minutes. Stop with Ctrl-C.
    """
    from kit.room.lab import LabServer, host_warning, stop
    from kit.room.links import write_links as write_page
    from kit.room.phone import write_links_json
    from kit.room.teamnotebooks import sync_team_notebooks, team_notebook_dir
    from kit.store.terminal import printable
    from kit.store.workshop import Workshop

    server = LabServer(
        directory,
        host=host,
        port=port,
        token=token,
        public_host=url_host,
        open_browser=not no_browser,
        cull_idle=cull_idle,
    )
    server.check()
    if host_warning(host):
        click.secho(host_warning(host), fg="yellow", err=True)
    workshop = Workshop(server.workshop_dir)
    missing = [
        t.slug
        for t in workshop.teams()
        if not team_notebook_dir(server.workshop_dir, t.slug).is_dir()
    ]
    if missing:
        written = sync_team_notebooks(server.workshop_dir, missing)
        click.echo(
            f"Wrote the notebooks of {len(missing)} team(s) that had none: {', '.join(missing)}"
        )
        for refused in [w.refused for w in written if w.refused]:
            click.secho(refused, fg="yellow", err=True)
    links = server.links()
    if not links:
        raise click.ClickException(
            f"{directory} has no teams; add some with "
            f"'servekit new {directory} --force --team NAME'"
        )

    def stopped(signum: int, frame: object) -> None:  # `kill`: stop the server too
        raise KeyboardInterrupt

    process = server.start()
    previous = signal.signal(signal.SIGTERM, stopped)
    try:
        server.wait_ready(process)
        title = str(workshop.info.get("title") or server.workshop_dir.name)
        click.echo(
            f"\nJupyterLab for {printable(title)!r} is running: {server.base}/lab?token={server.token}"
        )
        click.echo("Team links (open, then Run ▸ Run All Cells):")
        names = [printable(link.name) for link in links]  # no control or bidi on the screen
        width = max(len(name) for name in names)
        for name, link in zip(names, links, strict=True):
            click.echo(f"  {name:<{width}}  {link.url}")
        local = server.local_only
        if local:
            click.secho(
                f"These links work only on this computer ({local}): for laptops and phones in "
                "the room, start with --host 0.0.0.0 (or give --url-host the room's name for "
                "this machine).",
                fg="yellow",
                err=True,
            )
        if write_links:
            page = write_page(
                server.workshop_dir,
                title,
                links,
                note=f"Server: {server.base}",
                local_only=local,
            )
            click.echo(f"Links page with QR codes: {page}")
            click.echo(f"Links as JSON: {write_links_json(server.workshop_dir, links)}")
        click.echo("Stop the server with Ctrl-C.", err=False)
        process.wait()
    except KeyboardInterrupt:
        click.echo("\nStopping JupyterLab…")
    finally:
        stop(process)
        server.cleanup()
        signal.signal(signal.SIGTERM, previous)
    if process.returncode not in (0, -15, None) and process.returncode != 130:
        raise SystemExit(process.returncode)
