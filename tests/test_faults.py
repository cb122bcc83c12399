"""Fault injection: files a user can produce and faults a machine can throw cost no edit.

Every case runs the real command (click's runner, ``catch_exceptions=False``) and asserts the
exact message, exit status 1, and a workshop byte-identical to before — or, where the change was
accepted, a team that validates. Zips are built by the real ``pack`` and edited as a laptop
would (PowerShell's backslashes, a top folder), or written by hand with :mod:`zipfile` when the
zip is hostile.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from kit.cli import main
from kit.room import collect as collect_module
from kit.room.pack import MANIFEST, pack_team
from kit.room.teamnotebooks import write_team_notebooks
from kit.store.validation import FILES
from kit.store.workbook import Workbook
from kit.store.workshop import create_workshop

SLUG = "front-desk"


def new_workshop(path, **options):
    """A workshop as 'servekit new' leaves it: the teams' folders and their notebooks."""
    workshop = create_workshop(path, **options)
    write_team_notebooks(workshop.path)
    return workshop


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


@pytest.fixture
def workshop(tmp_path):
    return new_workshop(tmp_path / "ws", teams=["Front Desk"], starter=True).path


def _run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _laptop_zip(workshop: Path, tmp_path: Path, *, sep: str = "/", top: str = "") -> Path:
    """Pack, edit plan.csv and roles.csv on the "laptop", zip again with ``sep`` separators."""
    packed = pack_team(workshop, SLUG, tmp_path / "packed.zip")
    out = tmp_path / "back.zip"
    with zipfile.ZipFile(packed) as old, zipfile.ZipFile(out, "w") as new:
        for name in old.namelist():
            data = old.read(name)
            if name == f"teams/{SLUG}/roles.csv":
                data = data.replace(b"Hotel guest", b"Hotel guest (laptop)", 1)
            new.writestr(top + name.replace("/", sep), data)
    return out


@pytest.mark.parametrize("top", ["", "laptop\\"])
def test_powershell_backslash_zip_is_collected(workshop, tmp_path, top):
    back = _laptop_zip(workshop, tmp_path, sep="\\", top=top)
    result = _run("collect", workshop, back)
    assert result.exit_code == 0, result.output
    assert result.output == f"{SLUG} (back.zip): 1 updated (teams/{SLUG}/roles.csv)\n"
    assert b"Hotel guest (laptop)" in (workshop / "teams" / SLUG / "roles.csv").read_bytes()
    assert Workbook.load(workshop / "teams" / SLUG).problems == []


def _hand_zip(path: Path, entries: dict[str, bytes], manifest: dict | None = None) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, json.dumps(manifest or {"format": 2, "team": SLUG}))
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def _refused(workshop: Path, zipped: Path, why: str) -> None:
    before = _snapshot(workshop.parent)
    result = _run("collect", workshop, zipped)
    assert result.exit_code == 1
    assert result.output == (
        f"{zipped}: refused, nothing was written: {why}\n1 of 1 zip(s) refused\n"
    )
    assert _snapshot(workshop.parent) == before


def test_a_zip_bomb_is_refused_from_its_directory(workshop, tmp_path):
    bomb = _hand_zip(tmp_path / "bomb.zip", {f"teams/{SLUG}/journey.csv": b"\0" * 30_000_000})
    size = zipfile.ZipFile(bomb).getinfo(f"teams/{SLUG}/journey.csv").file_size
    assert size == 30_000_000
    _refused(
        workshop,
        bomb,
        f"'teams/{SLUG}/journey.csv' would inflate to 30000000 bytes; expected at most "
        f"20000000 per file",
    )


def test_a_highly_compressed_entry_is_refused(workshop, tmp_path):
    bomb = _hand_zip(tmp_path / "bomb.zip", {f"notebooks/{SLUG}/x.ipynb": b"\0" * 5_000_000})
    info = zipfile.ZipFile(bomb).getinfo(f"notebooks/{SLUG}/x.ipynb")
    ratio = info.file_size / info.compress_size
    _refused(
        workshop,
        bomb,
        f"'notebooks/{SLUG}/x.ipynb' is compressed {ratio:.0f} times ({info.compress_size} "
        f"bytes to 5000000); expected at most 100 times (a zip bomb?)",
    )


