"""Sub-commands of ``servekit`` that live in their own module (registered in :mod:`kit.cli`)."""
