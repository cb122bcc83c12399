"""``python -m kit`` runs the ``servekit`` command line."""

from kit.cli import main

__all__: list[str] = []

if __name__ == "__main__":
    main()