def test_too_many_entries_and_too_many_bytes_are_refused(workshop, tmp_path, monkeypatch):
    many = _hand_zip(
        tmp_path / "many.zip", {f"notebooks/{SLUG}/n{i}.txt": b"x" for i in range(2001)}
    )
    _refused(
        workshop,
        many,
        "the zip holds 2002 entries; expected at most 2000 (a team's pack holds a few dozen)",
    )
    monkeypatch.setattr(collect_module, "MAX_TOTAL_BYTES", 1000)
    big = _hand_zip(tmp_path / "big.zip", {f"notebooks/{SLUG}/n.txt": os.urandom(1200)})
    total = sum(i.file_size for i in zipfile.ZipFile(big).infolist())
    _refused(workshop, big, f"the zip would inflate to {total} bytes; expected at most 1000 in all")


def test_hostile_names_are_refused_and_shown_escaped(workshop, tmp_path):
    long_name = "n" * 300
    entries = {
        f"notebooks/{SLUG}/{long_name}.ipynb": b"{}",
        "\x1b[2J\u202eevil.txt": b"x",
        f"notebooks/{SLUG}/Notes.txt": b"a",
        f"notebooks/{SLUG}/notes.txt": b"b",
        f"notebooks/{SLUG}/Cafe\u0301.txt": b"c",
        f"notebooks/{SLUG}/Caf\u00e9.txt": b"d",
        f"teams/{SLUG}/notes.txt": b"e",
    }
    zipped = _hand_zip(tmp_path / "names.zip", entries)
    shown_long = f"notebooks/{SLUG}/{long_name}.ipynb"
    _refused(
        workshop,
        zipped,
        f"5 unsafe entries (expected only files under teams/{SLUG}/ and notebooks/{SLUG}/): "
        f"'{shown_long[:120]}… ({len(shown_long)} characters in all)' has a name of 306 "
        f"characters; expected at most 255; "
        f"'\\x1b[2J\\u202eevil.txt' lies outside teams/{SLUG}/ and notebooks/{SLUG}/; "
        f"'notebooks/{SLUG}/Notes.txt' and 'notebooks/{SLUG}/notes.txt' name the same file by "
        f"case; 'notebooks/{SLUG}/Cafe\u0301.txt' and 'notebooks/{SLUG}/Caf\u00e9.txt' name the "
        f"same file once Unicode is normalised; "
        f"'teams/{SLUG}/notes.txt' is not a team file; expected only {', '.join(FILES)} in "
        f"teams/{SLUG}/",
    )


def test_a_zip_from_another_workshop_or_a_newer_kit_is_refused(workshop, tmp_path):
    other = new_workshop(tmp_path / "other", teams=["Front Desk"], title="Room B").path
    zipped = pack_team(other, SLUG, tmp_path / "other.zip")
    _refused(
        workshop,
        zipped,
        f"it was packed from workshop 'Room B' of {_info(other, 'date')!r}, but {workshop} is workshop "
        f"{_info(workshop, 'title')!r} of {_info(workshop, 'date')!r}; expected a zip packed from "
        f"this workshop",
    )
    newer = _hand_zip(tmp_path / "newer.zip", {}, {"format": 9, "team": SLUG})
    _refused(
        workshop,
        newer,
        f"{MANIFEST} has format 9; this servekit reads formats 1, 2; expected a zip packed by "
        f"this version of servekit (update servekit on this machine, or pack again)",
    )


def _info(folder: Path, key: str) -> str:
    from kit.store.workshop import Workshop

    return str(Workshop(folder).info[key])


def test_a_merge_that_would_break_the_team_is_refused(workshop, tmp_path):
    """The laptop uses a role the workshop deleted since: each file is fine, the team is not."""
    team = workshop / "teams" / SLUG
    wb = Workbook.load(team)
    spare = {"role_id": "spare", "name": "Spare", "level": "support"}
    roles = wb["roles"]
    wb["roles"] = pd.concat([roles, pd.DataFrame([spare])], ignore_index=True)
    wb.save()
    packed = pack_team(workshop, SLUG, tmp_path / "packed.zip")
    wb = Workbook.load(team)
    wb["roles"] = roles
    wb.save()  # deleted in the workshop after the pack
    laptop = tmp_path / "laptop.zip"
    with zipfile.ZipFile(packed) as old, zipfile.ZipFile(laptop, "w") as new:
        for name in old.namelist():
            data = old.read(name)
            if name.endswith("serves.csv"):
                data = data + b"spare,guest\n"  # used on the laptop
            new.writestr(name, data)
    before = _snapshot(workshop)
    result = _run("collect", workshop, laptop)
    assert result.exit_code == 1
    rows = len(Workbook.load(team)["serves"]) + 2
    assert result.output.startswith(
        f"{laptop}: refused, nothing was written: with the workshop's changes since the pack, "
        f"the team would have errors (fix them in the workshop or on the laptop, then collect "
        f"again):\n  teams/{SLUG}/serves.csv:{rows}:from_role: 'spare' is not a role_id in "
        f"roles.csv; expected one of: "
    )
    assert _snapshot(workshop) == before


