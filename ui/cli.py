"""The ``leverage-terminal`` command line: the GUI by default, and headless sub-commands.

Bad arguments give one clear line on stderr and exit code 2.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from terminal.app.out_paths import check_out_path, default_data_dir
from terminal.app.version import package_version
from terminal.domain.errors import TerminalError

PROG = "leverage-terminal"
_log = logging.getLogger(__name__)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(2)


def _folder(text: str) -> Path:
    if not text.strip():  # Path("") is the current folder: accounts would land wherever the command was typed
        raise argparse.ArgumentTypeError("needs a folder; it was empty")
    return Path(text)


def _data_dir_arg(p: argparse.ArgumentParser, *, top: bool = False) -> None:
    # accepted before or after the sub-command: a sub-command sets it only when given there (SUPPRESS), so it
    # never overwrites `leverage-terminal --data-dir X account` with its own None
    p.add_argument(
        "--data-dir", type=_folder, default=None if top else argparse.SUPPRESS, metavar="DIR",
        help="folder of the practice account (default: $LEVERAGE_TERMINAL_HOME, else the user data folder)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Leverage Terminal: practise BitMEX-style leveraged trading on a simulated account.",
    )
    _data_dir_arg(parser, top=True)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    calc = sub.add_parser("calc", help="print what the BitMEX calculator shows for an order, as JSON",
                          description="Print, as JSON, what BitMEX's order form and calculator show for one order: "
                          "order value, Cost (IM + (2V + IM) x taker fee, the same function the order form and the "
                          "simulated exchange use), initial and maintenance margin (with the close-fee reserve and, "
                          "with --funding-rate, the next funding when this side pays it), liquidation and bankruptcy "
                          "price; with --exit also PnL and ROE, and when the liquidation price lies before the exit, "
                          "\"liquidated_before_exit\": true and the PnL of the liquidation. Give --leverage for an "
                          "isolated position; with --cross --balance B it defaults to the instrument's maximum.",
                          epilog="example: leverage-terminal calc --symbol XBTUSD --side buy --qty 10000 "
                          "--entry 50000 --leverage 10 --exit 55000")
    calc.add_argument("--symbol", required=True, help="instrument, e.g. XBTUSD, ETHUSDT")
    calc.add_argument("--side", required=True, choices=["buy", "sell"])
    calc.add_argument("--qty", required=True, type=float, help="order size (in --qty-unit)")
    calc.add_argument("--entry", required=True, type=float, help="entry price")
    calc.add_argument("--leverage", type=float, default=None,
                      help="leverage; alone it means isolated margin; with --cross it sets only the margin "
                      "reserved (default: the instrument's maximum)")
    calc.add_argument("--cross", action="store_true", help="cross margin (needs --balance)")
    calc.add_argument("--balance", type=float, default=None,
                      help="wallet balance backing a cross position, in the settlement currency")
    calc.add_argument("--exit", type=float, default=None, dest="exit_price", help="exit price for PnL and ROE")
    calc.add_argument("--qty-unit", choices=["contracts", "usd", "coin"], default="contracts")
    calc.add_argument("--maint-rate", type=float, default=None, help="maintenance margin rate override")
    calc.add_argument("--taker-fee", type=float, default=None, help="taker fee rate override")
    calc.add_argument("--maker-fee", type=float, default=None, help="maker fee rate override")
    calc.add_argument("--funding-rate", type=float, default=0.0,
                      help="next (fixed) funding rate, e.g. 0.0001; reserved in the maintenance margin of the side "
                      "that pays it (longs when positive, shorts when negative); default 0")
    calc.add_argument("--catalog", type=Path, default=None, help=argparse.SUPPRESS)

    run = sub.add_parser("run", help="play a scripted session headless and print a JSON report",
                         description="Play a TOML session script (price source + timed actions) and print "
                         "a JSON report: fills, rejections, liquidations, funding, ledger, equity, final, stats.")
    run.add_argument("script", type=Path, help="TOML session script")
    _data_dir_arg(run)

    acc = sub.add_parser("account", help="print the stored practice account as JSON")
    _data_dir_arg(acc)
    acc.add_argument("--name", default=None, help="account name (default: the active account)")

    shot = sub.add_parser("shot", help="render the main window offscreen to a PNG",
                          description="Play SCRIPT (if given) headless, then render the main window to FILE.png.")
    shot.add_argument("--out", required=True, type=Path, help="PNG file to write")
    shot.add_argument("--script", type=Path, default=None, help="TOML session script to play first")
    shot.add_argument("--size", default="1600x1000", help="window size WIDTHxHEIGHT (default 1600x1000)")
    shot.add_argument("--presenter", action="store_true",
                      help="render in presenter mode (F9): scaled for the room, with the SIMULATION marker")
    _data_dir_arg(shot)

    rep = sub.add_parser("report", help="export a session report to a self-contained HTML file")
    rep.add_argument("--out", required=True, type=Path, help="HTML file to write")
    _data_dir_arg(rep)
    _lesson_parsers(sub)
    parser.add_argument("--version", action="version", version=f"{PROG} {package_version()}",
                        help="print the version and exit")
    for p in _all_parsers(parser):  # before or after any sub-command; a sub-command sets it only when given
        p.add_argument("--verbose", action="store_true", default=False if p is parser else argparse.SUPPRESS,
                       help="also log to stderr, in detail (DEBUG); the log file is DATA_DIR/logs/terminal.log")
    return parser


def _lesson_parsers(sub: argparse._SubParsersAction[_Parser]) -> None:
    """``lesson list`` / ``lesson check`` and ``classroom merge`` (headless, no Qt)."""
    lesson = sub.add_parser("lesson", help="list the lessons, or check a scripted session against one (JSON)",
                            description="Lessons: a brief, a starting market, checks that judge the session as it "
                            "plays, and a debrief with the session's own numbers.")
    lsub = lesson.add_subparsers(dest="lesson_command", parser_class=_Parser, metavar="ACTION", required=True)
    lsub.add_parser("list", help="print the shipped lessons as JSON (id, title, checks)")
    chk = lsub.add_parser("check", help="play a trainee's script inside a lesson and print the verdict as JSON",
                          description="Play SCRIPT's [[steps]] inside LESSON (its market, account and time limit; "
                          "the script's own feed, seed and account are not used) and print JSON {lesson, passed, "
                          "checks: [{id, passed, detail}], debrief}. Exit 0 whatever the verdict; 2 on bad input.")
    chk.add_argument("lesson", help="a shipped lesson's id (see `lesson list`) or a lesson file (.toml)")
    chk.add_argument("--script", required=True, type=Path, help="TOML session script with the trainee's steps")
    pack = lsub.add_parser("pack", help="export a lesson pack (lesson + seed + settings, one file) for the room")
    pack.add_argument("lesson", help="a shipped lesson's id or a lesson file (.toml)")
    pack.add_argument("--out", required=True, type=Path, help="pack file to write (.ltpack.json)")
    pack.add_argument("--seed", type=int, default=None, help="the market's seed for the room (default: the lesson's)")
    ses = lsub.add_parser("session", help="play a script inside a lesson or pack and export the sealed session file")
    ses.add_argument("lesson", help="a shipped lesson's id, a lesson file (.toml) or a lesson pack (.json)")
    ses.add_argument("--script", required=True, type=Path, help="TOML session script with the trainee's steps")
    ses.add_argument("--trainee", default="anonymous", help="the trainee's name on the board")
    ses.add_argument("--out", required=True, type=Path, help="session file to write (.ltsession.json)")
    room = sub.add_parser("classroom", help="merge the room's session files into a debrief board (HTML)")
    rsub = room.add_subparsers(dest="classroom_command", parser_class=_Parser, metavar="ACTION", required=True)
    merge = rsub.add_parser("merge", help="build a debrief board from trainees' session files",
                            description="Merge session files exported by trainees into one HTML board that ranks "
                            "behaviour before return: checks passed, liquidations, max drawdown, leverage used, stop "
                            "discipline, then PnL. Files whose checksum does not match are marked as edited.")
    merge.add_argument("files", nargs="+", type=Path, metavar="FILE", help="session files (.ltsession.json)")
    merge.add_argument("--out", required=True, type=Path, help="HTML board to write")


def _cmd_lesson(args: argparse.Namespace) -> int:
    from terminal.app.lesson_commands import lesson_check, lesson_list, lesson_pack, lesson_session

    if args.lesson_command == "list":
        _print_json(lesson_list())
    elif args.lesson_command == "check":
        _print_json(lesson_check(args.lesson, args.script))
        _note_lesson_owns(args.script)
    elif args.lesson_command == "pack":
        out = check_out_path(args.out, _out_data_dirs(args), [Path(args.lesson)])
        _print_json(lesson_pack(args.lesson, out, args.seed))
    else:
        out = check_out_path(args.out, _out_data_dirs(args), [Path(args.lesson), args.script])
        _print_json(lesson_session(args.lesson, args.script, args.trainee, out))
        _note_lesson_owns(args.script)
    return 0


def _note_lesson_owns(script: Path) -> None:
    """Say on stderr (the JSON stays machine-readable) which of the script's settings the lesson replaced."""
    from terminal.lessons.player import ignored_settings

    unused = ignored_settings(script)
    if unused:
        sys.stderr.write(f"note: the lesson sets the market, account and time: the script's {', '.join(unused)} "
                         "were not used (only its [[steps]])\n")


