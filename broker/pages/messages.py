"""The hand-written message catalogue: one dict per language, keyed by message id.

A plain dict (not gettext) keeps the texts reviewable in one file and lets a test prove that
Dutch and English have exactly the same keys. Placeholders use ``str.format`` names
(``{service}``); values are plain text, HTML-escaped on output by Jinja's autoescape.
"""

from __future__ import annotations

from typing import Final

NL: Final[dict[str, str]] = {
    # "On whose behalf" after login (broker.flow.representation; vocabulary: Logius Machtigen).
    "represent.title": "Namens wie wilt u dit regelen?",
    "represent.intro": "U bent ingelogd voor {service}. Kies voor wie u dit regelt.",
    "represent.self": "Voor mijzelf",
    "represent.who.voluntary": "Iemand die mij heeft gemachtigd ({id})",
    "represent.who.chain": "Een organisatie via een ketenmachtiging ({id})",
    "represent.who.parental_authority": "Mijn kind ({id})",
    "represent.who.guardianship": "Een kind onder mijn voogdij ({id})",
    "represent.who.curatele": "Iemand onder mijn curatele ({id})",
    "represent.who.beschermingsbewind": "Iemand onder mijn beschermingsbewind ({id})",
    "represent.who.mentorschap": "Iemand van wie ik mentor ben ({id})",
    "represent.basis_label": "Op grond van: {basis}",
    "represent.basis.voluntary": "machtiging",
    "represent.basis.chain": "ketenmachtiging",
    "represent.basis.parental_authority": "ouderlijk gezag",
    "represent.basis.guardianship": "voogdij",
    "represent.basis.curatele": "curatele",
    "represent.basis.beschermingsbewind": "beschermingsbewind",
    "represent.basis.mentorschap": "mentorschap",
    "represent.masked_note": (
        "Van burgerservicenummers tonen we alleen de laatste drie cijfers."
    ),
    "represent.unavailable": (
        "Let op: we konden {sources} nu niet raadplegen. Vertegenwoordiging die daarvan "
        "afhangt, kunnen we nu niet aanbieden. Probeer het later opnieuw."
    ),
    "represent.source.brp_gezag": "de Basisregistratie Personen (gezag over kinderen)",
    "represent.source.ccbr": "het Centraal Curatele- en Bewindregister",
    "represent.none_offered": "Er is niemand namens wie u deze dienst kunt gebruiken.",
    "represent.continue": "Doorgaan",
    "represent.cancel": "Annuleren en terug naar {service}",
    "represent.error": "Kies voor wie u dit wilt regelen.",
    "represent.error_prefix": "Fout",
    "represent.denied_title": "U kunt dit niet namens deze persoon regelen",
    "represent.denied_intro": "U wilde {service} gebruiken namens iemand anders.",
    "represent.back": "Terug naar de keuze",
    "represent.not_applicable_heading": "Niet voor deze dienst",
    "represent.not_applicable_intro": (
        "U vertegenwoordigt ook deze personen of organisaties, maar niet voor {service}:"
    ),
    "represent.not_applicable_item": "{who}: {reason}",
    # Step-up: the login reached a lower level than the service needs.
    "stepup.title": "Hoger betrouwbaarheidsniveau nodig",
    "stepup.explain": (
        "U bent ingelogd op niveau {achieved}, maar {service} vraagt minstens niveau {required}."
    ),
    "stepup.advice": "Log opnieuw in met een inlogmiddel dat niveau {required} haalt.",
    "stepup.retry": "Opnieuw inloggen op niveau {required}",
    "stepup.back": "Terug naar {service}",
    "product_name": "Stelsel Toegang",
    "skip_link": "Naar de inhoud",
    "lang_switch.label": "Taal kiezen",
    "footer.label": "Over deze website",
    "footer.privacy": "Privacy",
    "footer.accessibility": "Toegankelijkheid",
    # Levels of assurance in plain words (DigiD's names; eIDAS low = DigiD Midden).
    "level.basic": "Basis",
    "level.basic.explain": "Inloggen met gebruikersnaam en wachtwoord is genoeg.",
    "level.low": "Midden",
    "level.low.explain": ("U heeft een extra controle nodig, zoals de DigiD app of een sms-code."),
    "level.substantial": "Substantieel",
    "level.substantial.explain": (
        "U heeft een inlogmiddel nodig waarbij uw identiteit extra is gecontroleerd, "
        "zoals de DigiD app met ID-check."
    ),
    "level.high": "Hoog",
    "level.high.explain": (
        "U heeft het hoogste niveau nodig, zoals inloggen met een identiteitsbewijs met chip."
    ),
    # The login-means chooser ("inlogstraat").
    "choose.title": "Kies hoe u wilt inloggen",
    "choose.intro": "U logt in bij {service}.",
    "choose.intro_org": "U logt in bij {service} van {organisation}.",
    "choose.level": "Deze dienst vraagt betrouwbaarheidsniveau {level}.",
    "choose.means_heading": "Inlogmiddelen",
    "choose.login_with": "Inloggen met {means}",
    "choose.none_available": ("Er is op dit moment geen inlogmiddel beschikbaar voor deze dienst."),
    "choose.unavailable_heading": "Niet beschikbaar voor deze dienst",
    "choose.unavailable_item": "{means}: {reason}",
    "choose.cancel": "Annuleren en terug naar {service}",
    "unavailable.level_too_low": (
        "Dit inlogmiddel biedt niet het betrouwbaarheidsniveau dat deze dienst vraagt."
    ),
    "unavailable.not_offered": "Deze dienst biedt dit inlogmiddel niet aan.",
    "unavailable.out_of_service": "Dit inlogmiddel is tijdelijk niet beschikbaar.",
    # Error page.
    "error.title": "Er is iets misgegangen",
    "error.next_steps": (
        "Probeer het later opnieuw. Blijft het probleem? Neem dan contact op met de "
        "organisatie van de dienst waar u wilde inloggen en noem de foutcode hieronder."
    ),
    "error.back_to": "Terug naar {service}",
    "error.code_heading": "Gegevens voor de helpdesk",
    "error.code": "Foutcode",
    "error.reference": "Referentie",
    "error.not_found": "Deze pagina bestaat niet.",
    # Accessibility statement.
    "a11y.title": "Toegankelijkheidsverklaring",
    "a11y.intro": (
        "Wij willen dat iedereen kan inloggen, ook met een beperking. Deze pagina's moeten "
        "voldoen aan de Europese norm EN 301 549 en de richtlijnen WCAG 2.1 op niveau AA."
    ),
    "a11y.status_heading": "Hoe ver zijn we?",
    "a11y.status": (
        "Elke pagina wordt automatisch getest op toegankelijkheid, in het "
        "Nederlands en in het Engels, ook op een smal scherm. Automatische tests vinden maar "
        "een deel van de problemen. Een onderzoek door een deskundige is nog niet gedaan. "
        "Daarom zeggen we nog niet dat we volledig aan de eisen voldoen."
    ),
    "a11y.measures_heading": "Wat we doen",
    "a11y.measure_keyboard": "Alle pagina's werken met alleen een toetsenbord.",
    "a11y.measure_zoom": ("U kunt tot 400 procent inzoomen zonder dat u opzij hoeft te scrollen."),
    "a11y.measure_text": ("Namen van inlogmiddelen staan er als tekst, niet alleen als plaatje."),
    "a11y.measure_noscript": "De pagina's werken zonder JavaScript.",
    "a11y.limits_heading": "Wat niet onder deze verklaring valt",
    "a11y.limits": (
        "Na uw keuze gaat u naar de website van het inlogmiddel, zoals DigiD of eHerkenning. "
        "Voor die websites geldt de toegankelijkheidsverklaring van die organisatie."
    ),
    "a11y.contact_heading": "Loopt u tegen een probleem aan?",
    "a11y.contact": (
        "Laat het ons weten via de organisatie van de dienst waar u wilde inloggen. "
        "Zij geven uw melding aan ons door."
    ),
    # Privacy statement.
    "privacy.title": "Privacy",
    "privacy.intro": (
        "Via deze website logt u in bij een dienst van een overheidsorganisatie. Wij geven "
        "alleen de gegevens door die deze dienst nodig heeft om te weten wie u bent."
    ),
    "privacy.data_heading": "Welke gegevens",
    "privacy.data": (
        "Het inlogmiddel geeft ons uw inlognummer, zoals uw burgerservicenummer bij DigiD, "
        "en het niveau waarop u bent ingelogd. Wij geven die door aan de dienst waar u "
        "inlogt. Wij bewaren uw gegevens niet langer dan nodig is om het inloggen af te ronden."
    ),
    "privacy.cookies_heading": "Cookies",
    "privacy.cookies": (
        "Wij gebruiken alleen cookies die nodig zijn om het inloggen veilig te laten verlopen, "
        "en een cookie dat uw taalkeuze onthoudt. Wij gebruiken geen cookies om u te volgen."
    ),
    "privacy.responsible_heading": "Wie is verantwoordelijk",
    "privacy.responsible": (
        "De organisatie van de dienst waar u inlogt is verantwoordelijk voor uw gegevens. "
        "In haar privacyverklaring leest u uw rechten en waar u terecht kunt met vragen."
    ),
    # Logout confirmation (a logout request not tied to this browser's session).
    "logout_confirm.title": "Wilt u uitloggen?",
    "logout_confirm.asked_by": "{client} vraagt om u uit te loggen bij Stelsel Toegang.",
    "logout_confirm.asked": "Er is gevraagd om u uit te loggen bij Stelsel Toegang.",
    "logout_confirm.explain": (
        "Als u uitlogt, wordt u ook uitgelogd bij de andere diensten waar u via Stelsel Toegang "
        "bent ingelogd."
    ),
    "logout_confirm.yes": "Ja, uitloggen",
    "logout_confirm.no": "Nee, ingelogd blijven",
    "logout_confirm.kept_title": "U bent nog ingelogd",
    "logout_confirm.kept_body": (
        "U bent niet uitgelogd. U kunt dit venster sluiten en verdergaan bij de dienst."
    ),
    # Logged-out page (RP-initiated logout without a return address).
    "logged_out.title": "U bent uitgelogd",
    "logged_out.body": "U bent uitgelogd bij Stelsel Toegang.",
    "logged_out.next_steps": (
        "Sluit uw browser als u een gedeelde computer gebruikt. Wilt u weer inloggen? "
        "Ga dan terug naar de dienst waar u wilde inloggen."
    ),
    # The demo service provider (conformance/demo_sp), served under /demo-sp/.
    "demo_sp.title": "Demodienst",
    "demo_sp.intro": (
        "Dit is een voorbeeld van een dienst die via Stelsel Toegang laat inloggen. "
        "U logt in bij de DigiD-simulator, niet bij de echte DigiD."
    ),
    "demo_sp.level_legend": "Betrouwbaarheidsniveau",
    "demo_sp.level_hint": (
        "Het niveau dat de demodienst vraagt. Vraagt u minder dan de dienst minimaal eist, "
        "dan geldt het minimum van de dienst."
    ),
    "demo_sp.login": "Inloggen",
    "demo_sp.login_digid": "Inloggen met DigiD",
    "demo_sp.result_title": "U bent ingelogd",
    "demo_sp.error_title": "Inloggen is niet gelukt",
    "demo_sp.error": "Stelsel Toegang gaf deze fout terug:",
    "demo_sp.claims_intro": (
        "De demodienst heeft het ID-token gecontroleerd. Dit zijn de gegevens die erin staan."
    ),
    "demo_sp.claims_caption": "Gegevens in het ID-token",
    "demo_sp.claim": "Gegeven",
    "demo_sp.value": "Waarde",
    "demo_sp.again": "Opnieuw inloggen",
    # eIDAS login means: the HTTP-POST binding pages (broker/means/eidas).
    "eidas.post.to_node": "U gaat naar de Europese inlogdienst (eIDAS)",
    "eidas.post.returning": "U komt terug van de Europese inlogdienst (eIDAS)",
    "eidas.post.explain": "Gaat u niet vanzelf verder? Kies dan Doorgaan.",
    "eidas.post.continue": "Doorgaan",
    # EU Digital Identity wallet login means (broker/means/wallet).
    "wallet.title": "Inloggen met uw EU Digitale Identiteit (wallet)",
    "wallet.intro": (
        "{service} vraagt uit uw wallet alleen: achternaam, voornamen, geboortedatum en "
        "burgerservicenummer (BSN)."
    ),
    "wallet.same_device.heading": "Wallet op dit apparaat",
    "wallet.same_device.open": "Open uw wallet-app",
    "wallet.same_device.haip": "Open een andere wallet-app",
    "wallet.same_device.universal": "Open de wallet via de website van de wallet",
    "wallet.sim.link": "Testwallet openen (geen echte wallet)",
    "wallet.sim.cross_link": "Testwallet openen als tweede apparaat (geen echte wallet)",
    "wallet.cross_device.heading": "Wallet op een ander apparaat",
    "wallet.cross_device.explain": "Scan de QR-code met de wallet-app op uw telefoon.",
    "wallet.cross_device.unavailable": (
        "Deze dienst vraagt betrouwbaarheidsniveau Hoog. Daarvoor kunt u de wallet alleen op "
        "dit apparaat gebruiken."
    ),
    "wallet.qr.label": "QR-code om in te loggen met uw wallet",
    "wallet.status.pending": "Wachten op het antwoord van uw wallet.",
    "wallet.status.done": "Uw wallet heeft geantwoord. U gaat verder.",
    "wallet.status.done_elsewhere": (
        "Uw wallet heeft geantwoord. Ga verder in het venster dat de wallet heeft geopend."
    ),
    "wallet.status.failed": "Het antwoord van uw wallet is niet geaccepteerd.",
    "wallet.continue.heading": "Heeft u uw wallet gebruikt?",
    "wallet.continue.button": "Ik heb de wallet gebruikt, ga verder",
    "wallet.continue.not_yet": (
        "Uw wallet heeft nog niet geantwoord. Gebruik eerst uw wallet en kies daarna opnieuw "
        "voor verder gaan."
    ),
    "wallet.cancel": "Annuleren en terug naar de dienst",
    "wallet.expires": "Deze inlogpoging verloopt na {minutes} minuten.",
    # The self-service portal "Mijn machtigingen" (portal/, served under /mijn).
    "portal.name": "Mijn machtigingen",
    "portal.nav.label": "Mijn machtigingen",
    "portal.nav.overview": "Overzicht",
    "portal.nav.grant": "Iemand machtigen",
    "portal.nav.history": "Wie heeft namens mij gehandeld?",
    "portal.logout": "Uitloggen",
    "portal.logged_in_as": "Ingelogd met BSN {bsn} op niveau {level}.",
    "portal.login.title": "Mijn machtigingen",
    "portal.login.intro": (
        "Hier ziet u wie u heeft gemachtigd en wie u heeft gemachtigd om namens u te handelen. "
        "U kunt iemand machtigen, een machtiging accepteren of intrekken, en zien wie namens "
        "u heeft gehandeld."
    ),
    "portal.login.level": (
        "U logt in op niveau Substantieel, bijvoorbeeld met de DigiD app met ID-check. "
        "Deel nooit uw inloggegevens: wie namens u handelt, logt in met een eigen DigiD."
    ),
    "portal.login.button": "Inloggen",
    "portal.overview.title": "Mijn machtigingen",
    "portal.given.caption": "Machtigingen die u heeft gegeven",
    "portal.given.empty": "U heeft niemand gemachtigd.",
    "portal.received.caption": "Machtigingen die u heeft gekregen",
    "portal.received.empty": "Niemand heeft u gemachtigd.",
    "portal.pending.caption": "Wachten op uw antwoord",
    "portal.pending.empty": "Er wachten geen machtigingen op uw antwoord.",
    "portal.col.agent": "Gemachtigde",
    "portal.col.principal": "Machtiginggever",
    "portal.col.services": "Diensten",
    "portal.col.period": "Periode",
    "portal.col.level": "Niveau",
    "portal.col.state": "Status",
    "portal.col.details": "Details",
    "portal.period": "{start} tot en met {end}",
    "portal.bsn": "BSN {bsn}",
    "portal.view": "Bekijken",
    "portal.view_label": "Machtiging bekijken: {who}",
    "portal.state.requested": "Wacht op acceptatie",
    "portal.state.active": "Actief",
    "portal.state.rejected": "Geweigerd",
    "portal.state.revoked": "Ingetrokken",
    "portal.state.expired": "Verlopen",
    "portal.grant.title": "Iemand machtigen",
    "portal.grant.intro": (
        "Kies wat de gemachtigde namens u mag doen, wie dat is en hoe lang. De gemachtigde "
        "moet de machtiging daarna zelf accepteren door in te loggen."
    ),
    "portal.grant.services": "Welke diensten mag de gemachtigde namens u gebruiken?",
    "portal.grant.services_hint": (
        "Alleen diensten die namens iemand anders gebruikt mogen worden, staan hier."
    ),
    "portal.grant.no_services": "Er zijn nu geen diensten waarvoor u iemand kunt machtigen.",
    "portal.grant.min_level": "minimaal niveau {level}",
    "portal.grant.agent": "BSN of KvK-nummer van de gemachtigde",
    "portal.grant.agent_hint": (
        "Een persoon machtigt u met het burgerservicenummer (9 cijfers, bijvoorbeeld "
        "999990019). Een organisatie, zoals een administratiekantoor, machtigt u met het "
        "KvK-nummer (8 cijfers, bijvoorbeeld 90000010); haar medewerkers handelen dan namens u."
    ),
    "portal.grant.period": "Hoe lang geldt de machtiging?",
    "portal.grant.valid_from": "Vanaf",
    "portal.grant.valid_until": "Tot en met",
    "portal.grant.date_hint": "Datum als jjjj-mm-dd, bijvoorbeeld 2026-12-31.",
    "portal.grant.next": "Verder naar controleren",
    "portal.grant.cancel": "Annuleren",
    "portal.error_prefix": "Fout",
    "portal.error.summary": "Er is iets niet goed ingevuld",
    "portal.error.services": "Kies minstens één dienst.",
    "portal.error.services_unknown": "Kies alleen diensten uit de lijst.",
    "portal.error.agent_missing": "Vul het BSN of het KvK-nummer van de gemachtigde in.",
    "portal.error.agent_format": (
        "Vul een BSN van 9 cijfers of een KvK-nummer van 8 cijfers in, zonder letters of "
        "andere tekens."
    ),
    "portal.error.agent_invalid": (
        "Dit is geen geldig burgerservicenummer. Controleer de 9 cijfers."
    ),
    "portal.error.date": "Vul een datum in als jjjj-mm-dd.",
    "portal.error.until_before_from": "De einddatum moet na de begindatum liggen.",
    "portal.error.agent_self": (
        "U kunt uzelf niet machtigen. Vul het BSN of KvK-nummer van de gemachtigde in."
    ),
    "portal.error.until_past": "De einddatum ligt in het verleden. Kies vandaag of later.",
    "portal.error.refused": "Dit kan niet",
    "portal.confirm.title": "Controleer uw machtiging",
    "portal.confirm.explain": (
        "Na acceptatie kan de persoon met BSN {agent} van {start} tot en met {end} namens u "
        "de volgende diensten gebruiken:"
    ),
    "portal.confirm.level": (
        "U bent ingelogd op niveau {level}. De machtiging geldt daarom voor diensten tot en "
        "met dat niveau."
    ),
    "portal.confirm.accept_first": (
        "De gemachtigde moet de machtiging eerst zelf accepteren door in te loggen met een "
        "eigen DigiD. U kunt de machtiging altijd intrekken; dat werkt meteen."
    ),
    "portal.confirm.submit": "Machtiging geven",
    "portal.confirm.change": "Wijzigen",
    "portal.mandate.title": "Machtiging",
    "portal.mandate.you_gave": "U heeft deze machtiging gegeven.",
    "portal.mandate.you_got": "U heeft deze machtiging gekregen.",
    "portal.mandate.what_agent": "Wat de gemachtigde mag",
    "portal.mandate.back": "Terug naar het overzicht",
    "portal.action.accept": "Accepteren",
    "portal.action.reject": "Weigeren",
    "portal.action.revoke": "Machtiging intrekken",
    "portal.action.accept.title": "Machtiging accepteren",
    "portal.action.accept.chain": (
        "De machtiging is voor uw organisatie. Na acceptatie handelen uw medewerkers ermee zodra "
        "u hen machtigt, met hun BSN en voor dezelfde diensten."
    ),
    "portal.action.reject.title": "Machtiging weigeren",
    "portal.action.revoke.title": "Machtiging intrekken",
    "portal.action.accept.explain": (
        "Als u accepteert, kunt u namens {principal} deze diensten gebruiken, van {start} "
        "tot en met {end}:"
    ),
    "portal.action.reject.explain": (
        "Als u weigert, kunt u deze diensten niet namens {principal} gebruiken:"
    ),
    "portal.action.revoke.explain": (
        "Na het intrekken kan niemand meer op grond van deze machtiging handelen. Dat werkt "
        "meteen en kan niet ongedaan worden gemaakt. Het gaat om deze diensten:"
    ),
    "portal.action.cancel": "Niet doen, terug",
    "portal.done.granted": (
        "De machtiging is gegeven. De gemachtigde moet haar nu zelf accepteren."
    ),
    "portal.done.accepted": "U heeft de machtiging geaccepteerd.",
    "portal.done.rejected": "U heeft de machtiging geweigerd.",
    "portal.done.revoked": "De machtiging is ingetrokken.",
    "portal.history.title": "Wie heeft namens mij gehandeld?",
    "portal.history.intro": (
        "Hier staat elke keer dat iemand namens u een dienst heeft gebruikt, de nieuwste eerst."
    ),
    "portal.history.caption": "Handelingen namens u",
    "portal.history.empty": "Niemand heeft namens u gehandeld.",
    "portal.org.history.title": "Wie heeft namens de organisatie gehandeld?",
    "portal.org.history.intro": (
        "Hier staat elke keer dat iemand namens de organisatie een dienst heeft gebruikt, "
        "de nieuwste eerst."
    ),
    "portal.org.history.caption": "Handelingen namens de organisatie",
    "portal.org.history.empty": "Niemand heeft namens de organisatie gehandeld.",
    "portal.history.when": "Wanneer",
    "portal.history.who": "Wie",
    "portal.history.service": "Dienst",
    "portal.history.basis": "Op grond van",
    # Organisations in the portal (portal.organisation), logged in with eHerkenning.
    "portal.party.kvk": "KvK {value}",
    "portal.party.rsin": "RSIN {value}",
    "portal.login.org_intro": (
        "Regelt u machtigingen voor een bedrijf of organisatie? Log dan in met eHerkenning "
        "als vertegenwoordiger van die organisatie."
    ),
    "portal.login.org_button": "Inloggen met eHerkenning",
    "portal.org.logged_in_as": "Ingelogd met eHerkenning namens {org} op niveau {level}.",
    "portal.org.nav.grant": "Iemand machtigen namens de organisatie",
    "portal.org.nav.history": "Wie heeft namens de organisatie gehandeld?",
    "portal.org.title": "Machtigingen van {org}",
    "portal.org.intro": (
        "U regelt dit namens de organisatie. Machtig medewerkers met hun BSN, of een "
        "intermediair (zoals een administratiekantoor) met zijn KvK-nummer: de medewerkers "
        "van de intermediair handelen dan namens uw organisatie (ketenmachtiging)."
    ),
    "portal.org.given.caption": "Wie namens de organisatie mag handelen",
    "portal.org.given.empty": "De organisatie heeft niemand gemachtigd.",
    "portal.org.received.caption": "Wat de organisatie mag doen, en voor wie",
    "portal.org.received.empty": "Niemand heeft de organisatie gemachtigd.",
    "portal.org.received.hint": (
        "Uw medewerkers handelen namens deze opdrachtgevers zodra u hen machtigt: met hun BSN, "
        "voor dezelfde diensten."
    ),
    "portal.org.pending.caption": "Wachten op het antwoord van de organisatie",
    "portal.org.pending.empty": "Er wachten geen machtigingen op het antwoord van de organisatie.",
    "portal.error.no_chain": (
        "Voor {services} kunt u geen organisatie machtigen, alleen een persoon met een BSN."
    ),
    "portal.confirm.explain_org": (
        "Na acceptatie kunnen medewerkers van de organisatie met KvK-nummer {agent} van "
        "{start} tot en met {end} namens u de volgende diensten gebruiken:"
    ),
    "portal.confirm.accept_first_org": (
        "De organisatie moet de machtiging eerst accepteren door in te loggen met "
        "eHerkenning. U kunt de machtiging altijd intrekken; dat werkt meteen."
    ),
    "portal.confirm.shortened": (
        "De einddatum is vervroegd: voor de gekozen diensten mag een machtiging hooguit {days} "
        "dagen gelden. Kies Wijzigen voor een andere periode."
    ),
    "portal.mandate.events": "Geschiedenis van deze machtiging",
    "portal.mandate.events_empty": "Er is nog niets met deze machtiging gebeurd.",
    "portal.mandate.what": "Wat",
    "portal.event.granted": "Gegeven",
    "portal.event.active": "Geaccepteerd",
    "portal.event.rejected": "Geweigerd",
    "portal.event.revoked": "Ingetrokken",
    "portal.event.expired": "Verlopen",
    "portal.event.used": "Gebruikt",
    "portal.a11y.link": "Toegankelijkheid van Mijn machtigingen",
    "portal.a11y.title": "Toegankelijkheidsverklaring Mijn machtigingen",
    "portal.a11y.intro": (
        "Wij willen dat iedereen zelf machtigingen kan regelen, ook met een beperking. Mijn "
        "machtigingen moet voldoen aan de Europese norm EN 301 549 en aan de richtlijnen WCAG "
        "2.2 op niveau AA."
    ),
    "portal.a11y.status": (
        "Mijn machtigingen voldoet gedeeltelijk. Bij elke wijziging wordt elke pagina "
        "automatisch getest op de regels van WCAG 2.2 niveau A en AA, in het Nederlands en in "
        "het Engels. Automatische tests vinden maar een deel van de problemen en een onderzoek "
        "door een deskundige is nog niet gedaan. Daarom zeggen we nog niet dat we volledig aan "
        "de eisen voldoen."
    ),
    "portal.a11y.measure.noscript": (
        "Alle pagina's werken met alleen een toetsenbord en zonder JavaScript."
    ),
    "portal.a11y.measure.errors": (
        "Staat er iets niet goed in een formulier, dan ziet u bovenaan een overzicht met een "
        "link naar elk veld dat u moet verbeteren."
    ),
    "portal.a11y.measure.tables": (
        "Tabellen hebben kopjes, zodat een schermlezer ze goed voorleest."
    ),
    "portal.a11y.measure.session": (
        "Op elke pagina staat hoe laat uw sessie verloopt en hoe u die verlengt. Na {minutes} "
        "minuten zonder activiteit wordt u uitgelogd; wat u nog niet had bevestigd, wordt dan "
        "niet bewaard."
    ),
    "portal.a11y.measure.language": "Alle pagina's zijn er in het Nederlands en in het Engels.",
    "portal.a11y.limits": (
        "Om in te loggen gaat u naar DigiD; daar geldt de toegankelijkheidsverklaring van DigiD. "
        "Voor de inlogpagina's geldt een eigen verklaring:"
    ),
    "portal.a11y.broker_statement": "toegankelijkheidsverklaring van het inloggen",
    "portal.a11y.contact": (
        "Laat het ons weten via de organisatie die u naar Mijn machtigingen verwees. Zij geven "
        "uw melding aan ons door."
    ),
    "portal.a11y.date": "Deze verklaring is opgesteld op 28 november 2026.",
    "portal.session.ends": "Als u niets doet, verloopt uw sessie om {time} uur.",
    "portal.session.extend": "Sessie verlengen",
    "portal.session.next_step": "Met de volgende stap verlengt u uw sessie.",
    "portal.session.expired.title": "Uw sessie is verlopen",
    "portal.session.expired.explain": (
        "U was {minutes} minuten niet actief. Om uw gegevens te beschermen bent u uitgelogd. "
        "Wat u nog niet had bevestigd, is niet bewaard en er is niets gewijzigd. "
        "Log opnieuw in om verder te gaan."
    ),
    "portal.grant.search": "Zoek een dienst",
    "portal.grant.search_hint": "Typ (een deel van) de naam van de dienst of de organisatie.",
    "portal.grant.search_button": "Zoeken",
    "portal.grant.search_result": "{count} dienst(en) gevonden voor “{query}”.",
    "portal.grant.search_clear": "Toon alle diensten",
    "portal.grant.search_empty": "Geen diensten gevonden voor “{query}”. Probeer een ander woord.",
    "portal.grant.max_days": "hooguit {days} dagen",
    "portal.error.search_too_long": "Gebruik hooguit 100 tekens om te zoeken.",
    "portal.error.too_long": (
        "Voor de gekozen diensten mag de machtiging hooguit {days} dagen gelden: kies als "
        "einddatum uiterlijk {last}."
    ),
    "portal.legal.kvk": "KvK-nummer {kvk}",
    "portal.legal.title": "Wettelijke vertegenwoordiging",
    "portal.legal.intro": (
        "Wettelijke vertegenwoordiging regelt u niet hier: ze volgt uit het gezag over een kind "
        "of uit een besluit van de rechter. Hier ziet u wat de registers erover zeggen en "
        "wanneer wij dat hebben opgevraagd."
    ),
    "portal.legal.unavailable": (
        "Wij konden niet alles controleren. Deze registers gaven nu geen antwoord; probeer het "
        "later opnieuw:"
    ),
    "portal.legal.mine.caption": "Voor wie u wettelijk vertegenwoordiger bent",
    "portal.legal.mine.empty": "Volgens de registers vertegenwoordigt u niemand.",
    "portal.legal.me.caption": "Wie uw wettelijk vertegenwoordiger is",
    "portal.legal.me.empty": "Volgens de registers vertegenwoordigt niemand u.",
    "portal.legal.col.represented": "Vertegenwoordigde",
    "portal.legal.col.representative": "Vertegenwoordiger",
    "portal.legal.col.basis": "Op grond van",
    "portal.legal.col.source": "Bron",
    "portal.legal.col.retrieved": "Opgevraagd op",
    "portal.legal.source.brp_gezag": "BRP (gezagsgegevens)",
    "portal.legal.source.ccbr": "Curatele- en bewindregister",
    "portal.legal.state.valid": "Geldig",
    "portal.legal.state.blocked": "Niet automatisch: neem contact op met de gemeente",
    "portal.legal.state.ended": "Niet (meer) geldig",
    "portal.legal.state.of_age": "Beëindigd: meerderjarig",
    "portal.outbox.subject": "U bent gevraagd om namens iemand te handelen",
    "portal.outbox.body": (
        "Iemand heeft u gemachtigd voor: {services}, van {start} tot en met {end}. "
        "Log in bij Mijn machtigingen om de machtiging te accepteren of te weigeren."
    ),
    "portal.refused.title": "Dit lukt niet",
    "portal.refused.login_failed": (
        "Inloggen is niet gelukt. Probeer het opnieuw vanaf het begin."
    ),
    "portal.refused.csrf": (
        "Uw formulier is verlopen of kwam niet van deze website. Ga terug en probeer het "
        "opnieuw."
    ),
    "portal.refused.not_found": "Deze machtiging bestaat niet of is niet van u.",
    "portal.refused.not_allowed": "Dit kan niet (meer) met deze machtiging.",
    "portal.refused.back": "Naar Mijn machtigingen",
}