def test_links_are_never_followed_on_either_side(workshop, tmp_path):
    team = workshop / "teams" / SLUG
    secret = tmp_path / "secret.csv"
    secret.write_text("not the team's\n")
    journey = team / "journey.csv"
    journey.unlink()
    journey.symlink_to(secret)
    result = _run("pack", workshop, "--team", SLUG, "--out", tmp_path / "p.zip")
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {journey}: refused, nothing was written: a symbolic link; expected the file "
        f"or folder itself (links are never followed)\n"
    )
    assert not (tmp_path / "p.zip").exists()
    journey.unlink()
    journey.write_text("touchpoint_id,stage,order,description,contact,emotion\n")
    zipped = pack_team(workshop, SLUG, tmp_path / "p.zip")
    notebooks = workshop / "notebooks" / SLUG
    elsewhere = tmp_path / "elsewhere"
    notebooks.rename(elsewhere)
    notebooks.symlink_to(elsewhere)
    before = _snapshot(tmp_path)
    result = _run("collect", workshop, zipped)
    assert result.exit_code == 1
    assert result.output == (
        f"{notebooks}: refused, nothing was written: a symbolic link; expected a real folder "
        f"(links are never followed)\n1 of 1 zip(s) refused\n"
    )
    assert _snapshot(tmp_path) == before


# --------------------------------------------------------------------------- the machine's faults
@pytest.fixture
def disk(tmp_path):
    """Make small tmpfs disks of their own (root only); each is unmounted after the test."""
    mounts: list[Path] = []

    def make(size: str = "4m") -> Path:
        point = tmp_path / f"disk{len(mounts)}"
        point.mkdir()
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(point)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
        mounts.append(point)
        return point

    yield make
    for point in reversed(mounts):
        subprocess.run(["umount", "-l", str(point)], check=False)


def _fill(point: Path) -> None:
    """Fill the disk to the last byte."""
    with open(point / "filler", "wb") as handle:
        chunk = b"\0" * 65536
        try:
            while True:
                handle.write(chunk)
                handle.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
        with contextlib.suppress(OSError):
            handle.close()
    with contextlib.suppress(OSError), open(point / "filler", "ab") as handle:
        while True:
            handle.write(b"\0")
            handle.flush()


def _data(folder: Path) -> dict[str, bytes]:
    """Every file but the (empty) lock files the lock leaves behind."""
    return {k: v for k, v in _snapshot(folder).items() if not k.endswith(".lock")}


FULL = (
    "the disk is full (No space left on device); free some space on that disk, then run the "
    "command again (files are saved whole or not at all)"
)


def test_a_full_disk_stops_collect_with_one_line_and_the_team_intact(disk, tmp_path):
    point = disk("4m")
    workshop = new_workshop(point / "ws", teams=["Front Desk"], starter=True).path
    back = _laptop_zip(workshop, tmp_path)
    _fill(point)
    before = _data(workshop)
    result = _run("collect", workshop, back)
    assert result.exit_code == 1
    assert result.output == f"Error: {workshop / 'teams' / SLUG}: {FULL}\n"
    assert _data(workshop) == before
    (point / "filler").unlink()
    result = _run("collect", workshop, back)  # space again: the same zip goes in
    assert result.exit_code == 0, result.output
    assert Workbook.load(workshop / "teams" / SLUG).problems == []


def test_a_full_disk_stops_pack_calendar_and_export_with_one_line(disk, workshop, tmp_path):
    point = disk("1m")
    _fill(point)
    team = workshop / "teams" / SLUG
    for args, out in (
        (["pack", workshop, "--team", SLUG, "--out"], point / "p.zip"),
        (["calendar", workshop, "--out"], point / "plan.ics"),
        (["export-xlsx", team], point / "t.xlsx"),
    ):
        result = _run(*args, out)
        assert result.exit_code == 1, result.output
        assert result.output == f"Error: {out}: {FULL}\n"
        assert sorted(p.name for p in point.iterdir()) == ["filler"]


def test_a_read_only_disk_stops_collect_with_one_line(disk, tmp_path):
    point = disk("4m")
    workshop = new_workshop(point / "ws", teams=["Front Desk"], starter=True).path
    back = _laptop_zip(workshop, tmp_path)
    before = _data(workshop)
    subprocess.run(["mount", "-o", "remount,ro", str(point)], check=True)
    result = _run("collect", workshop, back)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {workshop / 'teams' / SLUG / '.lock'}: the disk is read-only (Read-only file "
        f"system); work on a copy of the workshop on a writable disk, or remount it writable\n"
    )
    assert _data(workshop) == before


