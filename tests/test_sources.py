"""Sources: the shared *Sources* section (stamped, checked) and no text copied from the seeds.

The copy check reads every text file of the repository (notebooks, markdown, Python, YAML, CSV,
…) and fails on any run of 8 or more words that also appears in a source text of
``../shared/seeds/`` (case, accents, apostrophes, punctuation and spacing ignored). It skips
only when that folder is absent (CI has it).
"""

from __future__ import annotations

import shutil
import subprocess

import nbformat
import pytest
from click.testing import CliRunner
from conftest import ROOT

from kit.cli import main
from kit.resources import exercises_dir, workshops_dir
from kit.room import sources
from kit.room.navigation import MARKER as NAV_MARKER
from kit.room.navigation import check_nav, stamp_nav
from kit.testing import copied_runs, words

SEEDS = ROOT.parent / "shared" / "seeds"
TEXT_SUFFIXES = {
    ".ipynb",
    ".md",
    ".py",
    ".yaml",
    ".yml",
    ".csv",
    ".txt",
    ".toml",
    ".html",
    ".tpl",
    ".j2",
    ".cfg",
    ".ini",
    ".json",
    ".rst",
}
SKIP_DIRS = {
    ".git",
    ".venv",
    "demo",
    "build",
    "test-artifacts",
    ".pytest_cache",
    "node_modules",
    "__pycache__",
    ".ipynb_checkpoints",
}


# --------------------------------------------------------------------------- copied text


def _repo_files():
    """The repository's text files: git's view (tracked and new, not ignored) when available."""
    if (ROOT / ".git").exists() and shutil.which("git"):
        listed = (
            subprocess.run(
                ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                cwd=ROOT,
                capture_output=True,
                check=True,
            )
            .stdout.decode()
            .split("\0")
        )
        paths = [ROOT / p for p in listed if p]
    else:
        paths = [p for p in ROOT.rglob("*") if not SKIP_DIRS & set(p.relative_to(ROOT).parts)]
    return sorted(
        p
        for p in paths
        if p.suffix in TEXT_SUFFIXES
        and p.is_file()
        and not SKIP_DIRS & set(p.relative_to(ROOT).parts)
    )


def _text(path):
    raw = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".ipynb":
        nb = nbformat.reads(raw, as_version=4)
        return "\n".join(c.source for c in nb.cells)
    return raw


def test_no_run_of_eight_words_is_copied_from_a_seed_text():
    if not SEEDS.is_dir():
        pytest.skip(f"the source texts are not here ({SEEDS} is absent); CI has them")
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*")) if p.is_file()]
    assert seeds, f"{SEEDS} holds no source text"
    files = _repo_files()
    assert any(p.suffix == ".ipynb" for p in files) and any(p.suffix == ".csv" for p in files)
    copies = []
    for path in files:
        for phrase in copied_runs(_text(path), seeds):
            copies.append(f"{path.relative_to(ROOT)}: {phrase!r}")
    assert copies == [], "paraphrase these (8+ words copied from ../shared/seeds):\n" + "\n".join(
        copies
    )


def test_the_copy_check_finds_a_copy_hidden_by_case_and_punctuation():
    if not SEEDS.is_dir():
        pytest.skip(f"the source texts are not here ({SEEDS} is absent); CI has them")
    seed = sorted(SEEDS.glob("*"))[0].read_text(encoding="utf-8")
    ten = words(seed)[20:30]
    disguised = "Intro. " + ", ".join(w.upper() for w in ten) + "!"
    assert copied_runs(disguised, [seed]) == [" ".join(ten)]
    assert copied_runs(" ".join(ten[:7]), [seed]) == []  # seven words are fine


# --------------------------------------------------------------------------- the shared section


def test_every_notebook_ends_with_the_shared_sources_section():
    folders = [workshops_dir(), exercises_dir(), exercises_dir() / "solutions"]
    notebooks = [p for f in folders for p in sources.notebooks(f)]
    assert len(notebooks) >= 7 + 16
    assert [p for f in folders for p in sources.check(f)] == []
    text = sources.section()
    for needed in (
        "Sonya Shelton",
        "Executive Leaders Serve Others",
        "Jim Clemmer",
        "Martilla",
        "1977",
        "Bitner, Amy L. Ostrom and Felicitas N. Morgan",
        "2008",
        "Normann",
        "Carlzon",
        "Greenleaf",
    ):
        assert needed in text
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        assert nb.cells[-1].cell_type == "markdown"
        assert nb.cells[-1].source.startswith(sources.MARKER + "\n## Sources"), path


