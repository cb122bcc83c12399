"""The store: a workshop folder, its teams' tables and files, read, checked and saved safely.

The lowest layer but two: it imports nothing else of the kit except :mod:`kit.resources` (where
shipped files are) and :mod:`kit.exceptions` (the errors it raises).
"""

__all__: list[str] = []
