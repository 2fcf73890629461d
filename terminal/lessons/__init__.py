"""Lessons that check themselves: a lesson file (brief, starting state, checks, debrief), the monitor that
evaluates its checks on a session as it plays, the trade journal, and the classroom's files. No Qt.

- :mod:`terminal.lessons.model` — the lesson TOML, validated with line numbers;
- :mod:`terminal.lessons.checks` — the named predicates a lesson's ``[[checks]]`` use;
- :mod:`terminal.lessons.monitor` — watches a session batch by batch and feeds checks and journal;
- :mod:`terminal.lessons.journal` — one row per round trip, CSV export;
- :mod:`terminal.lessons.player` — plays a trainee's script inside a lesson (``lesson check``);
- :mod:`terminal.lessons.debrief` — the session's own numbers, quoted by the lesson's debrief;
- :mod:`terminal.lessons.classroom` — lesson packs, signed session files, the merged debrief board.
"""
