"""The links page (``servekit lab --links``) and the pieces of ``servekit lab`` that need no server.

The page is parsed with the standard library's HTML parser: one card per team, names and URLs
as text (an XSS payload stays text), a QR code per card that encodes exactly that card's URL,
and nothing that would load from the network.
"""

from __future__ import annotations

import re
import socket
import stat
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

import pytest
import segno
from click.testing import CliRunner

from kit.cli import main
from kit.room.lab import LabServer, host_warning, is_loopback, team_links, team_url
from kit.room.links import TeamLink, links_page, write_links
from kit.room.teamnotebooks import write_team_notebooks
from kit.store.workshop import create_workshop

XSS = "<img src=x onerror=alert(1)>"


class _Cards(HTMLParser):
    """Collects each card's heading text, URL text and SVG path, and every tag seen."""

    def __init__(self):
        super().__init__()
        self.cards, self.tags, self._where = [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "section" and attrs.get("class") == "card":
            self.cards.append({"name": "", "url": "", "path": ""})
        elif self.cards and tag == "h2":
            self._where = "name"
        elif self.cards and tag == "div" and attrs.get("class") == "url":
            self._where = "url"
        elif self.cards and tag == "path":
            self.cards[-1]["path"] = attrs.get("d", "")

    def handle_endtag(self, tag):
        if tag in ("h2", "div"):
            self._where = None

    def handle_data(self, data):
        if self._where:
            self.cards[-1][self._where] += data


def _parse(page: str) -> _Cards:
    parser = _Cards()
    parser.feed(page)
    return parser


def _modules(path: str, size: int) -> set[tuple[int, int]]:
    """Dark modules drawn by a segno SVG path (``M x y.5 h n m dx dy h n …``)."""
    dark, x, y = set(), 0.0, 0.0
    for op, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?:\s+(-?[\d.]+))?", path):
        if op == "M":
            x, y = float(a), float(b)
        elif op == "m":
            x, y = x + float(a), y + float(b)
        else:
            for i in range(int(float(a))):
                dark.add((int(y - 0.5) - 4, int(x) + i - 4))  # 4 = the quiet zone
            x += float(a)
    return {(r, c) for r, c in dark if 0 <= r < size and 0 <= c < size}


def test_links_page_cards_escape_and_qr_codes():
    links = [
        TeamLink("a", XSS, "http://127.0.0.1:8888/lab/workspaces/a/tree/x?token=t&x=<b>"),
        TeamLink("b", "Night Shift", "http://127.0.0.1:8888/lab/workspaces/b/tree/y?token=t"),
    ]
    page = links_page("Demo & <i>room</i>", links)
    parsed = _parse(page)
    assert [c["name"] for c in parsed.cards] == [XSS, "Night Shift"]
    assert [c["url"] for c in parsed.cards] == [link.url for link in links]
    assert not any(tag in ("img", "script", "iframe", "link") for tag, _ in parsed.tags)
    assert not any(name.startswith("on") for _, attrs in parsed.tags for name in attrs)
    assert "http" not in " ".join(v or "" for _, a in parsed.tags for v in a.values())
    assert "<title>Team links · Demo &amp; &lt;i&gt;room&lt;/i&gt;</title>" in page
    for card, link in zip(parsed.cards, links, strict=True):
        code = segno.make(link.url, error="m", micro=False)
        expected = {(r, c) for r, row in enumerate(code.matrix) for c, v in enumerate(row) if v}
        assert _modules(card["path"], len(code.matrix)) == expected  # this card's own URL
    assert "@media print" in page and "break-after: page" in page


def test_loopback_links_say_they_work_only_on_this_computer():
    links = [TeamLink("a", "A", "http://127.0.0.1:8888/lab/a?token=t")]
    assert LabServer(".", host="127.0.0.1").local_only == "127.0.0.1"
    assert LabServer(".", host="::1").local_only == "::1"
    page = links_page("W", links, local_only="127.0.0.1")
    banner = re.search(r'<p class="local" role="alert">(.*?)</p>', page).group(1)
    assert banner == (
        "Only on this computer: these links and codes point at 127.0.0.1, which is this machine "
        "itself. A laptop or phone in the room cannot open them. Start the server with "
        "<code>servekit lab --host 0.0.0.0</code> on the room's network (or give "
        "<code>--url-host</code> the name the room uses for this machine), then print this page "
        "again."
    )
    assert (
        '<p class="local">Only on this computer (127.0.0.1): not for phones or other laptops.</p>'
        in page
    )
    assert "Only on this computer" not in links_page("W", links)


def test_write_links_is_private(tmp_path):
    path = write_links(tmp_path, "W", [TeamLink("a", "A", "http://h/a?token=secret")])
    assert path == tmp_path / "links.html"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # it holds the server's token