EN: Final[dict[str, str]] = {
    # "On whose behalf" after login (broker.flow.representation).
    "represent.title": "On whose behalf do you want to arrange this?",
    "represent.intro": "You are logged in for {service}. Choose for whom you arrange this.",
    "represent.self": "For myself",
    "represent.who.voluntary": "Someone who authorised me ({id})",
    "represent.who.chain": "An organisation through a chain mandate ({id})",
    "represent.who.parental_authority": "My child ({id})",
    "represent.who.guardianship": "A child in my guardianship ({id})",
    "represent.who.curatele": "Someone under my curatorship ({id})",
    "represent.who.beschermingsbewind": "Someone whose finances I administer ({id})",
    "represent.who.mentorschap": "Someone I am mentor for ({id})",
    "represent.basis_label": "Basis: {basis}",
    "represent.basis.voluntary": "mandate (machtiging)",
    "represent.basis.chain": "chain mandate (ketenmachtiging)",
    "represent.basis.parental_authority": "parental authority (ouderlijk gezag)",
    "represent.basis.guardianship": "guardianship (voogdij)",
    "represent.basis.curatele": "curatorship (curatele)",
    "represent.basis.beschermingsbewind": "financial administration (beschermingsbewind)",
    "represent.basis.mentorschap": "mentorship (mentorschap)",
    "represent.masked_note": "Of citizen service numbers we show only the last three digits.",
    "represent.unavailable": (
        "Please note: we could not consult {sources} right now. Representation that depends "
        "on it cannot be offered now. Please try again later."
    ),
    "represent.source.brp_gezag": "the Personal Records Database (authority over children)",
    "represent.source.ccbr": "the central register of curatorship and administration",
    "represent.none_offered": "There is nobody on whose behalf you can use this service.",
    "represent.continue": "Continue",
    "represent.cancel": "Cancel and return to {service}",
    "represent.error": "Choose on whose behalf you want to arrange this.",
    "represent.error_prefix": "Error",
    "represent.denied_title": "You cannot arrange this on behalf of this person",
    "represent.denied_intro": "You wanted to use {service} on behalf of someone else.",
    "represent.back": "Back to the choice",
    "represent.not_applicable_heading": "Not for this service",
    "represent.not_applicable_intro": (
        "You also represent these people or organisations, but not for {service}:"
    ),
    "represent.not_applicable_item": "{who}: {reason}",
    # Step-up: the login reached a lower level than the service needs.
    "stepup.title": "Higher assurance level needed",
    "stepup.explain": (
        "You logged in at level {achieved}, but {service} needs at least level {required}."
    ),
    "stepup.advice": "Log in again with a login means that reaches level {required}.",
    "stepup.retry": "Log in again at level {required}",
    "stepup.back": "Back to {service}",
    "product_name": "Stelsel Toegang",
    "skip_link": "Skip to content",
    "lang_switch.label": "Choose a language",
    "footer.label": "About this website",
    "footer.privacy": "Privacy",
    "footer.accessibility": "Accessibility",
    "level.basic": "Basic",
    "level.basic.explain": "Logging in with a username and password is enough.",
    "level.low": "Medium",
    "level.low.explain": "You need an extra check, such as the DigiD app or a text message code.",
    "level.substantial": "Substantial",
    "level.substantial.explain": (
        "You need a login means for which your identity was checked, "
        "such as the DigiD app with ID check."
    ),
    "level.high": "High",
    "level.high.explain": (
        "You need the highest level, such as logging in with an identity document with a chip."
    ),
    "choose.title": "Choose how to log in",
    "choose.intro": "You are logging in to {service}.",
    "choose.intro_org": "You are logging in to {service} of {organisation}.",
    "choose.level": "This service requires assurance level {level}.",
    "choose.means_heading": "Login means",
    "choose.login_with": "Log in with {means}",
    "choose.none_available": "No login means is available for this service at the moment.",
    "choose.unavailable_heading": "Not available for this service",
    "choose.unavailable_item": "{means}: {reason}",
    "choose.cancel": "Cancel and return to {service}",
    "unavailable.level_too_low": (
        "This login means does not offer the assurance level this service requires."
    ),
    "unavailable.not_offered": "This service does not offer this login means.",
    "unavailable.out_of_service": "This login means is temporarily unavailable.",
    "error.title": "Something went wrong",
    "error.next_steps": (
        "Please try again later. If the problem continues, contact the organisation of the "
        "service you wanted to log in to and mention the error code below."
    ),
    "error.back_to": "Back to {service}",
    "error.code_heading": "Details for the helpdesk",
    "error.code": "Error code",
    "error.reference": "Reference",
    "error.not_found": "This page does not exist.",
    "a11y.title": "Accessibility statement",
    "a11y.intro": (
        "We want everyone to be able to log in, including people with a disability. These "
        "pages must meet the European standard EN 301 549 and WCAG 2.1 at level AA."
    ),
    "a11y.status_heading": "Where we are",
    "a11y.status": (
        "Every page is tested for accessibility automatically, in Dutch and "
        "in English, also on a narrow screen. Automated tests find only some of the problems. "
        "An expert audit has not been done yet, so we do not yet claim full compliance."
    ),
    "a11y.measures_heading": "What we do",
    "a11y.measure_keyboard": "All pages work with a keyboard only.",
    "a11y.measure_zoom": "You can zoom in up to 400 percent without scrolling sideways.",
    "a11y.measure_text": "Names of login means are shown as text, not only as an image.",
    "a11y.measure_noscript": "The pages work without JavaScript.",
    "a11y.limits_heading": "What this statement does not cover",
    "a11y.limits": (
        "After your choice you go to the website of the login means, such as DigiD or "
        "eHerkenning. The accessibility statement of that organisation applies there."
    ),
    "a11y.contact_heading": "Do you run into a problem?",
    "a11y.contact": (
        "Please tell the organisation of the service you wanted to log in to. "
        "They will pass your report on to us."
    ),
    "privacy.title": "Privacy",
    "privacy.intro": (
        "On this website you log in to a service of a public organisation. We only pass on "
        "the data that service needs to know who you are."
    ),
    "privacy.data_heading": "Which data",
    "privacy.data": (
        "The login means gives us your login number, such as your citizen service number "
        "(BSN) with DigiD, and the level at which you logged in. We pass these on to the "
        "service you log in to. We keep your data no longer than needed to finish logging in."
    ),
    "privacy.cookies_heading": "Cookies",
    "privacy.cookies": (
        "We only use cookies that are needed to log you in securely, and a cookie that "
        "remembers your choice of language. We do not use cookies to track you."
    ),
    "privacy.responsible_heading": "Who is responsible",
    "privacy.responsible": (
        "The organisation of the service you log in to is responsible for your data. Its "
        "privacy statement explains your rights and where to go with questions."
    ),
    "logout_confirm.title": "Do you want to log out?",
    "logout_confirm.asked_by": "{client} asks to log you out of Stelsel Toegang.",
    "logout_confirm.asked": "You were asked to log out of Stelsel Toegang.",
    "logout_confirm.explain": (
        "If you log out, you are also logged out of the other services you logged in to "
        "through Stelsel Toegang."
    ),
    "logout_confirm.yes": "Yes, log out",
    "logout_confirm.no": "No, stay logged in",
    "logout_confirm.kept_title": "You are still logged in",
    "logout_confirm.kept_body": (
        "You have not been logged out. You can close this window and carry on at the service."
    ),
    "logged_out.title": "You are logged out",
    "logged_out.body": "You are logged out of Stelsel Toegang.",
    "logged_out.next_steps": (
        "Close your browser if you use a shared computer. Do you want to log in again? "
        "Go back to the service you wanted to log in to."
    ),
    "demo_sp.title": "Demo service",
    "demo_sp.intro": (
        "This is an example of a service that lets you log in through Stelsel Toegang. "
        "You log in at the DigiD simulator, not at the real DigiD."
    ),
    "demo_sp.level_legend": "Assurance level",
    "demo_sp.level_hint": (
        "The level the demo service asks for. If you ask for less than the service's minimum, "
        "the service's minimum applies."
    ),
    "demo_sp.login": "Log in",
    "demo_sp.login_digid": "Log in with DigiD",
    "demo_sp.result_title": "You are logged in",
    "demo_sp.error_title": "Logging in did not succeed",
    "demo_sp.error": "Stelsel Toegang returned this error:",
    "demo_sp.claims_intro": (
        "The demo service has checked the ID token. These are the data in it."
    ),
    "demo_sp.claims_caption": "Data in the ID token",
    "demo_sp.claim": "Claim",
    "demo_sp.value": "Value",
    "demo_sp.again": "Log in again",
    # eIDAS login means: the HTTP-POST binding pages (broker/means/eidas).
    "eidas.post.to_node": "You are going to the European login service (eIDAS)",
    "eidas.post.returning": "You are returning from the European login service (eIDAS)",
    "eidas.post.explain": "If you are not taken further automatically, choose Continue.",
    "eidas.post.continue": "Continue",
    # EU Digital Identity wallet login means (broker/means/wallet).
    "wallet.title": "Log in with your EU Digital Identity wallet",
    "wallet.intro": (
        "{service} asks your wallet only for: family name, given names, date of birth and "
        "citizen service number (BSN)."
    ),
    "wallet.same_device.heading": "Wallet on this device",
    "wallet.same_device.open": "Open your wallet app",
    "wallet.same_device.haip": "Open another wallet app",
    "wallet.same_device.universal": "Open the wallet through the wallet's website",
    "wallet.sim.link": "Open the test wallet (not a real wallet)",
    "wallet.sim.cross_link": "Open the test wallet as a second device (not a real wallet)",
    "wallet.cross_device.heading": "Wallet on another device",
    "wallet.cross_device.explain": "Scan the QR code with the wallet app on your phone.",
    "wallet.cross_device.unavailable": (
        "This service requires assurance level High. For that you can only use the wallet on "
        "this device."
    ),
    "wallet.qr.label": "QR code to log in with your wallet",
    "wallet.status.pending": "Waiting for your wallet to answer.",
    "wallet.status.done": "Your wallet has answered. You are being taken further.",
    "wallet.status.done_elsewhere": (
        "Your wallet has answered. Continue in the window the wallet opened."
    ),
    "wallet.status.failed": "The answer from your wallet was not accepted.",
    "wallet.continue.heading": "Have you used your wallet?",
    "wallet.continue.button": "I have used the wallet, continue",
    "wallet.continue.not_yet": (
        "Your wallet has not answered yet. Use your wallet first, then choose continue again."
    ),
    "wallet.cancel": "Cancel and return to the service",
    "wallet.expires": "This login attempt expires after {minutes} minutes.",
    # The self-service portal "Mijn machtigingen" (portal/, served under /mijn).
    "portal.name": "My mandates",
    "portal.nav.label": "My mandates",
    "portal.nav.overview": "Overview",
    "portal.nav.grant": "Authorise someone",
    "portal.nav.history": "Who acted on my behalf?",
    "portal.logout": "Log out",
    "portal.logged_in_as": "Logged in with BSN {bsn} at level {level}.",
    "portal.login.title": "My mandates",
    "portal.login.intro": (
        "Here you see whom you have authorised and who has authorised you to act on their "
        "behalf. You can authorise someone, accept or revoke a mandate, and see who acted on "
        "your behalf."
    ),
    "portal.login.level": (
        "You log in at level Substantial, for example with the DigiD app with ID check. "
        "Never share your login details: whoever acts for you logs in with their own DigiD."
    ),
    "portal.login.button": "Log in",
    "portal.overview.title": "My mandates",
    "portal.given.caption": "Mandates you have given",
    "portal.given.empty": "You have not authorised anyone.",
    "portal.received.caption": "Mandates you have received",
    "portal.received.empty": "Nobody has authorised you.",
    "portal.pending.caption": "Waiting for your answer",
    "portal.pending.empty": "No mandates are waiting for your answer.",
    "portal.col.agent": "Representative",
    "portal.col.principal": "Given by",
    "portal.col.services": "Services",
    "portal.col.period": "Period",
    "portal.col.level": "Level",
    "portal.col.state": "Status",
    "portal.col.details": "Details",
    "portal.period": "{start} up to and including {end}",
    "portal.bsn": "BSN {bsn}",
    "portal.view": "View",
    "portal.view_label": "View mandate: {who}",
    "portal.state.requested": "Waiting for acceptance",
    "portal.state.active": "Active",
    "portal.state.rejected": "Rejected",
    "portal.state.revoked": "Revoked",
    "portal.state.expired": "Expired",
    "portal.grant.title": "Authorise someone",
    "portal.grant.intro": (
        "Choose what the representative may do for you, who that is and for how long. The "
        "representative then has to accept the mandate by logging in themselves."
    ),
    "portal.grant.services": "Which services may the representative use on your behalf?",
    "portal.grant.services_hint": (
        "Only services that may be used on behalf of someone else are listed."
    ),
    "portal.grant.no_services": "There are no services you can authorise someone for now.",
    "portal.grant.min_level": "at least level {level}",
    "portal.grant.agent": "BSN or KvK number of the representative",
    "portal.grant.agent_hint": (
        "Authorise a person with their citizen service number (BSN, 9 digits, for example "
        "999990019). Authorise an organisation, such as an accountancy firm, with its KvK "
        "number (8 digits, for example 90000010); its employees then act on your behalf."
    ),
    "portal.grant.period": "How long is the mandate valid?",
    "portal.grant.valid_from": "From",
    "portal.grant.valid_until": "Up to and including",
    "portal.grant.date_hint": "Date as yyyy-mm-dd, for example 2026-12-31.",
    "portal.grant.next": "Continue to check",
    "portal.grant.cancel": "Cancel",
    "portal.error_prefix": "Error",
    "portal.error.summary": "Something was not filled in correctly",
    "portal.error.services": "Choose at least one service.",
    "portal.error.services_unknown": "Choose only services from the list.",
    "portal.error.agent_missing": "Enter the representative's BSN or KvK number.",
    "portal.error.agent_format": (
        "Enter a BSN of 9 digits or a KvK number of 8 digits, without letters or other "
        "characters."
    ),
    "portal.error.agent_invalid": (
        "This is not a valid citizen service number. Check the 9 digits."
    ),
    "portal.error.date": "Enter a date as yyyy-mm-dd.",
    "portal.error.until_before_from": "The end date must be after the start date.",
    "portal.error.agent_self": (
        "You cannot grant a mandate to yourself. Enter the representative's BSN or KvK number."
    ),
    "portal.error.until_past": "The end date is in the past. Choose today or later.",
    "portal.error.refused": "This is not possible",
    "portal.confirm.title": "Check your mandate",
    "portal.confirm.explain": (
        "Once accepted, the person with BSN {agent} can use these services on your behalf "
        "from {start} up to and including {end}:"
    ),
    "portal.confirm.level": (
        "You are logged in at level {level}. The mandate therefore counts for services up to "
        "and including that level."
    ),
    "portal.confirm.accept_first": (
        "The representative must first accept the mandate by logging in with their own "
        "DigiD. You can always revoke the mandate; that takes effect at once."
    ),
    "portal.confirm.submit": "Give mandate",
    "portal.confirm.change": "Change",
    "portal.mandate.title": "Mandate",
    "portal.mandate.you_gave": "You gave this mandate.",
    "portal.mandate.you_got": "You received this mandate.",
    "portal.mandate.what_agent": "What the representative may do",
    "portal.mandate.back": "Back to the overview",
    "portal.action.accept": "Accept",
    "portal.action.reject": "Reject",
    "portal.action.revoke": "Revoke mandate",
    "portal.action.accept.title": "Accept mandate",
    "portal.action.accept.chain": (
        "This mandate is for your organisation. Once you accept, your employees act with it as "
        "soon as you authorise them, by their BSN and for the same services."
    ),
    "portal.action.reject.title": "Reject mandate",
    "portal.action.revoke.title": "Revoke mandate",
    "portal.action.accept.explain": (
        "If you accept, you can use these services on behalf of {principal}, from {start} "
        "up to and including {end}:"
    ),
    "portal.action.reject.explain": (
        "If you reject, you cannot use these services on behalf of {principal}:"
    ),
    "portal.action.revoke.explain": (
        "After revoking, nobody can act on the basis of this mandate any more. This takes "
        "effect at once and cannot be undone. It concerns these services:"
    ),
    "portal.action.cancel": "Do not do this, go back",
    "portal.done.granted": (
        "The mandate has been given. The representative must now accept it themselves."
    ),
    "portal.done.accepted": "You have accepted the mandate.",
    "portal.done.rejected": "You have rejected the mandate.",
    "portal.done.revoked": "The mandate has been revoked.",
    "portal.history.title": "Who acted on my behalf?",
    "portal.history.intro": (
        "Every time someone used a service on your behalf is listed here, newest first."
    ),
    "portal.history.caption": "Actions on your behalf",
    "portal.history.empty": "Nobody has acted on your behalf.",
    "portal.org.history.title": "Who acted on behalf of the organisation?",
    "portal.org.history.intro": (
        "Every time someone used a service on behalf of the organisation is listed here, "
        "newest first."
    ),
    "portal.org.history.caption": "Actions on behalf of the organisation",
    "portal.org.history.empty": "Nobody has acted on behalf of the organisation.",
    "portal.history.when": "When",
    "portal.history.who": "Who",
    "portal.history.service": "Service",
    "portal.history.basis": "On the basis of",
    # Organisations in the portal (portal.organisation), logged in with eHerkenning.
    "portal.party.kvk": "KvK {value}",
    "portal.party.rsin": "RSIN {value}",
    "portal.login.org_intro": (
        "Do you arrange mandates for a company or organisation? Then log in with eHerkenning "
        "as a representative of that organisation."
    ),
    "portal.login.org_button": "Log in with eHerkenning",
    "portal.org.logged_in_as": "Logged in with eHerkenning on behalf of {org} at level {level}.",
    "portal.org.nav.grant": "Authorise someone for the organisation",
    "portal.org.nav.history": "Who acted on behalf of the organisation?",
    "portal.org.title": "Mandates of {org}",
    "portal.org.intro": (
        "You act on behalf of the organisation. Authorise employees with their BSN, or an "
        "intermediary (such as an accountancy firm) with its KvK number: the intermediary's "
        "employees then act on behalf of your organisation (chain mandate)."
    ),
    "portal.org.given.caption": "Who may act on behalf of the organisation",
    "portal.org.given.empty": "The organisation has not authorised anyone.",
    "portal.org.received.caption": "What the organisation may do, and for whom",
    "portal.org.received.empty": "Nobody has authorised the organisation.",
    "portal.org.received.hint": (
        "Your employees act for these clients once you authorise them: with their BSN, for "
        "the same services."
    ),
    "portal.org.pending.caption": "Waiting for the organisation's answer",
    "portal.org.pending.empty": "No mandates are waiting for the organisation's answer.",
    "portal.error.no_chain": (
        "For {services} you cannot authorise an organisation, only a person with a BSN."
    ),
    "portal.confirm.explain_org": (
        "Once accepted, employees of the organisation with KvK number {agent} can use these "
        "services on your behalf from {start} up to and including {end}:"
    ),
    "portal.confirm.accept_first_org": (
        "The organisation must first accept the mandate by logging in with eHerkenning. You "
        "can always revoke the mandate; that takes effect at once."
    ),
    "portal.confirm.shortened": (
        "The end date was brought forward: for the chosen services a mandate may last at most "
        "{days} days. Choose Change for another period."
    ),
    "portal.mandate.events": "History of this mandate",
    "portal.mandate.events_empty": "Nothing has happened with this mandate yet.",
    "portal.mandate.what": "What",
    "portal.event.granted": "Granted",
    "portal.event.active": "Accepted",
    "portal.event.rejected": "Rejected",
    "portal.event.revoked": "Revoked",
    "portal.event.expired": "Expired",
    "portal.event.used": "Used",
    "portal.a11y.link": "Accessibility of My mandates",
    "portal.a11y.title": "Accessibility statement My mandates",
    "portal.a11y.intro": (
        "We want everyone to be able to arrange mandates themselves, including people with a "
        "disability. My mandates must meet the European standard EN 301 549 and WCAG 2.2 at "
        "level AA."
    ),
    "portal.a11y.status": (
        "My mandates partially complies. With every change, every page is tested automatically "
        "against the WCAG 2.2 level A and AA rules, in Dutch and in English. Automated tests "
        "find only some of the problems and an expert audit has not been done yet, so we do not "
        "yet claim full compliance."
    ),
    "portal.a11y.measure.noscript": "All pages work with a keyboard only and without JavaScript.",
    "portal.a11y.measure.errors": (
        "If something in a form is not right, a summary at the top links to each field you need "
        "to correct."
    ),
    "portal.a11y.measure.tables": (
        "Tables have headers, so a screen reader reads them out correctly."
    ),
    "portal.a11y.measure.session": (
        "Every page says when your session ends and how to extend it. After {minutes} minutes "
        "without activity you are logged out; anything you had not confirmed is then not kept."
    ),
    "portal.a11y.measure.language": "All pages are available in Dutch and in English.",
    "portal.a11y.limits": (
        "To log in you go to DigiD; the accessibility statement of DigiD applies there. The "
        "login pages have their own statement:"
    ),
    "portal.a11y.broker_statement": "accessibility statement of the login pages",
    "portal.a11y.contact": (
        "Please tell the organisation that sent you to My mandates. They will pass your report "
        "on to us."
    ),
    "portal.a11y.date": "This statement was drawn up on 28 November 2026.",
    "portal.session.ends": "If you do nothing, your session ends at {time}.",
    "portal.session.extend": "Extend session",
    "portal.session.next_step": "Your next step extends your session.",
    "portal.session.expired.title": "Your session has ended",
    "portal.session.expired.explain": (
        "You were inactive for {minutes} minutes. To protect your data you have been logged out. "
        "Nothing you had not yet confirmed was kept, and nothing was changed. Log in again to "
        "continue."
    ),
    "portal.grant.search": "Search for a service",
    "portal.grant.search_hint": "Type (part of) the name of the service or the organisation.",
    "portal.grant.search_button": "Search",
    "portal.grant.search_result": "{count} service(s) found for “{query}”.",
    "portal.grant.search_clear": "Show all services",
    "portal.grant.search_empty": "No services found for “{query}”. Try another word.",
    "portal.grant.max_days": "at most {days} days",
    "portal.error.search_too_long": "Use at most 100 characters to search.",
    "portal.error.too_long": (
        "For the chosen services the mandate may last at most {days} days: choose {last} as the "
        "end date at the latest."
    ),
    "portal.legal.kvk": "KvK number {kvk}",
    "portal.legal.title": "Legal representation",
    "portal.legal.intro": (
        "You do not arrange legal representation here: it follows from authority over a child or "
        "from a court decision. Here you see what the registers say about it and when we asked "
        "them."
    ),
    "portal.legal.unavailable": (
        "We could not check everything. These registers did not answer just now; please try "
        "again later:"
    ),
    "portal.legal.mine.caption": "Whom you represent",
    "portal.legal.mine.empty": "According to the registers you do not represent anyone.",
    "portal.legal.me.caption": "Who represents you",
    "portal.legal.me.empty": "According to the registers nobody represents you.",
    "portal.legal.col.represented": "Represented person",
    "portal.legal.col.representative": "Representative",
    "portal.legal.col.basis": "On the basis of",
    "portal.legal.col.source": "Source",
    "portal.legal.col.retrieved": "Retrieved on",
    "portal.legal.source.brp_gezag": "BRP (authority data)",
    "portal.legal.source.ccbr": "Guardianship and administration register (CCBR)",
    "portal.legal.state.valid": "Valid",
    "portal.legal.state.blocked": "Not automatic: please contact your municipality",
    "portal.legal.state.ended": "Not (or no longer) valid",
    "portal.legal.state.of_age": "Ended: came of age",
    "portal.outbox.subject": "You have been asked to act on someone's behalf",
    "portal.outbox.body": (
        "Someone has authorised you for: {services}, from {start} up to and including {end}. "
        "Log in to My mandates to accept or reject the mandate."
    ),
    "portal.refused.title": "This did not work",
    "portal.refused.login_failed": "Logging in did not succeed. Please start again.",
    "portal.refused.csrf": (
        "Your form has expired or did not come from this website. Go back and try again."
    ),
    "portal.refused.not_found": "This mandate does not exist or is not yours.",
    "portal.refused.not_allowed": "This is not (or no longer) possible with this mandate.",
    "portal.refused.back": "To My mandates",
}

CATALOGUE: Final[dict[str, dict[str, str]]] = {"nl": NL, "en": EN}
