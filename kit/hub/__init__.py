"""The workshop on JupyterHub: one login per team, teams kept apart by the operating system.

- :mod:`kit.hub.accounts` — system users, passwords, folder ownership and modes;
- :mod:`kit.hub.config` — the ``jupyterhub_config.py`` for a workshop;
- :mod:`kit.hub.env` — the Python every team's server runs (readable by every team's user);
- :mod:`kit.hub.links` — the facilitator's team links page (an admin-only hub service);
- :mod:`kit.hub.runner` — prepare, run and stop the hub; remove users and permissions.

Examples
--------
>>> from kit.hub.accounts import system_username
>>> system_username("night-shift")
'sk-night-shift'
"""

__all__: list[str] = []
