"""``servekit hub``: the workshop on JupyterHub, one login per team, teams kept apart by the OS."""

from __future__ import annotations

import os
from pathlib import Path

import click

from kit.hub.limits import DEFAULT_MEM_LIMIT, parse_bytes

__all__ = ["hub"]


@click.command("hub")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address the hub listens on (0.0.0.0 for the whole network).",
)
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=8000,
    show_default=True,
    help="Port the hub listens on.",
)
@click.option(
    "--admin",
    default="facilitator",
    show_default=True,
    help="The facilitator's name; the login is sk-NAME.",
)
@click.option(
    "--config-only",
    is_flag=True,
    help="Write the JupyterHub configuration (to --out) and start nothing.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --config-only: where to write jupyterhub_config.py.",
)
@click.option(
    "--passwords-out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write every login and password to this file (readable by its owner "
    "only), for automation.",
)
@click.option(
    "--ssl-cert",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Serve HTTPS with this certificate (PEM; with --ssl-key). Cookies become Secure.",
)
@click.option(
    "--ssl-key",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The private key of --ssl-cert (PEM).",
)
@click.option(
    "--self-signed",
    is_flag=True,
    help="Serve HTTPS with a fresh self-signed certificate; prints its SHA-256 fingerprint.",
)
@click.option(
    "--mem-limit",
    default=DEFAULT_MEM_LIMIT,
    show_default=True,
    help="Most memory (address space) per process of a team's server or kernel, e.g. 2G.",
)
@click.option(
    "--remove",
    is_flag=True,
    help="Remove the hub's users, give the files back to their owner and forget the passwords.",
)
def hub(
    directory: Path,
    host: str,
    port: int,
    admin: str,
    config_only: bool,
    out: Path | None,
    passwords_out: Path | None,
    ssl_cert: Path | None,
    ssl_key: Path | None,
    self_signed: bool,
    mem_limit: str,
    remove: bool,
) -> None:
    """Run the workshop in DIRECTORY on JupyterHub: one login per team, each team's server as
    its own system user (needs root)."""
    from kit.hub import runner
    from kit.hub.accounts import system_username
    from kit.hub.config import HubPlan, render_config
    from kit.hub.env import usable_by_all

    workshop = Path(os.path.abspath(directory))
    _check_tls(ssl_cert, ssl_key, self_signed)
    try:
        parse_bytes(mem_limit)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--mem-limit") from None
    if remove:
        runner.teardown(workshop, admin=admin, log=click.echo)
        return
    if config_only:
        if out is None:
            raise click.UsageError(
                "--config-only needs --out FILE (e.g. --out jupyterhub_config.py)"
            )
        _, teams, admin_user = runner.plan_accounts(workshop, admin)
        plan = HubPlan(
            workshop=workshop,
            teams=teams,
            admin=admin_user,
            host=host,
            port=port,
            state_dir=runner.state_dir_for(workshop),
            mem_limit=mem_limit,
            ssl_cert=Path(os.path.abspath(ssl_cert)) if ssl_cert else None,
            ssl_key=Path(os.path.abspath(ssl_key)) if ssl_key else None,
        )
        out.write_text(render_config(plan), encoding="utf-8")
        click.echo(
            f"Wrote {out} for {len(teams)} team(s) (logins: "
            f"{', '.join(sorted(teams))}; facilitator: {system_username(admin)}). "
            f"Run it with: sudo jupyterhub -f {out}"
        )
        if not usable_by_all():
            click.secho(
                f"Note: other users cannot run {plan.user_python}; point "
                f"c.Spawner.cmd at a Python every user can run ('sudo servekit hub "
                f"DIR' builds one in /opt/servekit).",
                fg="yellow",
                err=True,
            )
        return
    if out is not None:
        raise click.UsageError(
            "--out goes with --config-only (the running hub keeps its "
            "configuration in its state folder)"
        )
    if passwords_out is not None:
        target = Path(os.path.abspath(passwords_out))
        if target.is_relative_to(workshop):
            raise click.UsageError(
                f"--passwords-out {passwords_out} is inside the workshop "
                f"folder; choose a file outside it (passwords are never "
                f"kept in the workshop folder)"
            )
    prepared = runner.prepare(
        workshop,
        host=host,
        port=port,
        admin=admin,
        mem_limit=mem_limit,
        ssl_cert=Path(os.path.abspath(ssl_cert)) if ssl_cert else None,
        ssl_key=Path(os.path.abspath(ssl_key)) if ssl_key else None,
        self_signed=self_signed,
        log=click.echo,
    )
    if passwords_out is not None:
        runner.write_passwords_file(passwords_out, prepared.logins)
        click.echo(f"Logins written to {passwords_out} (readable by its owner only)")
    raise SystemExit(runner.serve(prepared, log=lambda m: click.echo(m)))


def _check_tls(ssl_cert: Path | None, ssl_key: Path | None, self_signed: bool) -> None:
    if self_signed and (ssl_cert or ssl_key):
        raise click.UsageError("--self-signed makes its own certificate; drop --ssl-cert/--ssl-key")
    if bool(ssl_cert) != bool(ssl_key):
        raise click.UsageError("--ssl-cert and --ssl-key go together (the certificate and its key)")
