"""Smoke test for the verification micro benchmark (figures are reported, not asserted tightly)."""

from wallet_adapters.bench import run


def test_bench_runs() -> None:
    result = run(iterations=10)
    assert 0 < result.sd_jwt_vc_ms < 50
    assert 0 < result.mdoc_ms < 50
    assert "SD-JWT VC" in str(result)
