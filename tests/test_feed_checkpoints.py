"""Feed checkpoints: a feed restored from a checkpoint (through its JSON, in a new process's worth of objects) hands
out exactly the ticks, bit for bit, the original handed out after the checkpoint was taken — for every feed kind and
any stop point; restoring never regenerates the history before the checkpoint."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resources import RESOURCES_DIR
from terminal.domain.instruments import default_catalog
from terminal.feeds import UNBOUNDED_MS, BlockFeed, FeedCheckpoint, TickBatch, feed_from_checkpoint, make_feed
from terminal.feeds.replay import write_trade_dump
from terminal.feeds.spec import FeedSpec

START = int(datetime(2024, 3, 1, tzinfo=UTC).timestamp() * 1000)
CAT = default_catalog()


def _trades_file(tmp: Path) -> Path:
    path = tmp / "trades.csv.gz"
    if not path.exists():
        rng = np.random.default_rng(5)
        n = 30_000
        t = START + np.cumsum(rng.integers(1, 900, n))
        price = np.round((60_000 + np.cumsum(rng.normal(0, 4, n))) * 2) / 2
        write_trade_dump(path, t, price, rng.integers(1, 5_000, n))
    return path


def _specs(tmp: Path) -> dict[str, tuple[FeedSpec, str]]:
    return {
        "synthetic": (FeedSpec(kind="synthetic"), "XBTUSD"),
        "synthetic-linear": (FeedSpec(kind="synthetic", vol=1.5, tick_interval_ms=250), "ETHUSDT"),
        "scenario": (FeedSpec(kind="scenario", name="flash-crash", tick_interval_ms=200), "XBTUSD"),
        "bars": (FeedSpec(kind="bars", path=str(RESOURCES_DIR / "data" / "btcusd-30m-2017-12.csv"),
                          tick_interval_ms=5_000), "XBTUSD"),
        "trades": (FeedSpec(kind="trades", path=str(_trades_file(tmp))), "XBTUSD"),
    }


def _same(a: TickBatch, b: TickBatch) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert x.dtype == y.dtype and x.tobytes() == y.tobytes()


@pytest.fixture(scope="module")
def specs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[FeedSpec, str]]:
    return _specs(tmp_path_factory.mktemp("feeds"))


@pytest.mark.parametrize("kind", ["synthetic", "synthetic-linear", "scenario", "bars", "trades"])
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stop=st.integers(0, 70_000), chunks=st.lists(st.integers(1, 20_000), min_size=1, max_size=4),
       ahead=st.integers(1, 30_000), seed=st.integers(0, 2**31))
def test_restored_feed_continues_bit_for_bit(specs, kind: str, stop: int, chunks: list[int], ahead: int,
                                             seed: int) -> None:
    spec, symbol = specs[kind]
    inst = CAT[symbol]
    feed = make_feed(spec, inst, seed=seed, start_ms=START)
    done, i = 0, 0
    while done < stop:  # stop after ``stop`` ticks, read in arbitrary chunks
        b = feed.read(UNBOUNDED_MS, min(chunks[i % len(chunks)], stop - done))
        if len(b) == 0:
            break
        done += len(b)
        i += 1
    text = feed.checkpoint().model_dump_json()
    cp = FeedCheckpoint.model_validate_json(text)
    assert len(text) < 1_000, "a checkpoint is small"
    expected = feed.read(UNBOUNDED_MS, ahead)
    restored = feed_from_checkpoint(cp, inst)
    _same(restored.read(UNBOUNDED_MS, ahead), expected)
    assert restored.position == feed.position
    feed.restore(cp)  # the same feed, rewound to the checkpoint
    _same(feed.read(UNBOUNDED_MS, ahead), expected)


def test_restoring_a_synthetic_feed_does_not_regenerate_its_past() -> None:
    """Three days of 100 ms ticks are ~320 blocks; restoring at their end generates only the block it resumes in."""
    inst = CAT["XBTUSD"]
    feed = make_feed(FeedSpec(), inst, seed=3, start_ms=START)
    assert isinstance(feed, BlockFeed)
    feed.seek(3 * 864_000 + 77)  # 3 days of ticks: seeking generates every block before
    cp = feed.checkpoint()
    calls: list[int] = []
    restored = feed_from_checkpoint(cp, inst)
    assert isinstance(restored, BlockFeed)
    generate = restored._generate

    def counting(block_no: int, state: object) -> tuple[TickBatch, object]:
        calls.append(block_no)
        return generate(block_no, state)

    restored._generate = counting  # type: ignore[method-assign]
    got = restored.read(UNBOUNDED_MS, 10)
    _same(got, feed.read(UNBOUNDED_MS, 10))
    assert calls == [cp.block], "only the block holding the checkpoint is generated"


def test_a_checkpoint_refuses_another_feed() -> None:
    a = make_feed(FeedSpec(), CAT["XBTUSD"], seed=1, start_ms=START)
    b = make_feed(FeedSpec(), CAT["XBTUSD"], seed=2, start_ms=START)
    with pytest.raises(ValueError, match="another"):
        b.restore(a.checkpoint())
    with pytest.raises(ValueError):
        feed_from_checkpoint(a.checkpoint(), CAT["ETHUSDT"])
