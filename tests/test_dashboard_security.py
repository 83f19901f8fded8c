"""The dashboard serves only its user, without a browser: the request guard, the start-up
checks, the server-side form checks, safe file reading and broken result folders.

The Chromium tests (tests/test_dashboard_browser.py) drive the same defences through a
real page; these pin each rule down quickly.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil

import pytest

from sim import paths
from sim.dashboard import __main__ as launcher
from sim.dashboard import data, files, guard, jobs, run_settings
from sim.dashboard.figures import ZOOM_NOTE, fan_figure
from sim.dashboard.settings import MAX_MEMBERS, MAX_WEEKS, SCENARIOS_ENV

TOKEN = "s3cret-token"
PORT = 8765


async def _ok_app(scope, receive, send):
    if scope["type"] == "websocket":
        await send({"type": "websocket.accept"})
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


def _call(kind="http", host=f"127.0.0.1:{PORT}", origin=None, query="", cookie=None,
          extra=()):
    """Send one request through LocalOnly; return the messages the server sent."""
    headers = [(b"host", host.encode())] if host is not None else []
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    if cookie is not None:
        headers.append((b"cookie", cookie.encode()))
    headers += list(extra)
    scope = {"type": kind, "path": "/", "query_string": query.encode(), "headers": headers}
    sent = []

    async def receive():
        return {"type": "websocket.connect"} if kind == "websocket" else {"type": "http.request"}

    async def send(message):
        sent.append(message)

    asyncio.run(guard.LocalOnly(_ok_app, TOKEN, PORT)(scope, receive, send))
    return sent


def _status(sent):
    first = sent[0]
    if first["type"] == "websocket.close":
        return 403  # closed before accepting: the server answers the handshake with 403
    if first["type"] == "websocket.accept":
        return 101
    return first["status"]


def test_guard_needs_the_token():
    assert _status(_call()) == 403
    assert _status(_call(query="token=wrong")) == 403
    sent = _call(query=f"token={TOKEN}")
    assert _status(sent) == 200
    cookie = dict(sent[0]["headers"])[b"set-cookie"].decode()
    assert cookie.startswith(f"{guard.cookie_name(PORT)}={TOKEN};")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert _status(_call(cookie=f"{guard.cookie_name(PORT)}={TOKEN}")) == 200
    # Another port's cookie does not open this one.
    assert _status(_call(cookie=f"{guard.cookie_name(PORT + 1)}={TOKEN}")) == 403
    assert _status(_call(cookie='bad"cookie; =;;')) == 403


@pytest.mark.parametrize("host", ["evil.example:8765", "127.0.0.1:9999", "192.168.1.5:8765",
                                  "localhost.evil.example:8765", "", None])
def test_guard_refuses_foreign_hosts(host):
    # DNS rebinding: a foreign name resolving to 127.0.0.1 sends its own Host header.
    assert _status(_call(host=host, query=f"token={TOKEN}")) == 403


@pytest.mark.parametrize("host", ["127.0.0.1:8765", "localhost:8765", "[::1]:8765"])
def test_guard_accepts_loopback_hosts(host):
    assert _status(_call(host=host, query=f"token={TOKEN}")) == 200


@pytest.mark.parametrize("origin", ["http://127.0.0.1:9999", "http://evil.example",
                                    "null", "https://127.0.0.1:8765", "http://localhost"])
def test_guard_refuses_foreign_origins(origin):
    cookie = f"{guard.cookie_name(PORT)}={TOKEN}"
    assert _status(_call(origin=origin, cookie=cookie)) == 403
    assert _status(_call("websocket", origin=origin, cookie=cookie)) == 403


def test_guard_on_websockets():
    cookie = f"{guard.cookie_name(PORT)}={TOKEN}"
    assert _status(_call("websocket", origin=f"http://127.0.0.1:{PORT}", cookie=cookie)) == 101
    assert _status(_call("websocket", origin=f"http://127.0.0.1:{PORT}")) == 403  # no token
    assert _status(_call("websocket", host="evil.example:8765", cookie=cookie)) == 403


@pytest.mark.parametrize("site, mode, dest, status", [
    ("same-site", "cors", "empty", 403),        # fetch() from a page on another local port
    ("same-site", "no-cors", "empty", 403),     # the same without CORS (sends no Origin)
    ("same-site", "navigate", "iframe", 403),   # the dashboard framed by another page
    ("cross-site", "navigate", "iframe", 403),
    ("cross-site", "navigate", "document", 200),  # a link to the printed URL
    ("none", "navigate", "document", 200),      # the URL typed or pasted
    ("same-origin", "cors", "empty", 200),      # the dashboard's own requests
])
def test_guard_refuses_requests_of_other_sites(site, mode, dest, status):
    sent = _call(query=f"token={TOKEN}", extra=[(b"sec-fetch-site", site.encode()),
                                                (b"sec-fetch-mode", mode.encode()),
                                                (b"sec-fetch-dest", dest.encode())])
    assert _status(sent) == status
    if status == 200:
        headers = dict(sent[0]["headers"])
        assert headers[b"content-security-policy"] == b"frame-ancestors 'self'"


def test_guard_refuses_repeated_host():
    sent = _call(query=f"token={TOKEN}", extra=[(b"host", b"evil.example:8765")])
    assert _status(sent) == 403


def test_launcher_prints_the_token_url_and_refuses_remote_hosts(monkeypatch, capsys):
    started = {}
    monkeypatch.setattr(os, "execve", lambda *args: started.setdefault("args", args))
    assert launcher.main(["--host", "0.0.0.0", "--port", "8111"]) == 2
    assert "not a loopback address" in capsys.readouterr().err and not started
    assert launcher.main(["--port", "8111"]) == 0
    out = capsys.readouterr().out
    command, env = started["args"][1], started["args"][2]
    token = env[guard.TOKEN_ENV]
    assert len(token) >= 40
    assert f"http://127.0.0.1:8111/?token={token}" in out
    assert token not in " ".join(command)  # not visible in the process list


def test_serve_refuses_without_token_or_remote_host(monkeypatch):
    from sim.dashboard import serve

    monkeypatch.delenv(guard.TOKEN_ENV, raising=False)
    assert serve.main(["--host", "127.0.0.1", "--port", "8111"]) == 2
    monkeypatch.setenv(guard.TOKEN_ENV, TOKEN)
    assert serve.main(["--host", "0.0.0.0", "--port", "8111"]) == 2


# ------------------------------------------------------------------- server-side caps


@pytest.fixture()
def scenario_path(tmp_path, monkeypatch):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    shutil.copy(paths.SCENARIOS_DIR / "status_quo.yaml", folder)
    monkeypatch.setenv(SCENARIOS_ENV, str(folder))
    return str(folder / "status_quo.yaml")


@pytest.mark.parametrize("change, expected", [
    ({"members": 20_000}, "members must be a whole number from 1 to 5,000"),
    ({"members": 0}, "members"), ({"members": True}, "members"),
    ({"members": 10.5}, "members"), ({"weeks": MAX_WEEKS + 1}, "weeks"),
    ({"weeks": -3}, "weeks"), ({"seed": -1}, "seed"), ({"seed": 2**64}, "seed"),
    ({"parameters": (("patron_support_gain", 99.0),)}, "patron_support_gain"),
    ({"parameters": (("no_such", 1.0),)}, "unknown parameter"),
    ({"parameters": (("patron_support_gain", float("nan")),)}, "patron_support_gain"),
    ({"scenario": "/etc/passwd"}, "scenarios folder"),
    ({"scenario": str(paths.SCENARIOS_DIR / "incapacity.yaml")}, "scenarios folder"),
])
def test_server_refuses_form_values(scenario_path, monkeypatch, change, expected):
    def must_not_run(_request):
        raise AssertionError("a refused form must not start a run")

    monkeypatch.setattr(jobs, "run_scenario", must_not_run)
    form = jobs.RunForm(**{"scenario": scenario_path, "members": 50, "weeks": 10, **change})
    assert any(expected in p for p in jobs.check_form(form)), jobs.check_form(form)
    with pytest.raises(jobs.JobFailed, match="refused"):
        jobs.run_form(form)


def test_server_accepts_a_good_form(scenario_path):
    form = jobs.RunForm(scenario_path, MAX_MEMBERS, MAX_WEEKS, seed=0,
                        parameters=(("patron_support_gain", 1.0),))
    assert jobs.check_form(form) == []


# ---------------------------------------------------------- files, links, broken folders


@pytest.fixture(scope="module")
def good_run(tmp_path_factory):
    """One small real run folder (20 members, 4 weeks), copied by the tests."""
    from sim import api

    root = tmp_path_factory.mktemp("dashsec") / "results"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(paths, "RESULTS_DIR", root)
        api.run("status_quo", members=20, weeks=4)
    return root / "status_quo__members-20_weeks-4"


@pytest.fixture()
def run_copy(good_run, results_dir):
    folder = results_dir / good_run.name
    shutil.copytree(good_run, folder)
    return folder


def test_good_run_lists_and_loads(run_copy, results_dir):
    (entry,) = data.list_runs(results_dir)
    assert entry.problem == "" and entry.members == 20 and entry.weeks == 4
    assert len(data.load_run(run_copy).outcomes)


def test_links_are_not_served(run_copy, results_dir, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("private")
    (run_copy / "report.html").unlink(missing_ok=True)
    (run_copy / "report.html").symlink_to(secret)
    assert files.result_file(run_copy, "report.html") is None
    with pytest.raises(files.UnsafeFile):
        files.read_result_file(run_copy, "report.html")
    assert files.result_file(run_copy, "../../secret.txt") is None
    assert files.result_file(run_copy, "outcomes.csv") is not None
    # A hard link to a file elsewhere is refused too.
    (run_copy / "events.csv").unlink()
    os.link(secret, run_copy / "events.csv")
    assert files.result_file(run_copy, "events.csv") is None
    # A folder linked into results/ is not inside it.
    linked = results_dir / "linked"
    linked.symlink_to(tmp_path, target_is_directory=True)
    assert not files.inside_results(linked)
    assert files.result_file(linked, "secret.txt") is None
    (entry,) = data.list_runs(results_dir)  # the linked folder is not listed
    assert "not followed" in entry.problem


def test_fifo_does_not_hang(run_copy):
    (run_copy / "outcomes.csv").unlink()
    os.mkfifo(run_copy / "outcomes.csv")
    assert files.result_file(run_copy, "outcomes.csv") is None
    with pytest.raises(files.UnsafeFile):
        files.read_regular(run_copy / "outcomes.csv")


def test_scenario_file_outside_the_scenarios_folder_is_not_served(tmp_path, scenario_path):
    outside = tmp_path / "private.yaml"
    outside.write_text("name: private\n")
    manifest = {"scenario": "x", "scenario_file": str(outside)}
    assert data.scenario_file(manifest) is None
    assert "private" not in data.scenario_yaml(manifest).split("\n", 1)[1]
    assert data.scenario_description(manifest) == ""
    assert data.scenario_file({"scenario_file": scenario_path}) is not None
    assert data.scenario_file({"scenario_file": "/etc/passwd"}) is None
    assert data.scenario_file({"scenario_file": ["x"]}) is None


def _break(folder, how):
    if how == "truncated outcomes.csv":
        text = (folder / "outcomes.csv").read_text()
        (folder / "outcomes.csv").write_text(text[: len(text) // 2])
    elif how == "empty timeseries.csv":
        (folder / "timeseries.csv").write_text("")
    elif how == "manifest is a list":
        (folder / "manifest.json").write_text("[1, 2]")
    elif how == "manifest truncated":
        (folder / "manifest.json").write_text('{"scenario": "status_quo", "memb')
    elif how == "members is text":
        manifest = json.loads((folder / "manifest.json").read_text())
        (folder / "manifest.json").write_text(json.dumps({**manifest, "members": "many"}))
    elif how == "missing events.csv":
        (folder / "events.csv").unlink()
    elif how == "not UTF-8":
        (folder / "outcomes.csv").write_bytes(b"\xff\xfe\x00bad")


BROKEN = ["truncated outcomes.csv", "empty timeseries.csv", "manifest is a list",
          "manifest truncated", "members is text", "missing events.csv", "not UTF-8"]


@pytest.mark.parametrize("how", BROKEN)
def test_broken_folder_gets_a_problem_without_paths(run_copy, results_dir, good_run, how):
    shutil.copytree(good_run, results_dir / "status_quo__other")  # a good neighbour
    _break(run_copy, how)
    entries = {e.folder.name: e for e in data.list_runs(results_dir)}
    assert entries["status_quo__other"].problem == ""
    problem = entries[run_copy.name].problem
    if not problem:  # some breaks only show when the tables are read
        with pytest.raises(data.BrokenFolder) as info:
            data.load_run(run_copy)
        problem = str(info.value)
    assert problem and str(results_dir) not in problem and "Traceback" not in problem


def test_problem_text_never_shows_paths():
    for exc in (FileNotFoundError(2, "No such file", "/home/u/results/x/a.csv"),
                ValueError("/home/u/results/x: bad"), KeyError("/home/u"), RuntimeError("/x")):
        assert "/home" not in data.problem_text(exc) and "/x" not in data.problem_text(exc)


# ------------------------------------------------------------------------ honest labels


def test_parameter_mode_is_read_from_the_manifest():
    fixed = {"engine": {"mode": {"parameters": "fixed (Monte Carlo noise only)"}}}
    drawn = {"engine": {"mode": {"parameters": "uncertain: drawn per member",
                                 "uncertainties": {"patron_support_gain":
                                                   {"low": 0.2, "high": 0.8}}}}}
    assert "Monte Carlo noise only" in run_settings.parameter_mode(fixed).intervals
    mode = run_settings.parameter_mode(drawn)
    assert mode.uncertain and "Monte Carlo noise only" not in mode.intervals
    assert "drawn" in mode.intervals
    rows = run_settings.parameter_rows(drawn).set_index("name")
    assert rows.loc["patron_support_gain", "drawn"] == "0.2 to 0.8"
    assert not run_settings.parameter_mode({}).recorded
    assert not run_settings.parameter_mode({"engine": "odd"}).uncertain


def test_fan_charts_default_to_the_report_ranges(good_run):
    timeseries = data.read_csv(good_run, "timeseries.csv", root=good_run.parent)
    actors = sorted(timeseries["actor"].unique())[:3]
    for metric, limits in (("stability", (0.0, 1.0)), ("unrest", (0.0, 0.05)),
                           ("posture", (0.0, 1.0))):
        fig = fan_figure(timeseries, metric, actors, {})
        assert fig.axes[0].get_ylim() == pytest.approx(limits), metric
        assert "ZOOMED" not in fig._suptitle.get_text()
    zoomed = fan_figure(timeseries, "stability", actors, {}, zoom=True)
    assert zoomed.axes[0].get_ylim() != pytest.approx((0.0, 1.0))
    assert zoomed._suptitle.get_text() == ZOOM_NOTE


def test_caps_are_the_settings():
    assert (MAX_MEMBERS, MAX_WEEKS) == (5000, 260)


def test_broken_exploration_is_listed_with_its_problem(results_dir):
    from sim.dashboard import explore_data

    base = results_dir / "explore"
    for name, manifest in (("good_morris", {"scenario": "x", "method": "morris", "points": 4,
                                            "replicates": 2, "weeks": 3}),
                           ("bad_morris", {"scenario": "x", "method": "morris",
                                           "points": "four"}),
                           ("list_morris", [1, 2])):
        (base / name).mkdir(parents=True)
        (base / name / "manifest.json").write_text(json.dumps(manifest))
        (base / name / "outcomes.csv").write_text("point\n0\n")
        (base / name / "noise.csv").write_text("output,noise_share\n")
    entries = {e.folder.name: e for e in explore_data.list_explorations(results_dir)}
    assert entries["good_morris"].problem == ""
    assert "points is not a whole number" in entries["bad_morris"].problem
    assert "not a JSON object" in entries["list_morris"].problem


def test_comparison_side_cannot_leave_the_results_folder(results_dir):
    from sim.dashboard.compare_view import _side_manifest

    results_dir.mkdir(parents=True, exist_ok=True)
    assert _side_manifest({"scenario": "../../etc"}) == {}
    assert _side_manifest({"scenario": ["x"]}) == {}
    assert _side_manifest("odd") == {}
