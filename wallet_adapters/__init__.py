"""EU Digital Identity Wallet verification core (HTTP-independent).

Modules, each named after the standard it implements:

- ``sd_jwt``: RFC 9901 SD-JWT parsing, disclosures, Key Binding JWT.
- ``sd_jwt_vc``: SD-JWT VC (draft-ietf-oauth-sd-jwt-vc) as profiled by HAIP 1.0.
- ``mdoc``: ISO/IEC 18013-5 DeviceResponse verification and the OpenID4VP 1.0
  SessionTranscript (Appendix B.2.6).
- ``cose`` / ``cbor``: COSE_Sign1 (RFC 9052/9053/9360) and bounded CBOR decoding.
- ``jws``: compact JWS with ECDSA only, JWK import and thumbprints (RFC 7515/7517/7638).
- ``status_list``: Token Status List (draft-ietf-oauth-status-list), JWT and CWT.
- ``dcql``: DCQL (OpenID4VP 1.0 §6) query building and response checking.
- ``openid4vp``: request object (JAR), ``direct_post.jwt`` decryption, VP Token validation.
- ``trust``: X.509 trust lists and path validation.
- ``testing``: test PKI, PID issuer and holder (tests and conformance only).
- ``bench``: CPU micro benchmark.

All refusals raise subclasses of :class:`wallet_adapters.errors.WalletVerificationError`.
Times passed as ``now`` must be timezone-aware (UTC).
"""
