"""Widgets talk to narrow services, never to the engine (issue 10, part 1).

The screen gets two things from ``ui.services.bridge.SessionBridge``: the per-frame :class:`Frame` (what to draw)
and the order service (what to do). These checks read every ui/ module's syntax tree and fail on a reach past
them: the engine (``.exchange``), the session, the bridge's clock / timer / ``act``, exchange internals, engine
or store imports. ``ui/services`` is the boundary itself and is exempt; the command line, ``shot`` and the app
entry (``ui/cli.py``, ``ui/shot.py``, ``ui/app.py``) build sessions and may import the session layer.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UI = ROOT / "ui"
BOUNDARY = UI / "services"  # the bridge, the session / account / report services: the only ui code that holds the session
ENTRY_POINTS = {"ui/cli.py", "ui/shot.py", "ui/app.py"}  # build a session from a script / a data folder, hand it over

#: attributes no ui module outside the boundary reads or calls: the engine and its internals, the session, the
#: bridge's old "run any lambda against the engine" door
FORBIDDEN_ATTRS = {
    "exchange", "session", "act", "drain_events", "place_order", "cancel_order", "amend_order", "adjust_margin",
    "liq_bk", "cross_backing", "currency_totals", "feed_specs", "feed_origin", "last_batches",
}
#: what a widget may use of the bridge (its public surface); anything else (``clock``, ``timer``, ``frames``,
#: ``session``, private members) is the bridge's own business
BRIDGE_SURFACE = {
    # the two narrow things
    "frame", "last", "orders",
    # signals
    "sessionChanged", "symbolChanged", "speedChanged", "storeError",
    # read-only facts
    "catalog", "symbol", "now_ms", "speed", "running", "source_for", "next_funding_ms", "store", "fill_model",
    "save_failing", "save_note",
    # the screen's own controls: symbol, source, clock, account, publishing
    "set_symbol", "set_source", "replay_source", "set_speed", "step", "jump_to", "jump_by", "stop", "warm_up",
    "set_session", "publish", "publish_all", "save", "retry_save", "close_store", "set_fill_model",
}
#: terminal modules a widget may import: reference data and formulas (domain), the scenario catalogue, its
#: definitions and feed specs (read-only data), the two narrow services' types, and the read-only payload types
#: of ``frame.book`` / ``frame.tape`` (terminal.market.views), and lesson definitions and branch outcomes (value
#: types the lesson panels show; the lessons act through ui.services.lessons)
ALLOWED_TERMINAL = ("terminal.domain", "terminal.feeds.spec", "terminal.feeds.scenario", "terminal.session.frame",
                    "terminal.session.order_service", "terminal.market.views", "terminal.lessons.model",
                    "terminal.lessons.timeline", "terminal.lessons.outcomes")
ALLOWED_TERMINAL_EXACT = {"terminal.feeds"}  # ``list_scenarios``
#: a type-only import the composition root needs: the window is handed a session and passes it to the bridge
TYPE_ONLY = {("ui/window/main_window.py", "terminal.session.trading_session")}


def _modules() -> list[Path]:
    return sorted(p for p in UI.rglob("*.py") if BOUNDARY not in p.parents)


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """ids of the nodes inside ``if TYPE_CHECKING:`` blocks."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                inside.update(id(n) for n in ast.walk(child))
    return inside


def _is_bridge(node: ast.expr) -> bool:
    """``bridge`` or ``….bridge`` (``self.bridge``, ``win.bridge``, ``self.win.bridge``, ``form.bridge``)."""
    return (isinstance(node, ast.Name) and node.id == "bridge") or (isinstance(node, ast.Attribute)
                                                                     and node.attr == "bridge")


def _offences(path: Path) -> list[str]:
    rel = _rel(path)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only = _type_checking_nodes(tree)
    out = []
    for node in ast.walk(tree):
        where = f"{rel}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Attribute):
            if node.attr in FORBIDDEN_ATTRS:
                out.append(f"{where} reads .{node.attr}")
            elif _is_bridge(node.value) and node.attr not in BRIDGE_SURFACE:
                out.append(f"{where} reaches bridge.{node.attr} (not the bridge's public surface)")
        modules: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules = [node.module]
        elif isinstance(node, ast.Import):
            modules = [a.name for a in node.names]
        for mod in modules:
            if not mod.startswith("terminal") or rel in ENTRY_POINTS:
                continue
            if mod in ALLOWED_TERMINAL_EXACT or mod.startswith(ALLOWED_TERMINAL):
                continue
            if id(node) in type_only and (rel, mod) in TYPE_ONLY:
                continue
            out.append(f"{where} imports {mod}")
    return out


def test_no_widget_reaches_the_engine_the_session_or_the_store():
    offenders = [o for path in _modules() for o in _offences(path)]
    assert not offenders, "\n".join(offenders)


def test_the_check_catches_each_kind_of_reach(tmp_path):
    """The rules above fail on real reaches (so a green run means something)."""
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from terminal.exchange.snapshot import PositionView\n"
        "from terminal.store.account_store import AccountStore\n"
        "import terminal.session.trading_session\n"
        "def f(win, bridge, ex):\n"
        "    win.bridge.session.exchange.place_order({})\n"
        "    bridge.act(lambda: ex.cancel_order(1))\n"
        "    win.bridge.orders.place({})\n"
        "    bridge.clock.speed\n"
        "    win.bridge.timer.stop()\n", encoding="utf-8")
    bad_rel = bad.relative_to(tmp_path)
    import tests.test_ui_boundaries as rules

    saved = rules.ROOT
    rules.ROOT = tmp_path
    try:
        found = _offences(tmp_path / bad_rel)
    finally:
        rules.ROOT = saved
    text = "\n".join(found)
    for expected in ("imports terminal.exchange.snapshot", "imports terminal.store.account_store",
                     "imports terminal.session.trading_session", "reads .session", "reads .exchange",
                     "reads .place_order", "reads .act", "reads .cancel_order", "bridge.clock", "bridge.timer"):
        assert expected in text, (expected, text)
    assert "orders" not in text and len(found) == 10  # the order service through the bridge is the way in


def test_the_boundary_is_the_services_package():
    """The bridge, and only ui/services, holds the session: every reach the rules forbid elsewhere lives there."""
    bridge = (BOUNDARY / "bridge.py").read_text(encoding="utf-8")
    assert "self.session" in bridge and "OrderService.of(" in bridge and "FrameBuilder()" in bridge
    assert not hasattr(__import__("ui.services.bridge", fromlist=["SessionBridge"]).SessionBridge, "act")


def test_no_ui_code_names_the_engine_behind_the_session():
    """Not even the services: they hold the session and speak to it through its own methods, the order service,
    the lesson monitor and the frame — ``something.exchange`` appears nowhere under ui/."""
    found = []
    for path in sorted(UI.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "exchange":
                found.append(f"{_rel(path)}:{node.lineno}")
    assert found == []