def test_import_orgchart_force_goes_through_the_safe_save(workshop, tmp_path):
    team = workshop / "teams" / SLUG
    header_only = tmp_path / "hr.csv"
    header_only.write_text("id,title,reports_to\n")
    before = _data(workshop)
    result = _run("import-orgchart", header_only, "--out", team, "--force")
    assert result.exit_code == 1
    errors_shown = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert errors_shown[0] == (
        f"error: {team}/journey.csv:2:role_id: "
        f"'{Workbook.load(team)['journey'].loc[0, 'role_id']}' is not a role_id in roles.csv; "
        f"expected one of: (none yet)"
    )
    assert result.output.splitlines()[-1] == f"{len(errors_shown)} error(s): nothing was written"
    assert _data(workshop) == before

    fresh = new_workshop(tmp_path / "fresh", teams=["Blue"]).path / "teams" / "blue"
    chart = tmp_path / "chart.csv"
    chart.write_text("id,title,reports_to\nceo,CEO,\ndesk,Desk,ceo\n")
    assert _run("import-orgchart", chart, "--out", fresh).exit_code == 0
    first = (fresh / "roles.csv").read_bytes()
    chart.write_text("id,title,reports_to\nceo,Chief,\ndesk,Desk,ceo\n")
    result = _run("import-orgchart", chart, "--out", fresh, "--force")
    assert result.exit_code == 0, result.output
    assert [p.read_bytes() for p in (fresh / ".history").glob("*.roles.csv")] == [first]
    assert Workbook.load(fresh).problems == []


# --------------------------------------------------------------------------- dates and the calendar
def _plan(workshop: Path, dues: dict[str, str]) -> Path:
    """Write plan.csv by hand (as a text editor would): one action per (id, due date)."""
    wb = Workbook.load(workshop / "teams" / SLUG)
    touchpoint = wb["journey"].loc[0, "touchpoint_id"]
    owner = wb["roles"].loc[1, "role_id"]
    lines = ["action_id,touchpoint_id,kind,action,owner_role,due"]
    lines += [
        f"{aid},{touchpoint},do,Act {n},{owner},{due}" for n, (aid, due) in enumerate(dues.items())
    ]
    plan = workshop / "teams" / SLUG / "plan.csv"
    plan.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return plan


def test_a_year_past_2100_is_refused_and_the_calendar_never_overflows(workshop, tmp_path):
    _plan(workshop, {"A1": "9999-12-31", "A2": "2026-12-01"})
    result = _run("validate", workshop)
    assert result.exit_code == 1
    assert (
        f"teams/{SLUG}/plan.csv:2:due: got '9999-12-31'; the year 9999 is past 2100; expected "
        f"a date written YYYY-MM-DD up to 2100-12-31 (a typo in the year?)"
    ) in result.output.splitlines()
    out = tmp_path / "plan.ics"
    result = _run("calendar", workshop, "--out", out)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].startswith(f"Wrote {out}: 1 due date(s) and ")


def test_a_year_typo_is_warned_and_check_ins_are_capped(workshop, tmp_path):
    import time

    from kit.store.workshop import Workshop

    day = Workshop(workshop).info["date"]
    _plan(workshop, {"A1": "2062-04-01", "A2": "2027-01-01"})
    result = _run("validate", workshop)
    assert result.exit_code == 0, result.output
    years = 2062 - dt.date.fromisoformat(str(day)).year
    assert (
        f"teams/{SLUG}/plan.csv:2:due: warning: 2062-04-01 is {years} years after the workshop "
        f"({day}); expected a due date within 3 years (a typo in the year?)"
    ) in result.output.splitlines()
    out = tmp_path / "plan.ics"
    started = time.perf_counter()
    result = _run("calendar", workshop, "--out", out)
    assert time.perf_counter() - started < 30
    assert result.exit_code == 0, result.output
    assert f"Wrote {out}: 2 due date(s) and 12 check-in(s)." in result.output
    assert (
        f"{SLUG}: warning: the last due date, 2062-04-01, is more than 12 check-ins away; "
        f"check-ins stop at "
    ) in result.output


