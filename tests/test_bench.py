"""``toegang bench`` end to end with tiny numbers: it must run, clean up and report every phase.

Timings depend on the machine, so nothing here asserts on them; the bench is checked for doing
the complete logins (it fails loudly otherwise) and for reporting figures in its JSON.
"""

from __future__ import annotations

import json
import math

import pytest
import redis

from broker.cli import main

PHASES = ("login", "code", "token", "discovery")


def _bench_keys() -> set[bytes]:
    client = redis.Redis(host="127.0.0.1", port=6379)
    try:
        return set(client.scan_iter(match="toegang-bench-*"))
    finally:
        client.close()


def _redis_available() -> bool:
    client = redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


@pytest.mark.services
def test_bench_runs_every_phase_and_reports_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert _redis_available(), "Redis must run on 127.0.0.1:6379 (scripts/test starts it)"
    before = _bench_keys()
    code = main(["bench", "--logins", "5", "--concurrency", "2", "--discovery", "50",
                 "--workers", "1", "--store", "redis", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    report = json.loads(out)

    assert report["machine"]["nproc"] >= 1 and report["machine"]["python"]
    assert report["settings"]["logins"] == 5 and report["settings"]["workers"] == 1
    assert set(PHASES) <= report["phases"].keys()
    for name in PHASES:
        phase = report["phases"][name]
        assert phase["count"] == (50 if name == "discovery" else 5), name
        for key in ("per_second", "p50_ms", "p95_ms", "p99_ms", "wall_s"):
            assert math.isfinite(phase[key]) and phase[key] > 0, (name, key)
        # CPU comes in clock ticks (10 ms): a tiny phase may honestly read 0.
        assert phase["broker_cpu_ms_per_request"] >= 0, name
        assert phase["simulator_cpu_ms_per_request"] >= 0, name
        assert phase["driver_cpu_ms_per_request"] > 0, name
        assert phase["p50_ms"] <= phase["p95_ms"] <= phase["p99_ms"], name
    assert {t["phase"] for t in report["targets"]} == {"login", "token", "discovery"}
    assert all(isinstance(t["met"], bool) for t in report["targets"])
    bound = report["login_cpu_bound"]
    assert bound["mean_latency_floor_ms"] >= bound["broker_part_of_floor_ms"] >= 0
    assert 0 <= bound["broker_share"] <= 1
    # The bench deletes what the broker stored under its own key prefix.
    assert _bench_keys() <= before
