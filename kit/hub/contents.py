"""The file manager of a team's server on the hub: another team's files are simply not there.

A team's server is rooted at the workshop folder, so a team can type a path into another
team's folder. The operating system refuses it; this file manager turns that refusal into a
plain 404 ("does not exist") where Jupyter's own hidden-file check would stumble on the
permission error and answer 500.

Examples
--------
>>> TeamContentsManager.__mro__[1].__name__
'AsyncLargeFileManager'
"""

from __future__ import annotations

from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager

__all__ = ["TeamContentsManager"]


class TeamContentsManager(AsyncLargeFileManager):
    """Jupyter's file manager, treating a path this user may not look at as hidden (404)."""

    async def is_hidden(self, path: str) -> bool:
        try:
            return await super().is_hidden(path)
        except PermissionError:
            return True