def _cmd_classroom(args: argparse.Namespace) -> int:
    from terminal.app.lesson_commands import classroom_merge

    _print_json(classroom_merge(args.files, check_out_path(args.out, _out_data_dirs(args), args.files)))
    return 0


def _all_parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """``parser`` and every sub-command's parser below it (``lesson check`` included), depth first."""
    out = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):  # an alias names the same parser twice
                out.extend(_all_parsers(sub))
    return out


def resolve_data_dir(arg: Path | None) -> Path:
    if arg is not None:
        return arg
    return default_data_dir()


def check_data_dir(path: Path, *, write: bool) -> Path:
    """``path`` as a usable data folder, else a one-line :class:`TerminalError`: a file where the folder should be,
    a folder that cannot be created, read or (for commands that save) written."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise TerminalError(f"{path} is a file, not a folder: --data-dir needs the folder that holds the accounts")
    if write:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise TerminalError(f"cannot create the data folder {path}: {exc.strerror or exc}") from None
        if not os.access(path, os.W_OK | os.X_OK):
            raise TerminalError(f"the data folder {path} is read-only (a read-only disk or permissions): choose "
                                "a writable folder with --data-dir") from None
    if path.exists() and not os.access(path, os.R_OK | os.X_OK):
        raise TerminalError(f"cannot read the data folder {path}: permission denied")
    return path


def check_account_exists(data_dir: Path, name: str | None) -> str:
    """The account a read-only command shows; a missing one is an error listing those there are (never a fresh
    account shown as if it were stored)."""
    from terminal.store.accounts import active_account, check_name, db_path, list_accounts

    name = check_name(name or active_account(data_dir))
    if not db_path(data_dir, name).exists():
        have = list_accounts(data_dir)
        there = f"accounts there: {', '.join(have)}" if have else \
            "it holds no accounts yet (open the terminal or `run --data-dir` a script first)"
        raise TerminalError(f"there is no account named {name!r} in {data_dir}; {there}")
    return name


def _out_data_dirs(args: argparse.Namespace) -> list[Path]:
    """The data folders an --out must stay out of: the one given, and the default one."""
    given = getattr(args, "data_dir", None)
    return [resolve_data_dir(given)] + ([resolve_data_dir(None)] if given is not None else [])


def _print_json(obj: object) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, ensure_ascii=False) + "\n")


def _cmd_calc(args: argparse.Namespace) -> int:
    from terminal.domain.calc import calculate
    from terminal.domain.instruments import Catalog, default_catalog

    catalog = Catalog.load(args.catalog) if args.catalog else default_catalog()
    result = calculate(
        catalog, symbol=args.symbol, side=args.side, qty=args.qty, entry=args.entry,
        leverage=args.leverage, cross=args.cross, balance=args.balance, exit_price=args.exit_price,
        qty_unit=args.qty_unit, maint_rate=args.maint_rate, taker_fee=args.taker_fee,
        maker_fee=args.maker_fee, funding_rate=args.funding_rate,
    )
    _print_json(result)
    inst = catalog[args.symbol]  # as the exchange would take them: said on stderr, the JSON stays machine-readable
    if args.qty_unit == "contracts" and result["qty"] != args.qty:
        sys.stderr.write(f"note: {args.qty:.12g} contracts rounded to {result['qty']:,} ({args.symbol} trades in lots "
                         f"of {inst.lot_size:,})\n")
    if result["entry_price"] != args.entry:
        sys.stderr.write(f"note: entry {args.entry:.12g} rounded to {inst.format_price(result['entry_price'])} "
                         f"({args.symbol}'s tick is {inst.format_price(inst.tick_size)})\n")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from terminal.app.commands import run_script_file

    data_dir = None if args.data_dir is None else check_data_dir(args.data_dir, write=True)
    report = run_script_file(args.script, data_dir=data_dir)
    sys.stdout.write(report + "\n")
    return 0


def _cmd_account(args: argparse.Namespace) -> int:
    from terminal.app.stored_account import account_json

    data_dir = check_data_dir(resolve_data_dir(args.data_dir), write=False)
    _print_json(account_json(data_dir, name=check_account_exists(data_dir, args.name)))
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from terminal.app.journal_section import journal_csv_path
    from terminal.app.report import ledger_csv_path, write_report

    data_dir = check_data_dir(resolve_data_dir(args.data_dir), write=False)
    name = check_account_exists(data_dir, None)
    out = check_out_path(args.out, [data_dir])
    for side in (ledger_csv_path(out), journal_csv_path(out)):  # written beside the HTML
        check_out_path(side, [data_dir])
    write_report(data_dir, out, name)
    return 0


def _cmd_shot(args: argparse.Namespace) -> int:
    from ui.shot import take_shot

    try:
        w, h = (int(v) for v in args.size.lower().split("x"))
        if w < 200 or h < 150 or w > 8000 or h > 8000:
            raise ValueError
    except ValueError:
        raise TerminalError(f"--size must look like 1600x1000, got {args.size!r}") from None
    data_dir = None if args.data_dir is None else check_data_dir(args.data_dir, write=True)
    out = check_out_path(args.out, [d for d in (data_dir, resolve_data_dir(None)) if d is not None],
                         [args.script] if args.script else [])
    take_shot(out, script=args.script, size=(w, h), data_dir=data_dir, presenter=args.presenter)
    return 0


def _cmd_gui(args: argparse.Namespace) -> int:
    from ui.app import run_gui

    return run_gui(check_data_dir(resolve_data_dir(args.data_dir), write=True))


COMMANDS = {"calc": _cmd_calc, "run": _cmd_run, "account": _cmd_account, "report": _cmd_report,
            "shot": _cmd_shot, "lesson": _cmd_lesson, "classroom": _cmd_classroom, None: _cmd_gui}


def _log_dir(args: argparse.Namespace) -> Path | None:
    """The data folder whose log a command writes: the GUI's always; `run`/`shot` only with --data-dir; `account`
    and `report` only if the folder already exists (they never create it); `calc` none."""
    if args.command is None:
        return resolve_data_dir(args.data_dir)
    if args.command in ("run", "shot"):
        given: Path | None = args.data_dir
        return given
    if args.command in ("account", "report"):
        d = resolve_data_dir(args.data_dir)
        return d if d.is_dir() else None
    return None


def _logged(args: argparse.Namespace) -> int:
    """Run the command with its log set up (see :mod:`terminal.app.logs`), and closed when it returns."""
    from terminal.app.logs import configure_logging, shutdown_logging

    command = args.command or "gui"
    configure_logging(_log_dir(args), verbose=args.verbose)
    _log.log(logging.INFO if args.command is None else logging.DEBUG, "%s %s: %s, data dir %s", PROG,
             package_version(), command, args.data_dir)
    try:
        return COMMANDS[args.command](args)
    except TerminalError as exc:
        _log.debug("%s refused: %s", command, exc)
        raise
    except Exception:
        _log.exception("%s failed", command)
        raise
    finally:
        shutdown_logging()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _logged(args)
    except TerminalError as exc:
        return _fail(args, str(exc), 2)
    except KeyboardInterrupt:
        return 130
    except MemoryError:
        return _fail(args, "out of memory: the input is too large for this computer", 2)
    except RecursionError:
        return _fail(args, "the input is nested too deeply to read", 2)
    except OSError as exc:  # a file or folder the command could not use
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        return _fail(args, f"{where}{exc.strerror or exc}", 2)
    except Exception as exc:  # a bug: still one line, the details kept in a log
        return _fail(args, f"unexpected {type(exc).__name__}: {exc} — this is a bug; details in {_log_traceback()}", 1)


def _fail(args: argparse.Namespace, message: str, code: int) -> int:
    """One line on stderr, whatever the message holds (SQLite and pydantic texts can run to several)."""
    text = " ".join(part.strip() for part in message.splitlines() if part.strip())
    sys.stderr.write(f"{PROG}{' ' + args.command if args.command else ''}: error: {text}\n")
    return code


def _log_traceback() -> str:
    import tempfile
    import traceback

    fd, path = tempfile.mkstemp(prefix="leverage-terminal-error-", suffix=".txt")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        traceback.print_exc(file=f)
    return path


if __name__ == "__main__":
    raise SystemExit(main())
