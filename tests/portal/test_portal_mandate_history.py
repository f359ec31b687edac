"""One mandate's own history on its page: granted, accepted, each use and the revocation,
newest first, with the BSNs masked; the principal's other mandates stay out of it."""

from __future__ import annotations

import re

from broker_harness import BrokerFixture
from portal_support import act, choose, demo_login, free_bsn, grant, option_for, portal_login

CITIZEN = free_bsn(1800)
AGENT = free_bsn(1900)
OTHER_AGENT = free_bsn(2000)


async def test_a_mandates_page_lists_what_happened_to_it(broker: BrokerFixture) -> None:
    citizen, _ = await portal_login(broker, CITIZEN)
    mandate_id = await grant(citizen, AGENT)
    other_id = await grant(citizen, OTHER_AGENT)
    agent, _ = await portal_login(broker, AGENT)
    await act(agent, mandate_id, "accept")
    demo, page = await demo_login(broker, AGENT)
    choice = option_for(page, CITIZEN)
    assert choice is not None
    await choose(demo, page, choice)
    await act(citizen, mandate_id, "revoke")

    for browser in (citizen, agent):  # both parties read the same history
        detail = await browser.client.get(f"/mijn/machtigingen/{mandate_id}")
        table = detail.text.split('id="events"')[1].split("</table>")[0]
        assert re.findall(r'data-event="(\w+)"', table) == [
            "revoked",
            "used",
            "active",
            "granted",
        ]
        used = table.split('data-event="used"')[1].split("</tr>")[0]
        assert f"BSN ••••••{AGENT[-3:]}" in used and "Demodienst" in used
        assert AGENT not in table and CITIZEN not in table and OTHER_AGENT[-3:] not in table

    other = await citizen.client.get(f"/mijn/machtigingen/{other_id}")
    table = other.text.split('id="events"')[1].split("</table>")[0]
    assert re.findall(r'data-event="(\w+)"', table) == ["granted"]
    english = await citizen.client.get(f"/mijn/machtigingen/{mandate_id}?lang=en")
    assert "History of this mandate" in english.text and "Revoked" in english.text
