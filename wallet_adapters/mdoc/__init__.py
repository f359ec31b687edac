"""ISO/IEC 18013-5 mdoc verification as used by OpenID4VP 1.0 Appendix B.2."""

from wallet_adapters.mdoc.session_transcript import (
    dc_api_session_transcript,
    openid4vp_handover_info,
    openid4vp_session_transcript,
)
from wallet_adapters.mdoc.verifier import (
    MdocPolicy,
    MdocResult,
    verify_device_response,
    verify_issuer_signed,
)

__all__ = [
    "MdocPolicy",
    "MdocResult",
    "dc_api_session_transcript",
    "openid4vp_handover_info",
    "openid4vp_session_transcript",
    "verify_device_response",
    "verify_issuer_signed",
]
