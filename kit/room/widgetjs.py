"""The room server's copy of plotly's chart widget code (a Jupyter Server extension).

``servekit lab`` enables this extension and gives its kernels :data:`kit.widgets.widgetjs.ENV`:
the kit's live charts then load plotly's widget code from here, once a browser, instead of each
chart sending it from its kernel (:mod:`kit.widgets.widgetjs` says why). The file is plotly's
own, served read-only at ``<base URL>/`` + :func:`kit.widgets.widgetjs.route`, with a validator
so that a browser asks again cheaply.

It is served without sign-in, as Jupyter serves its own and its extensions' code (``static/``,
``lab/extensions/``): it is plotly's published code, the same for everyone, and holds nothing of
anyone's. It has to be: the browser imports it as a module, a ``cors`` request, and a
JupyterHub team server accepts its login cookie on such a request only with an XSRF token, which
an import cannot send (it answered each import with a redirect to the login, over and over).

Examples
--------
>>> _jupyter_server_extension_points()
[{'module': 'kit.room.widgetjs'}]
>>> server_config()["ServerApp"]["jpserver_extensions"]
{'kit.room.widgetjs': True}
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from kit.room.serverconfig import enable, write_config
from kit.widgets.widgetjs import bundle_path, route

__all__ = ["EXTENSION", "server_config", "write_server_config"]

EXTENSION = "kit.room.widgetjs"
"""The extension's module name (what ``ServerApp.jpserver_extensions`` enables)."""


def server_config() -> dict[str, Any]:
    """The Jupyter Server config that enables the extension."""
    return enable(EXTENSION)


def write_server_config(folder: Path) -> Path:
    """Write :func:`server_config` for a server whose ``JUPYTER_CONFIG_PATH`` includes ``folder``
    (``jupyter_server_config.d/servekit-widgetjs.json``, a file of its own).

    Examples
    --------
    >>> import tempfile
    >>> import json
    >>> path = write_server_config(Path(tempfile.mkdtemp()))
    >>> path.name, json.loads(path.read_text()) == server_config()
    ('servekit-widgetjs.json', True)
    """
    return write_config(folder, "widgetjs", server_config())


@functools.cache
def _bundle() -> bytes:
    return bundle_path().read_bytes()


def _handler() -> type:
    from jupyter_server.auth.decorator import allow_unauthenticated
    from jupyter_server.base.handlers import JupyterHandler

    class BundleHandler(JupyterHandler):
        """plotly's widget code, public like Jupyter's static files; ``ETag`` and
        ``If-None-Match`` (tornado)."""

        @allow_unauthenticated
        def get(self) -> None:
            self.set_header("Content-Type", "text/javascript; charset=utf-8")
            self.set_header("Cache-Control", "public, max-age=86400")
            self.write(_bundle())

    return BundleHandler


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": EXTENSION}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Add the route under the server's base URL."""
    from jupyter_server.utils import url_path_join

    pattern = url_path_join(serverapp.base_url, route().replace(".", r"\."))
    serverapp.web_app.add_handlers(".*$", [(pattern, _handler())])
