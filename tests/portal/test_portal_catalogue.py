"""The grant form's catalogue and the maximum mandate period per service: grouped by
provider, only services that allow a mandate, a GET search that needs no JavaScript, the
default period capped by the maximum, the form's error summary and the lifecycle's own check
(the form is not the only way in), and the ``toegang services add`` option."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import httpx
import pytest
from broker_harness import BrokerFixture
from portal_support import csrf_of, municipal_catalogue, portal_login
from support import Browser, parse_form

from broker.assurance import Level
from broker.cli import main
from broker.identifiers import PartyId
from broker.register.database import create_engine_for, migrate
from broker.register.demo import DEMO_SERVICE_ID
from mandates.audit import AuditSettings
from mandates.catalogue import RepresentationKind, ServiceTerms
from mandates.errors import MandateRefused
from mandates.lifecycle import MandateLifecycle
from mandates.rules import counted_days
from portal.forms import AMSTERDAM, GrantForm

CITIZEN = "999990007"
AGENT = "999990019"
MAX_DAYS = 90


async def _with_catalogue(broker: BrokerFixture) -> tuple[dict[str, str], Browser]:
    """The test catalogue, and the citizen logged in to the portal."""
    ids = municipal_catalogue(broker.state.engine, MAX_DAYS)
    citizen, _ = await portal_login(broker, CITIZEN)
    return ids, citizen


def _labels(page: httpx.Response) -> list[str]:
    return re.findall(r'name="services" value="([^"]+)"', page.text)


async def test_grouped_by_provider_and_only_services_that_allow_a_mandate(
    broker: BrokerFixture,
) -> None:
    ids, citizen = await _with_catalogue(broker)
    page = await citizen.client.get("/mijn/machtigen")
    assert page.status_code == 200
    assert set(_labels(page)) == {ids["parking"], ids["tax"], DEMO_SERVICE_ID}
    legends = re.findall(
        r'<legend class="utrecht-form-fieldset__legend">([^<]+)</legend>', page.text
    )
    assert legends[1:3] == ["Demo service provider", "Gemeente Voorbeeld"]
    # Sorted by name within the provider; the maximum is shown with the service.
    municipal = page.text.split("Gemeente Voorbeeld")[1]
    assert municipal.index("Gemeentelijke belastingen") < municipal.index("Parkeervergunning")
    assert f"hooguit {MAX_DAYS} dagen" in municipal
    assert 'id="service-0"' in page.text


async def test_search_narrows_the_catalogue_without_javascript(broker: BrokerFixture) -> None:
    ids, citizen = await _with_catalogue(broker)
    for query, expected in (
        ("parkeer", {ids["parking"]}),
        ("  PARKING   permit ", {ids["parking"]}),  # English name, any case and spacing
        ("voorbeeld", {ids["parking"], ids["tax"]}),  # the provider's name
        ("gemeente belasting", {ids["tax"]}),  # every word must match
        ("paspoort", set()),  # not a service one can authorise for
    ):
        page = await citizen.client.get("/mijn/machtigen", params={"zoek": query})
        assert page.status_code == 200, query
        assert set(_labels(page)) == expected, query
        assert 'role="status"' in page.text
        if expected:
            assert 'id="service-0"' in page.text
        else:
            assert 'id="search-empty"' in page.text and "paspoort" in page.text

    # A search the page cannot use is an error on the search field; the whole catalogue shows.
    bad = await citizen.client.get("/mijn/machtigen", params={"zoek": "x" * 101})
    assert bad.status_code == 400
    summary = bad.text.split('id="error-summary"')[1].split("</ul>")[0]
    assert 'href="#zoek"' in summary and "100 tekens" in summary
    assert 'aria-invalid="true"' in bad.text
    assert ids["parking"] in _labels(bad) and ids["tax"] in _labels(bad)
    # Markup typed into the search comes back as text only.
    page = await citizen.client.get("/mijn/machtigen", params={"zoek": "<script>x</script>"})
    assert "<script>x" not in page.text and "&lt;script&gt;x" in page.text


async def test_a_period_beyond_the_services_maximum_is_refused_on_the_form(
    broker: BrokerFixture,
) -> None:
    ids, citizen = await _with_catalogue(broker)
    form = await citizen.client.get("/mijn/machtigen")
    today = dt.datetime.now(AMSTERDAM).date()
    data = {
        "csrf": csrf_of(form),
        "services": [ids["parking"], DEMO_SERVICE_ID],
        "agent": AGENT,
        "valid_from": today.isoformat(),
        "valid_until": (today + dt.timedelta(days=MAX_DAYS)).isoformat(),  # one day too many
    }
    for target in ("/mijn/machtigen", "/mijn/machtigen/bevestigen"):
        refused = await citizen.client.post(target, data=data)
        assert refused.status_code == 400, target
        summary = refused.text.split('id="error-summary"')[1].split("</ul>")[0]
        last = (today + dt.timedelta(days=MAX_DAYS - 1)).strftime("%d-%m-%Y")
        assert 'href="#valid_until"' in summary
        assert f"hooguit {MAX_DAYS} dagen" in summary and last in summary
        assert 'id="valid_until-error"' in refused.text
    overview = await citizen.client.get("/mijn/")
    assert 'id="given-empty"' in overview.text  # nothing was granted

    english = await citizen.client.post("/mijn/machtigen?lang=en", data=data)
    assert f"at most {MAX_DAYS} days" in english.text

    data["valid_until"] = (today + dt.timedelta(days=MAX_DAYS - 1)).isoformat()
    confirm = await citizen.client.post("/mijn/machtigen", data=data)
    assert confirm.status_code == 200 and 'id="confirm-explain"' in confirm.text
    # The same period for the service without its own maximum is fine up to a year and more.
    data["services"] = [ids["tax"]]
    data["valid_until"] = (today + dt.timedelta(days=700)).isoformat()
    assert (await citizen.client.post("/mijn/machtigen", data=data)).status_code == 200


def test_the_default_period_is_a_year_capped_by_the_maximum() -> None:
    now = dt.datetime(2026, 11, 28, 15, 0, tzinfo=dt.UTC)
    assert GrantForm.blank(now, 1826).valid_until == "2027-11-28"
    capped = GrantForm.blank(now, MAX_DAYS)
    assert capped.valid_until == capped.proposed_until == "2027-02-25"
    leap = dt.datetime(2028, 2, 29, 9, 0, tzinfo=dt.UTC)
    assert GrantForm.blank(leap, 1826).valid_until == "2029-02-28"


def test_the_lifecycle_refuses_a_period_beyond_a_services_maximum(tmp_path: Path) -> None:
    """The invariant holds for every caller (management API, portal), not just the form."""
    engine = create_engine_for(f"sqlite:///{tmp_path / 'm.db'}")
    migrate(engine)
    lifecycle = MandateLifecycle(engine, AuditSettings(pseudonym_key=b"k" * 32))
    short = ServiceTerms(
        "s", Level.LOW, frozenset({RepresentationKind.VOLUNTARY}), max_mandate_days=MAX_DAYS
    )
    free = ServiceTerms("f", Level.LOW, frozenset({RepresentationKind.VOLUNTARY}))
    start = dt.datetime(2027, 6, 1, tzinfo=AMSTERDAM)  # across the autumn clock change

    def grant(days: int, services: list[ServiceTerms]) -> None:
        lifecycle.grant(
            principal=PartyId("bsn", CITIZEN),
            principal_level=Level.SUBSTANTIAL,
            agent=PartyId("bsn", AGENT),
            services=services,
            valid_from=start,
            valid_until=(start + dt.timedelta(days=days)).replace(tzinfo=AMSTERDAM),
            now=start,
        )

    assert counted_days(start, start + dt.timedelta(days=MAX_DAYS)) == MAX_DAYS
    grant(MAX_DAYS, [short, free])
    with pytest.raises(MandateRefused) as info:
        grant(MAX_DAYS + 1, [free, short])
    assert info.value.code == "period_too_long_for_service"
    assert info.value.message_nl and info.value.message_en
    grant(MAX_DAYS + 1, [free])


def test_services_add_takes_a_maximum_period(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("TOEGANG_CONFIG", raising=False)
    monkeypatch.setenv("TOEGANG__KEYS__DIRECTORY", f"{tmp_path}/keys")
    monkeypatch.setenv("TOEGANG__DATABASE__URL", f"sqlite:///{tmp_path}/cli.db")
    add = ["clients", "add", "--redirect-uri", "https://rp.example.nl/cb"]
    assert main([*add, "--auth-method", "client_secret_basic"]) == 0
    client_id = json.loads(capsys.readouterr().out)["client_id"]
    service = ["services", "add", "--client-id", client_id, "--name-nl", "A", "--name-en", "A"]
    service += ["--min-level", "low", "--allows-representation"]
    assert main([*service, "--max-mandate-days", "90"]) == 0
    assert json.loads(capsys.readouterr().out)["max_mandate_days"] == 90
    assert main(service) == 0
    assert json.loads(capsys.readouterr().out)["max_mandate_days"] is None
    for bad in ("0", "100000"):
        assert main([*service, "--max-mandate-days", bad]) == 2
        assert "maximum mandate period" in capsys.readouterr().err


async def test_the_proposed_end_date_is_shortened_to_the_maximum_and_said_so(
    broker: BrokerFixture,
) -> None:
    ids, citizen = await _with_catalogue(broker)
    form = await citizen.client.get("/mijn/machtigen")
    proposed = re.search(r'name="proposed_until" value="([^"]+)"', form.text)
    until = re.search(r'id="valid_until" name="valid_until" value="([^"]+)"', form.text)
    assert proposed and until and proposed.group(1) == until.group(1)
    today = dt.datetime.now(AMSTERDAM).date()
    assert dt.date.fromisoformat(until.group(1)) > today + dt.timedelta(days=360)
    confirm = await citizen.client.post(
        "/mijn/machtigen",
        data={
            "csrf": csrf_of(form),
            "services": ids["parking"],
            "agent": AGENT,
            "valid_from": today.isoformat(),
            "valid_until": until.group(1),
            "proposed_until": proposed.group(1),
        },
    )
    assert confirm.status_code == 200
    last = (today + dt.timedelta(days=MAX_DAYS - 1)).strftime("%d-%m-%Y")
    assert last in confirm.text.split('id="confirm-explain"')[1].split("</p>")[0]
    assert f"hooguit {MAX_DAYS} dagen" in confirm.text.split('id="confirm-shortened"')[1]
    action, fields = parse_form(confirm.text)
    done = await citizen.client.post(
        action, data={**fields, "services": ids["parking"]}, follow_redirects=True
    )
    assert done.status_code == 200 and 'id="portal-notice"' in done.text
    assert f"tot en met {last}" in done.text
