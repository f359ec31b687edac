"""SAML 2.0 toolkit shared by the SAML login means (DigiD, eHerkenning, eIDAS).

Small pieces, each after one spec part: hardened XML parsing (``xml``), enveloped signatures with
wrapping defences (``signature``), the HTTP-Redirect binding (``redirect``), type-0x0004
artifacts (``artifact``), SOAP 1.1 (``soap``) and the SOAP back channel (``backchannel``), time
windows (``timing``), message builders (``messages``), XML Encryption (``encryption``), the
Web Browser SSO response checks (``response``) and the SP steps every means takes (``sp``).
"""