def test_calendar_uids_are_unique_for_look_alike_action_ids(workshop, tmp_path):
    _plan(
        workshop, {"Aé": "2026-12-01", "Aè": "2026-12-02", "A 3": "2026-12-03", "A_3": "2026-12-04"}
    )
    out = tmp_path / "plan.ics"
    assert _run("calendar", workshop, "--out", out).exit_code == 0
    import icalendar

    events = icalendar.Calendar.from_ical(out.read_bytes()).walk("VEVENT")
    due = [str(e["UID"]) for e in events if str(e["SUMMARY"]).startswith("Due:")]
    assert len(due) == len(set(due)) == 4


# --------------------------------------------------------------------------- text
def test_one_name_rule_at_input_and_in_validation(tmp_path):
    result = _run("new", tmp_path / "ws", "--team", "Night\x1b[2J")
    assert result.exit_code == 1
    assert result.output == (
        "Error: team name 'Night\\x1b[2J' is refused: it contains control characters; expected "
        "plain text\n"
    )
    assert not (tmp_path / "ws").exists() or not list((tmp_path / "ws").rglob("team.yaml"))
    team = new_workshop(tmp_path / "w2", teams=["Blue"]).path / "teams" / "blue"
    chart = tmp_path / "chart.csv"
    chart.write_text("id,title,reports_to\nceo,CEO,\ndesk,De\x1b[31msk,ceo\n")
    before = _data(team)
    result = _run("import-orgchart", chart, "--out", team)
    assert result.exit_code == 1
    shown = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert shown == [
        f"error: {team}/roles.csv:4:name: got 'De\\x1b[31msk'; it contains control characters; "
        f"expected plain text"
    ]
    assert _data(team) == before


def test_bidi_controls_are_escaped_on_the_terminal(workshop):
    roles = workshop / "teams" / SLUG / "roles.csv"
    roles.write_text(roles.read_text() + "rlo,Hotel \u202eguest,ki\u202eng\n")
    result = _run("validate", workshop)
    assert result.exit_code == 1
    assert "\u202e" not in result.output
    assert (
        f"teams/{SLUG}/roles.csv:{len(roles.read_text().splitlines())}:level: got "
        f"'ki\\u202eng'; expected one of: customer, frontline, support, manager, executive"
    ) in result.output.splitlines()


def test_teams_sort_naturally(tmp_path):
    from kit.store.workshop import Workshop

    ws = new_workshop(tmp_path / "ws", teams=["Team 10", "Team 2", "Team 1", "Team 100"])
    assert [t.slug for t in Workshop(ws.path).teams()] == [
        "team-1",
        "team-2",
        "team-10",
        "team-100",
    ]


def test_decimal_commas_in_a_semicolon_file_are_read_with_a_warning(workshop):
    roles = workshop / "teams" / SLUG / "roles.csv"
    text = roles.read_text().replace(",", ";")
    lines = text.splitlines()
    cells = lines[2].split(";")
    cells[3] = "2,5"  # headcount, as a French or German spreadsheet writes it
    lines[2] = ";".join(cells)
    roles.write_text("\n".join(lines) + "\n")
    result = _run("validate", workshop)
    assert result.exit_code == 0, result.output
    assert (
        f"teams/{SLUG}/roles.csv:3:headcount: warning: read '2,5' as 2.5 (a decimal comma)"
        in result.output.splitlines()
    )
    assert Workbook.load(workshop / "teams" / SLUG)["roles"].loc[1, "headcount"] == 2.5


def test_a_full_disk_stops_notebooks_with_one_line_naming_the_file(disk):
    point = disk("3m")
    ws = new_workshop(point / "ws", teams=["Blue"]).path
    shutil.rmtree(ws / "notebooks")
    _fill(point)
    result = _run("notebooks", ws)
    assert result.exit_code == 1
    from kit.room.teamnotebooks import participant_notebooks

    first = participant_notebooks()[0].name
    assert result.output == f"Error: {ws / 'notebooks' / 'blue' / first}: {FULL}\n"
    assert not list((ws / "notebooks").rglob("*.ipynb"))


def test_a_name_too_long_for_the_disk_is_named_as_asked(workshop, tmp_path):
    for args, suffix in (
        (["pack", workshop, "--team", SLUG, "--out"], ".zip"),
        (["calendar", workshop, "--out"], ".ics"),
    ):
        out = tmp_path / ("n" * 300 + suffix)
        result = _run(*args, out)
        assert result.exit_code == 1
        shown = f"{out}"[:120] + f"… ({len(str(out))} characters in all)"
        assert result.output == (
            f"Error: {shown}: the name is too long for this disk (File name too long); use a "
            f"shorter file or folder name\n"
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ws"]
