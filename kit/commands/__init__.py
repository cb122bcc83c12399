"""Sub-commands of ``servekit``, one module per command family.

Each module names its click commands in ``__all__``; :mod:`kit.cli` registers them all.
Modules starting with ``_`` and :mod:`kit.commands.output` (the shared printer) hold none.
"""

__all__: list[str] = []
