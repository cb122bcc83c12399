"""Signals: SIGTERM restores the terminal, Ctrl-C says what was and was not done.

Real processes: ``servekit`` runs in a pseudo-terminal (so rich hides the cursor as on a real
screen) or blocks on a FIFO, and gets a real signal. Waits poll for what the process printed,
with a generous ceiling, and report what they last saw.
"""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kit.store.workshop import create_workshop

SERVEKIT = Path(sys.executable).parent / "servekit"
HIDE, SHOW = b"\x1b[?25l", b"\x1b[?25h"


def _read_until(fd: int, done, ceiling: float = 60.0) -> bytes:
    seen = b""
    deadline = time.monotonic() + ceiling
    while time.monotonic() < deadline and not done(seen):
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # no writer on the other end (yet, or any more): poll again
                chunk = b""
            if not chunk:
                time.sleep(0.1)
                continue
            seen += chunk
    assert done(seen), f"last saw: {seen[-400:]!r}"
    return seen


def _drain(fd: int) -> bytes:
    """What is left to read once the process has exited (its exit hooks print last)."""
    seen = b""
    while select.select([fd], [], [], 0.5)[0]:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the writer is gone and the buffer is empty
            break
        if not chunk:
            break
        seen += chunk
    return seen


def test_sigterm_during_status_watch_gives_the_cursor_back(tmp_path):
    ws = create_workshop(tmp_path / "ws", teams=["Blue"]).path
    main, child = pty.openpty()
    process = subprocess.Popen(
        [str(SERVEKIT), "status", str(ws), "--watch", "--interval", "0.2"],
        stdin=child,
        stdout=child,
        stderr=child,
        env={**os.environ, "TERM": "xterm", "COLUMNS": "100"},
        close_fds=True,
    )
    os.close(child)
    try:
        seen = _read_until(main, lambda s: HIDE in s and b"Blue" in s)
        process.send_signal(signal.SIGTERM)
        seen += _read_until(main, lambda s: SHOW in s)
        assert process.wait(timeout=60) == 143
        assert seen.rfind(SHOW) > seen.rfind(HIDE)
        assert b"Traceback" not in seen
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(main)


def _blocked_on_fifo(wchan: str) -> bool:
    return wchan == "wait_for_partner" or "fifo" in wchan or "pipe" in wchan


def _interrupt_when_blocked_on_a_fifo(
    process: subprocess.Popen, ceiling: float = 120
) -> tuple[bytes, bytes]:
    """Ctrl-C ``process`` once it waits in open() on a FIFO (nobody writes it); its output."""
    try:
        deadline, state = time.monotonic() + ceiling, ""
        while time.monotonic() < deadline:
            state = Path(f"/proc/{process.pid}/wchan").read_text()
            if _blocked_on_fifo(state):
                break
            time.sleep(0.1)
        assert _blocked_on_fifo(state), f"last saw wchan {state!r}"
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return out, err


def test_ctrl_c_says_what_was_and_was_not_done(tmp_path):
    team = create_workshop(tmp_path / "ws", teams=["Blue"]).path / "teams" / "blue"
    fifo = tmp_path / "plan.xlsx"
    os.mkfifo(fifo)  # opening it blocks until a writer comes: the command waits there
    process = subprocess.Popen(
        [str(SERVEKIT), "import-xlsx", str(fifo), str(team)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    _, err = _interrupt_when_blocked_on_a_fifo(process)
    assert process.returncode == 130
    assert err.decode() == (
        "Interrupted: the command stopped before it finished. Every file it saved is whole "
        "(saves are atomic: the old version or the new, never a mix); what it had not reached "
        "is unchanged. Run it again to finish.\n"
    )


def _kernel_files(tmp: Path) -> list[str]:
    """What the report's kernels left in the temp folder (socket folders, connection files),
    and kernels still running from it. (A killed process may also leave ``tempfile``'s
    8-character writability probe, which holds nothing.)"""
    left = sorted(
        p.relative_to(tmp).as_posix()
        for p in tmp.rglob("*")
        if p.name.startswith("sk-kernel-") or p.suffix == ".json"
    )
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                command = (proc / "cmdline").read_bytes()
            except OSError:  # gone meanwhile
                continue
            if b"ipykernel" in command and str(tmp).encode() in command:
                left.append(f"kernel process {proc.name}")
    return left


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stopped_report_leaves_no_kernel_and_no_connection_file(tmp_path, signum):
    """The batch is stopped while its kernels run: the command exits at once (it does not
    finish the batch first), every kernel is gone, and the temp folder holds none of their
    sockets or connection files (each holds the kernel's key)."""
    ws = create_workshop(tmp_path / "ws", teams=["Blue", "Red", "Green"]).path
    tmp, runtime = tmp_path / "tmp", tmp_path / "runtime"
    tmp.mkdir()
    main, child = pty.openpty()
    process = subprocess.Popen(
        [str(SERVEKIT), "report", str(ws), "--jobs", "2"],
        stdin=child,
        stdout=child,
        stderr=child,
        env={
            **os.environ,
            "TERM": "xterm",
            "COLUMNS": "100",
            "TMPDIR": str(tmp),
            "JUPYTER_RUNTIME_DIR": str(runtime),
        },
        close_fds=True,
    )
    os.close(child)
    try:
        deadline, seen = time.monotonic() + 120, []
        while time.monotonic() < deadline:  # a kernel is up: its connection file is written
            seen = sorted(p.name for p in tmp.glob("sk-kernel-*/kernel.json"))
            if seen:
                break
            time.sleep(0.1)
        assert seen, f"no kernel started; the temp folder held {_kernel_files(tmp)}"
        output = _read_until(main, lambda s: HIDE in s)
        process.send_signal(signum)
        assert process.wait(timeout=180) == (143 if signum == signal.SIGTERM else 130)
        output += _read_until(main, lambda s: SHOW in s and s.rfind(SHOW) > s.rfind(HIDE))
        output += _drain(main)
        assert b"Traceback" not in output, output.decode(errors="replace")
        deadline, left = time.monotonic() + 60, []
        while time.monotonic() < deadline:  # the workers end a moment after the command
            left = _kernel_files(tmp)
            if not left:
                break
            time.sleep(0.2)

        assert left == []
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(main)


def test_ctrl_c_in_collect_names_the_zips_collected_and_not(tmp_path):
    """Two zips: the first is collected, the command is stopped while it opens the second
    (a FIFO: opening it blocks). It says which zip was collected and which was not."""
    from kit.room.pack import pack_team
    from kit.room.teamnotebooks import write_team_notebooks

    ws = create_workshop(tmp_path / "ws", teams=["Blue", "Red"], starter=True).path
    write_team_notebooks(ws)
    first = pack_team(ws, "blue", tmp_path / "blue.zip")
    second = tmp_path / "red.zip"
    os.mkfifo(second)
    process = subprocess.Popen(
        [str(SERVEKIT), "collect", str(ws), str(first), str(second)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = _interrupt_when_blocked_on_a_fifo(process)  # the first zip is done
    assert process.returncode == 130
    assert err.decode() == (
        f"Interrupted: collected {first}; not collected: {second} ({second}: its team's files "
        f"were written completely or not at all, as one change). Run the command again for "
        f"the zips not collected.\n"
    )
    assert "blue" in out.decode()
