"""Static checks of ``deploy/``: the image definition and the Zero to JupyterHub values file."""

from __future__ import annotations

import subprocess
import tomllib

import yaml
from conftest import DATASET, ROOT

from kit.hub.config import FIRST_NOTEBOOK
from kit.resources import workshops_dir
from kit.room.present import DASHBOARD, TEMPLATE, TEMPLATES

VALUES = ROOT / "deploy" / "z2jh" / "values.yaml"
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def _values() -> dict:
    return yaml.safe_load(VALUES.read_text(encoding="utf-8"))


def test_values_file_is_yaml_naming_the_kit_image():
    image = _values()["singleuser"]["image"]
    assert image == {"name": "ghcr.io/servekit/servekit-workshop", "tag": VERSION}
    assert image["name"].rsplit("/", 1)[1] in (ROOT / "deploy" / "README.md").read_text()
    assert _values()["singleuser"]["cmd"] == "jupyterhub-singleuser"


def test_one_shared_volume_with_a_sub_path_per_team():
    single = _values()["singleuser"]
    assert single["storage"]["type"] == "none"
    volumes = single["storage"]["extraVolumes"]
    assert volumes == [
        {"name": "workshop", "persistentVolumeClaim": {"claimName": "servekit-workshop"}}
    ]
    mounts = {m["mountPath"]: m for m in single["storage"]["extraVolumeMounts"]}
    root = single["notebookDir"]
    assert root == "/srv/workshop"
    assert {m["name"] for m in mounts.values()} == {"workshop"}
    assert {path: (m["subPath"], m.get("readOnly", False)) for path, m in mounts.items()} == {
        f"{root}/workshop.yaml": ("workshop.yaml", True),
        f"{root}/teams/{{username}}": ("teams/{username}", False),
        f"{root}/notebooks/{{username}}": ("notebooks/{username}", False),
    }
    # the claim named in the comment block is the one mounted
    assert "metadata: {name: servekit-workshop}" in VALUES.read_text()


def test_team_lands_in_its_first_notebook_like_on_the_vm():
    single = _values()["singleuser"]
    assert single["defaultUrl"] == f"/lab/tree/notebooks/{{username}}/{FIRST_NOTEBOOK}"
    assert (workshops_dir() / FIRST_NOTEBOOK).is_file()


def test_facilitator_hook_is_python_and_names_the_dashboard():
    hub = _values()["hub"]
    code = hub["extraConfig"]["servekit-facilitator"]
    compile(code, "servekit-facilitator", "exec")
    assert f"/voila/render/home/jovyan/workshops/{DASHBOARD}" in code
    assert (workshops_dir() / DASHBOARD).is_file()
    assert f"--VoilaConfiguration.template={TEMPLATE}" in code
    assert "/home/jovyan/" + TEMPLATES.relative_to(ROOT).as_posix() in code
    assert hub["config"]["Authenticator"]["admin_users"] == ["facilitator"]


def test_allowed_users_are_the_demo_team_slugs():
    allowed = _values()["hub"]["config"]["Authenticator"]["allowed_users"]
    assert allowed == sorted(p.name for p in (DATASET / "teams").iterdir() if p.is_dir())


def test_image_is_built_from_environment_yml_which_installs_the_kit():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip  # repo2docker installs the repository itself (no postBuild needed)
    assert "jupyterhub==6.1.1" in pip
    assert not (ROOT / "deploy" / "postBuild").exists()
    script = (ROOT / "deploy" / "build-image.sh").read_text()
    assert "jupyter-repo2docker" in script and "--user-id 1000" in script
    assert subprocess.run(["bash", "-n", str(ROOT / "deploy" / "build-image.sh")]).returncode == 0


def test_team_pods_run_only_the_kits_code_with_a_memory_limit():
    values = _values()
    assert values["hub"]["config"]["Spawner"]["disable_user_config"] is True
    env = values["singleuser"]["extraEnv"]
    assert (env["PYTHONSAFEPATH"], env["PYTHONNOUSERSITE"]) == ("1", "1")
    assert values["singleuser"]["memory"]["limit"] == "2G"
