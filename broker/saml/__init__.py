"""SAML 2.0 toolkit shared by the SAML login means (DigiD now, eHerkenning and eIDAS later).

Small pieces, each after one spec part: hardened XML parsing (``xml``), enveloped signatures with
wrapping defences (``signature``), the HTTP-Redirect binding (``redirect``), type-0x0004
artifacts (``artifact``), SOAP 1.1 (``soap``), time windows (``timing``), message builders
(``messages``) and the Web Browser SSO response checks (``response``).
"""