def _notebook(folder, name, *markdown):
    cells = [nbformat.v4.new_markdown_cell(t) for t in markdown]
    cells.append(nbformat.v4.new_code_cell("x = 1"))
    nbformat.write(nbformat.v4.new_notebook(cells=cells), folder / name)
    return folder / name


def test_stamp_is_idempotent_moves_the_section_last_and_keeps_outputs(tmp_path):
    path = _notebook(tmp_path, "a.ipynb", "# A")
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="hello")]
    nbformat.write(nb, path)
    problems = sources.check(tmp_path)
    assert [str(p) for p in problems] == [
        f"{tmp_path.name}/a.ipynb: the Sources section is missing; expected the shared text of "
        f"kit/room/sources.py as the notebook's last cell (run: servekit stamp-sources {tmp_path})"
    ]
    assert sources.stamp(tmp_path) == [path]
    before = path.read_bytes()
    assert sources.stamp(tmp_path) == [] and path.read_bytes() == before
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[1].outputs[0]["text"] == "hello"
    assert nb.cells[-1].source == sources.section()
    # a cell added after the section: reported, then the section moves back to the end
    nb.cells.append(nbformat.v4.new_markdown_cell("late"))
    nbformat.write(nb, path)
    assert "is not the last cell" in sources.check(tmp_path)[0].message
    sources.stamp(tmp_path)
    nb = nbformat.read(path, as_version=4)
    assert [c.source for c in nb.cells][-2:] == ["late", sources.section()]
    # an edited section is out of date and restored
    nb.cells[-1].source += "\n- my own line"
    nbformat.write(nb, path)
    assert "is out of date" in sources.check(tmp_path)[0].message
    sources.stamp(tmp_path)
    assert nbformat.read(path, as_version=4).cells[-1].source == sources.section()


def test_sources_and_navigation_stamps_live_together(tmp_path):
    for name in ("01_a.ipynb", "02_b.ipynb"):
        _notebook(tmp_path, name, f"# {name}", "## Wrap-up")
    stamp_nav(tmp_path)
    sources.stamp(tmp_path)
    assert check_nav(tmp_path) == [] and sources.check(tmp_path) == []
    nb = nbformat.read(tmp_path / "01_a.ipynb", as_version=4)
    assert NAV_MARKER not in nb.cells[1].source  # moved from the wrap-up …
    assert NAV_MARKER in nb.cells[-1].source.splitlines()[-1]  # … to the end of the Sources
    assert stamp_nav(tmp_path) == [] and sources.stamp(tmp_path) == []


def test_cli_checks_and_stamps(tmp_path):
    _notebook(tmp_path, "a.ipynb", "# A")
    runner = CliRunner()
    result = runner.invoke(
        main, ["stamp-sources", "--check", str(tmp_path)], catch_exceptions=False
    )
    assert result.exit_code == 1
    assert f"{tmp_path.name}/a.ipynb: the Sources section is missing" in result.output
    result = runner.invoke(main, ["stamp-sources", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == "1 of 1 notebook(s) changed"
    result = runner.invoke(
        main, ["stamp-sources", "--check", str(tmp_path)], catch_exceptions=False
    )
    assert result.exit_code == 0
    assert result.output == "1 notebook(s): Sources sections up to date\n"
    result = runner.invoke(main, ["stamp-sources", str(tmp_path / "nope")], catch_exceptions=False)
    assert result.exit_code == 2
    assert "does not exist" in result.output


@pytest.mark.slow
def test_team_report_and_synthesis_pages_show_the_sources(tmp_path):
    from kit.report import build_reports
    from kit.store.workshop import create_demo

    ws = create_demo(tmp_path / "ws").path
    summary = build_reports(ws, jobs=2, progress=False, plotlyjs="shared")
    assert summary.exit_code == 0
    pages = [ws / "reports" / "front-desk-friends.html", ws / "reports" / "_synthesis.html"]
    for page in pages:
        html = page.read_text(encoding="utf-8")
        tail = html[html.index(">Sources<") :]
        for needed in ("Sonya Shelton", "Jim Clemmer", "Martilla", "Bitner", "Normann", "Carlzon"):
            assert needed in tail, (page.name, needed)
        assert "servekit:sources" not in _visible(html)  # the marker stays invisible


def _visible(html):
    import re

    return re.sub(r"<!--.*?-->", "", html, flags=re.S)
