"""``toegang`` in-process: JSON on stdout, one-line errors on stderr, exit codes 0/1/2."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import pytest

from broker.cli import main
from broker.register.demo import new_private_jwk, public_jwk

ADD = "clients add --redirect-uri https://rp.example.nl/cb"


@pytest.fixture(autouse=True)
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("TOEGANG_CONFIG", "TOEGANG__STORE__BACKEND", "TOEGANG__SERVER__PORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TOEGANG__KEYS__DIRECTORY", str(tmp_path / "keys"))
    monkeypatch.setenv("TOEGANG__DATABASE__URL", f"sqlite:///{tmp_path / 'toegang.db'}")
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], command: str, *argv: str) -> tuple[int, str, str]:
    """``command`` is split as a shell would; ``argv`` is appended as is (paths, ids)."""
    code = main([*shlex.split(command), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], command: str, *argv: str) -> Any:
    code, out, err = run(capsys, command, *argv)
    assert code == 0, err
    return json.loads(out)


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("toegang") and ": error: " in lines[0]
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def jwks_file(tmp_path: Path) -> Path:
    path = tmp_path / "rp-jwks.json"
    path.write_text(json.dumps({"keys": [public_jwk(new_private_jwk())]}))
    return path


# --- clients -------------------------------------------------------------------------------


def test_add_secret_client_prints_id_and_secret_once(capsys: pytest.CaptureFixture[str]) -> None:
    added = run_json(capsys, f"{ADD} --auth-method client_secret_basic --name 'Gemeente X'")
    assert added["client_id"] and len(added["client_secret"]) >= 43
    assert added["redirect_uris"] == ["https://rp.example.nl/cb"]
    assert added["token_endpoint_auth_method"] == "client_secret_basic"
    assert added["bsn_entitled"] is False and added["subject_type"] == "pairwise"
    assert added["services"] == []

    listed = run_json(capsys, "clients list")
    assert [c["client_id"] for c in listed] == [added["client_id"]]
    text = json.dumps(listed)
    assert '"client_secret"' not in text and added["client_secret"] not in text
    assert "scrypt" not in text


def test_add_jwt_client_with_service(capsys: pytest.CaptureFixture[str], jwks_file: Path) -> None:
    added = run_json(
        capsys,
        f"{ADD} --redirect-uri http://127.0.0.1:9000/cb --auth-method private_key_jwt"
        " --bsn-entitled --id-token-alg PS256 --service Aangifte --service-level high --jwks-file",
        str(jwks_file),
    )
    assert "client_secret" not in added
    assert added["bsn_entitled"] is True
    assert added["id_token_signed_response_alg"] == "PS256"
    assert added["name"] == "rp.example.nl"
    (service,) = added["services"]
    assert service["min_level"] == "high" and service["name_nl"] == "Aangifte"
    assert service["service_id"]


def test_service_level_defaults_to_substantial(
    capsys: pytest.CaptureFixture[str], jwks_file: Path
) -> None:
    added = run_json(
        capsys, f"{ADD} --auth-method private_key_jwt --service Zorg --jwks-file", str(jwks_file)
    )
    assert added["services"][0]["min_level"] == "substantial"


def test_bad_redirect_uri_exits_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys,
        "clients add --redirect-uri http://rp.example.nl/cb --auth-method client_secret_basic",
    )
    assert code == 2 and out == ""
    assert "must use https" in one_error_line(err)


def test_private_key_jwt_without_keys_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, f"{ADD} --auth-method private_key_jwt")
    assert code == 2
    assert "JWKS or a JWKS URI" in one_error_line(err)
    assert run_json(capsys, "clients list") == []


def test_jwks_with_private_key_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "private.json"
    path.write_text(json.dumps(new_private_jwk()))  # a single JWK is accepted as a JWKS
    code, _, err = run(
        capsys,
        f"{ADD} --auth-method private_key_jwt --jwks-file",
        str(path),
    )
    assert code == 2 and "private key material" in one_error_line(err)


def test_unreadable_jwks_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(
        capsys,
        f"{ADD} --auth-method private_key_jwt --jwks-file",
        str(tmp_path / "missing.json"),
    )
    assert code == 2 and "cannot read JWKS file" in one_error_line(err)
    (tmp_path / "bad.json").write_text("{not json")
    code, _, err = run(
        capsys,
        f"{ADD} --auth-method private_key_jwt --jwks-file",
        str(tmp_path / "bad.json"),
    )
    assert code == 2 and "is not JSON" in one_error_line(err)


def test_missing_required_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, ADD)
    assert code == 2 and "--auth-method" in one_error_line(err)


def test_remove_client(capsys: pytest.CaptureFixture[str]) -> None:
    added = run_json(capsys, f"{ADD} --auth-method client_secret_basic --service A")
    assert run_json(capsys, "clients remove", added["client_id"]) == {"removed": added["client_id"]}
    assert run_json(capsys, "clients list") == []
    assert run_json(capsys, "services list") == []


def test_remove_unknown_client_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "clients remove nobody")
    assert code == 1 and out == ""
    assert one_error_line(err) == "toegang: error: unknown client 'nobody'"


# --- services ------------------------------------------------------------------------------


def test_services_add_and_list(capsys: pytest.CaptureFixture[str]) -> None:
    client = run_json(capsys, f"{ADD} --auth-method client_secret_basic")
    service = run_json(
        capsys,
        f"services add --client-id {client['client_id']} --name-nl Bijstand"
        " --name-en 'Social assistance' --min-level substantial --allows-representation"
        " --legal-domain financial",
    )
    assert service["min_level"] == "substantial" and service["legal_domain"] == "financial"
    assert service["allows_representation"] is True
    assert run_json(capsys, "services list --client-id", client["client_id"]) == [service]
    assert run_json(capsys, "services list --client-id other") == []
    assert run_json(capsys, "services remove", service["service_id"])["removed"]
    code, _, err = run(capsys, "services remove", service["service_id"])
    assert code == 1 and "unknown service" in one_error_line(err)


def test_service_for_unknown_client_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        capsys, "services add --client-id nobody --name-nl A --name-en A --min-level low"
    )
    assert code == 1 and "unknown client" in one_error_line(err)


def test_unknown_level_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        capsys, "services add --client-id x --name-nl A --name-en A --min-level medium"
    )
    assert code == 2 and "medium" in one_error_line(err)


# --- configuration -------------------------------------------------------------------------


def test_invalid_config_value_exits_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOEGANG__SERVER__PORT", "99999")
    code, out, err = run(capsys, "clients list")
    assert code == 2 and out == ""
    assert "server.port" in one_error_line(err)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:6379", "redis://", "redis://127.0.0.1:6379/0?socket_timeout=1"]
)
def test_unusable_redis_url_exits_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("TOEGANG__STORE__REDIS_URL", url)
    code, _, err = run(capsys, "check-config")
    assert code == 2 and "store.redis_url must be redis://" in one_error_line(err)


def test_missing_config_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "--config", str(tmp_path / "nope.toml"), "check-config")
    assert code == 2 and "does not exist" in one_error_line(err)


def test_config_file_from_option_and_environment(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "toegang.toml"
    path.write_text('[server]\nissuer = "https://toegang.example.nl"\n')
    run(capsys, "keys init")
    code, out, _ = run(capsys, "--config", str(path), "check-config")
    assert code == 0 and "https://toegang.example.nl" in out
    monkeypatch.setenv("TOEGANG_CONFIG", str(path))
    code, out, _ = run(capsys, "check-config")
    assert code == 0 and "https://toegang.example.nl" in out


def test_check_config_needs_keys(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "check-config")
    assert code == 1 and "toegang keys init" in one_error_line(err)


def test_check_config_reports_ok_on_fresh_sqlite(capsys: pytest.CaptureFixture[str]) -> None:
    run_json(capsys, "keys init")
    code, out, _ = run(capsys, "check-config")
    assert code == 0
    assert out.startswith("configuration OK\n")
    assert "issuer:   http://127.0.0.1:8000" in out
    assert "store:    memory" in out
    assert "empty; migration to" in out
    run_json(capsys, "clients list")  # migrates
    _, out, _ = run(capsys, "check-config")
    assert "up to date" in out


def test_check_config_masks_the_database_password(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run_json(capsys, "keys init")
    # PostgreSQL here trusts local connections, so the password is ignored but must not show.
    monkeypatch.setenv(
        "TOEGANG__DATABASE__URL", "postgresql://postgres:hunter2@127.0.0.1:5432/test"
    )
    code, out, err = run(capsys, "check-config")
    assert code == 0, err
    assert "hunter2" not in out and "postgresql+psycopg://postgres:***@127.0.0.1:5432/test" in out


def test_check_config_unreachable_database_exits_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run_json(capsys, "keys init")
    monkeypatch.setenv("TOEGANG__DATABASE__URL", "postgresql://postgres:hunter2@127.0.0.1:1/test")
    code, _, err = run(capsys, "check-config")
    line = one_error_line(err)
    assert code == 1 and "not reachable" in line and "hunter2" not in line


# --- keys ----------------------------------------------------------------------------------


def test_keys_init_and_rotate_print_kids_only(
    capsys: pytest.CaptureFixture[str], env: Path
) -> None:
    code, out, _ = run(capsys, "keys init")
    assert code == 0 and "PRIVATE" not in out
    created = json.loads(out)
    assert created["directory"] == str(env / "keys")
    assert {(k["kty"], k["use"]) for k in created["keys"]} == {
        ("RSA", "sig"),
        ("EC", "sig"),
        ("RSA", "enc"),
    }
    assert all(set(k) == {"kid", "kty", "use", "status", "created"} for k in created["keys"])
    rotated = run_json(capsys, "keys rotate")
    previous = {k["kid"] for k in rotated["keys"] if k["status"] == "previous"}
    assert previous == {k["kid"] for k in created["keys"]}
    assert len(rotated["keys"]) == 6


def test_keys_rotate_without_keys_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "keys rotate")
    assert code == 1 and "toegang keys init" in one_error_line(err)


# --- serve / help --------------------------------------------------------------------------


def test_serve_with_several_workers_needs_redis(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "serve --workers 4")
    assert code == 2 and "store.backend" in one_error_line(err)


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for command in ("check-config", "keys", "clients", "services", "demo", "serve"):
        assert command in out
