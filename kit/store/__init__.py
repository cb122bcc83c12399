"""The store: a workshop folder, its teams' tables and files, read, checked and saved safely.

The lowest layer: it imports nothing else of the kit except :mod:`kit.formatting`.
"""
