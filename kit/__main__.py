"""``python -m kit`` runs the ``servekit`` command line."""

from kit.cli import main

if __name__ == "__main__":
    main()
