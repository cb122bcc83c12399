"""Package layout that pyproject.toml cannot express: the repository's data folders as package data.

The notebooks (``workshops/``), the case datasets (``datasets/``) and the exercises
(``exercises/``) stay where they are in the repository (README paths and tools use them), and
are installed inside the kit as ``kit/_workshops``, ``kit/_datasets`` and ``kit/_exercises``.
:mod:`kit.resources` finds them with :mod:`importlib.resources`. Everything else about the
package is in ``pyproject.toml``.
"""

from setuptools import find_namespace_packages, setup

DATA_PACKAGES = {
    "kit._workshops": "workshops",
    "kit._datasets": "datasets",
    "kit._exercises": "exercises",
}
SKIP = ["*__pycache__*", "*.ipynb_checkpoints*"]


def _packages() -> list[str]:
    found = find_namespace_packages(include=["kit", "kit.*"], exclude=SKIP)
    for package, folder in DATA_PACKAGES.items():
        found += [package] + [
            f"{package}.{sub}" for sub in find_namespace_packages(where=folder, exclude=SKIP)
        ]
    return found


setup(packages=_packages(), package_dir=DATA_PACKAGES)
