"""``servekit pack`` / ``servekit collect``: a team's folder to a laptop and back, safely.

Zips are built by the real ``pack``, unzipped into a "laptop" folder, edited there through the
kit's workbook (as the editors do), zipped again and collected. Hostile zips (``../``, absolute
paths, symbolic links, another team's folder) are written by hand with :mod:`zipfile`.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import stat
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from kit.cli import main
from kit.exceptions import PackError
from kit.room.collect import collect
from kit.room.pack import MANIFEST, pack_team
from kit.room.teamnotebooks import write_team_notebooks
from kit.store.workbook import Workbook
from kit.store.workshop import create_workshop

SLUG = "night-shift"


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def workshop(tmp_path):
    ws = create_workshop(tmp_path / "ws", teams=["Front Desk", "Night Shift"], starter=True)
    write_team_notebooks(ws.path)
    return ws.path


def _unzip(zipped: Path, folder: Path) -> Path:
    with zipfile.ZipFile(zipped) as archive:
        archive.extractall(folder)
    return folder


def _zip_folder(folder: Path, out: Path, top: str = "") -> Path:
    """Zip a folder again, as a participant would (optionally inside a top folder)."""
    with zipfile.ZipFile(out, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, top + path.relative_to(folder).as_posix())
    return out


def _edit_journey(team_dir: Path, description: str) -> None:
    wb = Workbook.load(team_dir)
    journey = wb["journey"].copy()
    journey.loc[0, "description"] = description
    wb["journey"] = journey
    wb.save()


def test_pack_holds_the_team_its_notebooks_and_a_manifest(workshop, tmp_path):
    (workshop / "teams" / SLUG / ".history").mkdir()
    (workshop / "teams" / SLUG / ".history" / "old.journey.csv").write_text("old")
    zipped = pack_team(workshop, "Night Shift", tmp_path / "night.zip")
    with zipfile.ZipFile(zipped) as archive:
        names = sorted(archive.namelist())
        manifest = json.loads(archive.read(MANIFEST))
        readme = archive.read("README.txt").decode()
        data = {n: archive.read(n) for n in names}
    team_files = sorted(
        f"teams/{SLUG}/{p}"
        for p in _snapshot(workshop / "teams" / SLUG)
        if not p.startswith(".history/")
    )
    notebooks = sorted(f"notebooks/{SLUG}/{p}" for p in _snapshot(workshop / "notebooks" / SLUG))
    assert names == sorted(["README.txt", MANIFEST, "workshop.yaml", *team_files, *notebooks])
    assert manifest["team"] == SLUG and manifest["name"] == "Night Shift"
    assert manifest["base"] == {
        n: hashlib.sha256(data[n]).hexdigest() for n in team_files + notebooks
    }
    assert "The laptop needs the kit installed" in readme
    assert f"notebooks/{SLUG}/01_journey.ipynb" in readme


def test_unzipped_pack_is_a_workshop_whose_notebooks_find_their_team(workshop, tmp_path):
    laptop = _unzip(pack_team(workshop, SLUG, tmp_path / "n.zip"), tmp_path / "laptop")
    from kit.store.workshop import Workshop
    from kit.testing import team_parameters

    params = team_parameters(laptop / "notebooks" / SLUG / "01_journey.ipynb")
    resolved = (laptop / "notebooks" / SLUG / params["workshop_dir"]).resolve()
    assert resolved == laptop.resolve()
    assert [t.slug for t in Workshop(resolved).teams()] == [SLUG]
    assert Workbook.load(resolved / "teams" / params["team"]).name == "Night Shift"


@pytest.mark.parametrize("top", ["", "night-shift-laptop/"])
def test_round_trip_updates_changed_files_and_keeps_the_old_version(workshop, tmp_path, top):
    zipped = pack_team(workshop, SLUG, tmp_path / "night.zip")
    laptop = _unzip(zipped, tmp_path / "laptop")
    _edit_journey(laptop / "teams" / SLUG, "Edited on the laptop")
    back = _zip_folder(laptop, tmp_path / "back.zip", top)
    old = (workshop / "teams" / SLUG / "journey.csv").read_bytes()
    other = _snapshot(workshop / "teams" / "front-desk")

    result = collect(workshop, back)
    assert result.updated == [f"teams/{SLUG}/journey.csv"]
    assert result.conflicts == [] and result.added == []
    assert (workshop / "teams" / SLUG / "journey.csv").read_bytes() == (
        laptop / "teams" / SLUG / "journey.csv"
    ).read_bytes()
    kept = list((workshop / "teams" / SLUG / ".history").glob("*.journey.csv"))
    assert [k.read_bytes() for k in kept] == [old]
    assert _snapshot(workshop / "teams" / "front-desk") == other
    assert result.summary() == f"{SLUG} (back.zip): 1 updated (teams/{SLUG}/journey.csv)"


def test_repack_on_the_laptop_keeps_the_original_base(workshop, tmp_path):
    laptop = _unzip(pack_team(workshop, SLUG, tmp_path / "night.zip"), tmp_path / "laptop")
    _edit_journey(laptop / "teams" / SLUG, "Edited on the laptop")
    back = CliRunner().invoke(
        main,
        ["pack", str(laptop), "--team", SLUG, "--out", str(tmp_path / "back.zip")],
        catch_exceptions=False,
    )
    assert back.exit_code == 0, back.output
    result = collect(workshop, tmp_path / "back.zip")
    assert result.updated == [f"teams/{SLUG}/journey.csv"] and result.conflicts == []


def _edit_row(team_dir: Path, row: int, description: str) -> None:
    wb = Workbook.load(team_dir)
    journey = wb["journey"].copy()
    journey.loc[row, "description"] = description
    wb["journey"] = journey
    wb.save()


def test_edits_on_both_sides_merge_row_by_row(workshop, tmp_path):
    zipped = pack_team(workshop, SLUG, tmp_path / "night.zip")
    laptop = _unzip(zipped, tmp_path / "laptop")
    _edit_row(laptop / "teams" / SLUG, 0, "Laptop edit")
    back = _zip_folder(laptop, tmp_path / "back.zip")
    _edit_row(workshop / "teams" / SLUG, 1, "Workshop edit")  # after the pack, another row
    result = CliRunner().invoke(main, ["collect", str(workshop), str(back)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"{SLUG} (back.zip): 1 merged with the workshop's changes (teams/{SLUG}/journey.csv)\n"
    )
    journey = Workbook.load(workshop / "teams" / SLUG)["journey"]
    assert list(journey["description"][:2]) == ["Laptop edit", "Workshop edit"]
    assert Workbook.load(workshop / "teams" / SLUG).problems == []


def test_a_row_changed_on_both_sides_is_refused_then_settled_by_prefer(workshop, tmp_path):
    zipped = pack_team(workshop, SLUG, tmp_path / "night.zip")
    laptop = _unzip(zipped, tmp_path / "laptop")
    _edit_journey(laptop / "teams" / SLUG, "Laptop version")
    back = _zip_folder(laptop, tmp_path / "back.zip")
    _edit_journey(workshop / "teams" / SLUG, "Newer work on the server")  # after the pack
    newer = (workshop / "teams" / SLUG / "journey.csv").read_bytes()
    before = _snapshot(workshop)
    touchpoint = Workbook.load(workshop / "teams" / SLUG)["journey"].loc[0, "touchpoint_id"]

    runner = CliRunner()
    result = runner.invoke(main, ["collect", str(workshop), str(back)], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.output == (
        f"{back}: refused, nothing was written: 1 conflict(s): changed both on the laptop and "
        f"in the workshop since the pack was made:\n"
        f"  teams/{SLUG}/journey.csv, row touchpoint_id={touchpoint}, description: workshop "
        f"'Newer work on the server', laptop 'Laptop version'\n"
        f"What to do: compare the two, then run 'servekit collect {workshop} {back} --prefer "
        f"zip' to keep the laptop's values, or '--prefer workshop' to keep the workshop's (the "
        f"other version is kept in .history/)\n1 of 1 zip(s) refused\n"
    )
    assert _snapshot(workshop) == before

    kept_workshop = collect(workshop, back, prefer="workshop")
    assert (workshop / "teams" / SLUG / "journey.csv").read_bytes() == newer
    ((name, kept_at),) = kept_workshop.conflicts
    assert name == f"teams/{SLUG}/journey.csv" and ".from-back." in kept_at
    assert (workshop / kept_at).read_bytes() == (laptop / name).read_bytes()

    swapped = collect(workshop, back, prefer="zip")
    assert Workbook.load(workshop / "teams" / SLUG)["journey"].loc[0, "description"] == (
        "Laptop version"
    )
    ((name, kept_at),) = swapped.conflicts
    assert (workshop / kept_at).read_bytes() == newer and ".workshop." in kept_at


def _hostile(
    path: Path, entries: list[tuple[str, bytes]], *, slug: str = SLUG, symlink: str | None = None
) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(MANIFEST, json.dumps({"format": 1, "team": slug, "base": {}}))
        archive.writestr(f"teams/{slug}/team.yaml", "name: Night Shift\n")
        for name, data in entries:
            archive.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return path


@pytest.mark.parametrize(
    ("entries", "symlink", "why"),
    [
        ([("../evil.txt", b"x")], None, "'../evil.txt' climbs out with '..'"),
        (
            [(f"teams/{SLUG}/../../../evil.txt", b"x")],
            None,
            f"'teams/{SLUG}/../../../evil.txt' climbs out with '..'",
        ),
        ([("/tmp/servekit-evil.txt", b"x")], None, "'/tmp/servekit-evil.txt' is an absolute path"),
        ([("C:/evil.txt", b"x")], None, "'C:/evil.txt' is an absolute path"),
        (
            [("teams/front-desk/journey.csv", b"x")],
            None,
            "'teams/front-desk/journey.csv' lies outside teams/night-shift/ and notebooks/night-shift/",
        ),
        ([], f"teams/{SLUG}/journey.csv", f"'teams/{SLUG}/journey.csv' is a symbolic link"),
        (
            [(f"teams/{SLUG}/team.yaml", b"name: Someone else\n")],
            None,
            f"'teams/{SLUG}/team.yaml' appears twice",
        ),
    ],
)
@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_zip_slip_is_refused_and_nothing_is_written(workshop, tmp_path, entries, symlink, why):
    bad = _hostile(
        tmp_path / "bad.zip",
        entries + [(f"teams/{SLUG}/journey.csv", b"y")] if not symlink else entries,
        symlink=symlink,
    )
    before = _snapshot(tmp_path)
    runner = CliRunner()
    result = runner.invoke(main, ["collect", str(workshop), str(bad)], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.output == (
        f"{bad}: refused, nothing was written: 1 unsafe entry (expected only files under "
        f"teams/{SLUG}/ and notebooks/{SLUG}/): {why}\n1 of 1 zip(s) refused\n"
    )
    assert _snapshot(tmp_path) == before
    assert not Path("/tmp/servekit-evil.txt").exists()


def test_two_unsafe_entries_are_both_named(workshop, tmp_path):
    bad = _hostile(tmp_path / "bad.zip", [("../a.txt", b"x"), ("/abs.txt", b"y")])
    with pytest.raises(PackError) as caught:
        collect(workshop, bad)
    assert str(caught.value) == (
        f"{bad}: refused, nothing was written: 2 unsafe entries (expected only files under "
        f"teams/{SLUG}/ and notebooks/{SLUG}/): '../a.txt' climbs out with '..'; "
        f"'/abs.txt' is an absolute path"
    )


def test_invalid_team_data_and_bad_zips_are_refused(workshop, tmp_path):
    before = _snapshot(workshop)
    bad_data = _hostile(
        tmp_path / "data.zip",
        [
            (
                f"teams/{SLUG}/journey.csv",
                b"touchpoint_id,stage,order,description,contact,emotion\nT1,Arrival,1,Desk,direct,9\n",
            )
        ],
    )
    with pytest.raises(PackError) as caught:
        collect(workshop, bad_data)
    message = str(caught.value)
    assert message.startswith(
        f"{bad_data}: refused, nothing was written: the team's data has "
        f"errors (fix them on the laptop and zip again):\n  teams/{SLUG}/"
        f"journey.csv:2:emotion: "
    )
    (tmp_path / "junk.zip").write_text("not a zip")
    with pytest.raises(PackError) as caught:
        collect(workshop, tmp_path / "junk.zip")
    assert str(caught.value) == (
        f"{tmp_path / 'junk.zip'}: not a zip file (File is not a zip "
        f"file); expected a zip made by 'servekit pack'"
    )
    with zipfile.ZipFile(tmp_path / "plain.zip", "w") as archive:
        archive.writestr(f"teams/{SLUG}/journey.csv", "x")
    with pytest.raises(PackError) as caught:
        collect(workshop, tmp_path / "plain.zip")
    assert str(caught.value) == (
        f"{tmp_path / 'plain.zip'}: refused, nothing was written: no "
        f"{MANIFEST} in the zip; expected a zip made by 'servekit "
        f"pack' (or its folder zipped again)"
    )
    unknown = _hostile(tmp_path / "ghost.zip", [], slug="ghost")
    with pytest.raises(PackError) as caught:
        collect(workshop, unknown)
    assert str(caught.value) == (
        f"{unknown}: refused, nothing was written: team 'ghost' is "
        f"not in {workshop / 'teams'}; expected one of: front-desk, "
        f"night-shift"
    )
    assert _snapshot(workshop) == before


def test_collect_takes_the_good_zips_and_refuses_the_bad(workshop, tmp_path):
    laptop = _unzip(pack_team(workshop, SLUG, tmp_path / "night.zip"), tmp_path / "laptop")
    _edit_journey(laptop / "teams" / SLUG, "Good work")
    good = _zip_folder(laptop, tmp_path / "good.zip")
    bad = _hostile(tmp_path / "bad.zip", [("../x", b"x")])
    result = CliRunner().invoke(
        main, ["collect", str(workshop), str(bad), str(good)], catch_exceptions=False
    )
    assert result.exit_code == 1
    assert "Good work" in (workshop / "teams" / SLUG / "journey.csv").read_text()
    assert f"{SLUG} (good.zip): 1 updated (teams/{SLUG}/journey.csv)" in result.output


def test_pack_bad_input(workshop, tmp_path):
    runner = CliRunner()
    result = runner.invoke(
        main,
        ["pack", str(workshop), "--team", "ghost", "--out", str(tmp_path / "g.zip")],
        catch_exceptions=False,
    )
    assert result.exit_code == 1
    assert result.output == (
        f"Error: no team 'ghost' in {workshop / 'teams'}; expected one "
        f"of: front-desk, night-shift\n"
    )
    inside = workshop / "teams" / SLUG / "self.zip"
    result = runner.invoke(
        main, ["pack", str(workshop), "--team", SLUG, "--out", str(inside)], catch_exceptions=False
    )
    assert result.output == (
        f"Error: --out {inside} is inside {(workshop / 'teams' / SLUG)}; "
        f"expected a zip outside the team's folders (it would pack "
        f"itself)\n"
    )
    assert not inside.exists()
    shutil.rmtree(workshop / "notebooks")  # a workshop from before team notebooks: still packs
    pack_team(workshop, SLUG, tmp_path / "n.zip")
    with zipfile.ZipFile(tmp_path / "n.zip") as archive:
        assert not [n for n in archive.namelist() if n.startswith("notebooks/")]