def test_team_links_go_to_each_teams_own_notebooks(tmp_path):
    ws = create_workshop(tmp_path / "ws", teams=["Front Desk & Friends", "Night Shift"])
    write_team_notebooks(ws.path)
    links = team_links(ws.path, "http://10.0.0.5:8890", "tok/en")
    assert [(link.slug, link.name) for link in links] == [
        ("front-desk-friends", "Front Desk & Friends"),
        ("night-shift", "Night Shift"),
    ]
    for link in links:
        parts = urllib.parse.urlsplit(link.url)
        assert (parts.scheme, parts.netloc) == ("http", "10.0.0.5:8890")
        assert parts.path == (
            f"/lab/workspaces/{link.slug}/tree/notebooks/{link.slug}/01_journey.ipynb"
        )
        assert urllib.parse.parse_qs(parts.query, keep_blank_values=True) == {
            "reset": [""],
            "token": ["tok/en"],
        }
        assert (ws.path / "notebooks" / link.slug / "01_journey.ipynb").is_file()
    assert (
        team_url("http://h:1/", "a", "01_x.ipynb", "t")
        == "http://h:1/lab/workspaces/a/tree/notebooks/a/01_x.ipynb?reset=&token=t"
    )


def test_lab_defaults_are_safe(tmp_path):
    server = LabServer(tmp_path)
    args = server.argv()
    assert "--ServerApp.ip=127.0.0.1" in args
    token = server.env()["JUPYTER_TOKEN"]  # through the environment, never an argument
    assert len(token) >= 32 and token == server.token
    assert [a for a in args if token in a] == []
    assert LabServer(tmp_path).token != token  # a new one each time
    assert "--ServerApp.terminals_enabled=False" in args
    assert "--LabApp.news_url=None" in args
    assert f"--ServerApp.root_dir={tmp_path.resolve()}" in args
    env = server.env()
    config = env["JUPYTER_CONFIG_PATH"].split(":")[0]
    assert (Path(config) / "labconfig" / "page_config.json").read_text() == (
        '{"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": true}}'
    )
    server.cleanup()
    assert [is_loopback(h) for h in ("127.0.0.1", "::1", "localhost", "0.0.0.0", "10.1.2.3")] == [
        True,
        True,
        True,
        False,
        False,
    ]


def test_lab_command_bad_input(tmp_path):
    runner = CliRunner()
    (tmp_path / "plain").mkdir()
    result = runner.invoke(
        main, ["lab", str(tmp_path / "plain"), "--no-browser"], catch_exceptions=False
    )
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {(tmp_path / 'plain').resolve()} is not a workshop folder "
        f"(no workshop.yaml and no teams/ folder); expected a folder made "
        f"by 'servekit new'\n"
    )
    ws = create_workshop(tmp_path / "ws", teams=["A"])
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = runner.invoke(
            main, ["lab", str(ws.path), "--port", str(port), "--no-browser"], catch_exceptions=False
        )
    assert result.exit_code == 1
    assert result.output == (
        f"Error: port {port} on 127.0.0.1 cannot be used (Address already "
        f"in use); expected a free port: choose another with --port\n"
    )


def test_a_host_beyond_loopback_is_warned_about():
    assert host_warning("127.0.0.1") == host_warning("localhost") == ""
    assert host_warning("0.0.0.0") == (
        "warning: --host 0.0.0.0 lets any machine that can reach this one open JupyterLab; "
        "anyone holding a team link (it carries the token) can run code here as this user. "
        "Use it on the room's own network only."
    )
    assert host_warning("192.168.1.20").startswith("warning: --host 192.168.1.20 ")


@pytest.mark.parametrize("host", ["0.0.0.0", "::"])
def test_links_for_a_wildcard_host_name_this_machine(tmp_path, host):
    server = LabServer(tmp_path, host=host, port=8899, token="t")
    netloc = urllib.parse.urlsplit(server.base).netloc
    assert not netloc.startswith(("0.0.0.0", "[::]"))
    assert netloc.endswith(":8899")
    assert server.local_only == ""  # the room can open them: no "only on this computer"
    assert (
        LabServer(tmp_path, host=host, port=8899, token="t", public_host="room.example").base
        == "http://room.example:8899"
    )


def test_lab_serves_the_kits_run_guard_extension(tmp_path):
    """``servekit lab`` gives JupyterLab the kit's prebuilt ``servekit-run-guard`` extension
    (Run All waits for the kernel, issue 26), found by JupyterLab's own discovery."""
    from jupyterlab_server.config import get_federated_extensions

    from kit.room.lab import LAB_EXTENSIONS

    args = LabServer(tmp_path).argv()
    assert f"--LabApp.extra_labextensions_path={LAB_EXTENSIONS}" in args
    found = get_federated_extensions([str(LAB_EXTENSIONS)])
    assert list(found) == ["servekit-run-guard"]
    guard = found["servekit-run-guard"]
    build = guard["jupyterlab"]["_build"]
    assert build == {"load": "static/remoteEntry.js", "extension": "./extension"}
    script = (Path(guard["ext_path"]) / build["load"]).read_text(encoding="utf-8")
    assert "window._JUPYTERLAB[NAME] = {" in script
