"""Discovery, keys and transport (OIDC Discovery 1.0; NL GOV profile §1.9; RFC 8414)."""

from __future__ import annotations

from typing import Any

from conformance.checks.registry import Context, Fail, Skip, check, is_loopback

REQUIRED_METADATA = (
    "issuer",
    "authorization_endpoint",
    "token_endpoint",
    "jwks_uri",
    "scopes_supported",
    "response_types_supported",
    "grant_types_supported",
    "subject_types_supported",
    "token_endpoint_auth_methods_supported",
    "id_token_signing_alg_values_supported",
    "userinfo_signing_alg_values_supported",
    "request_object_signing_alg_values_supported",
    "claims_supported",
)
ALG_LISTS = (
    "id_token_signing_alg_values_supported",
    "userinfo_signing_alg_values_supported",
    "request_object_signing_alg_values_supported",
    "token_endpoint_auth_signing_alg_values_supported",
)
# RFC 7517 §9.3 / RFC 7518 §6: members that only a private (or symmetric) key has.
PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})


@check(
    "discovery-at-both-well-known-paths-and-equal",
    "OIDC Discovery §4; RFC 8414 §3; NL GOV §1.9",
)
async def both_paths(ctx: Context) -> str | None:
    oidc = await ctx.fetch_json(ctx.issuer + "/.well-known/openid-configuration")
    if not isinstance(oidc, dict):
        raise Fail("/.well-known/openid-configuration is not a JSON object")
    try:
        oauth = await ctx.fetch_json(ctx.issuer + "/.well-known/oauth-authorization-server")
    except Fail as exc:
        raise Fail(f"/.well-known/oauth-authorization-server (NL GOV SHOULD): {exc}") from None
    if oauth != oidc:
        differ = sorted(k for k in set(oidc) | set(oauth) if oidc.get(k) != oauth.get(k))
        raise Fail("the two documents differ in: " + ", ".join(differ))
    return None


@check("discovery-required-metadata-present", "NL GOV §1.9; OIDC Discovery §3")
async def required_metadata(ctx: Context) -> str | None:
    doc = await ctx.metadata()
    missing = [name for name in REQUIRED_METADATA if name not in doc]
    if missing:
        raise Fail("missing: " + ", ".join(missing))
    return None


@check("discovery-issuer-equals-url", "OIDC Discovery §4.3; RFC 9207 §2.4")
async def issuer_equals(ctx: Context) -> str | None:
    doc = await ctx.metadata()
    if doc.get("issuer") != ctx.issuer:
        raise Fail(f"issuer is {doc.get('issuer')!r}, expected {ctx.issuer!r}")
    return None


@check("only-code-response-type", 'NL GOV §1.1, §1.9 (response_types_supported = ["code"])')
async def code_only(ctx: Context) -> str | None:
    value = (await ctx.metadata()).get("response_types_supported")
    if value != ["code"]:
        raise Fail(f"response_types_supported is {value!r}, expected ['code']")
    grants = (await ctx.metadata()).get("grant_types_supported")
    if grants is not None and grants != ["authorization_code"]:
        raise Fail(f"grant_types_supported is {grants!r}, expected ['authorization_code']")
    return None


@check("pkce-s256-only", "NL GOV §1.2; RFC 7636 §4.2; RFC 9700 §2.1.1")
async def s256_only(ctx: Context) -> str | None:
    value = (await ctx.metadata()).get("code_challenge_methods_supported")
    if value != ["S256"]:
        raise Fail(f"code_challenge_methods_supported is {value!r}, expected ['S256']")
    return None


@check("no-none-algorithm", "NL GOV §1.9 (nothing weaker than RS256); RFC 8725 §3.1")
async def no_none(ctx: Context) -> str | None:
    doc = await ctx.metadata()
    offending = [
        name
        for name in ALG_LISTS
        if isinstance(doc.get(name), list) and any(str(a).lower() == "none" for a in doc[name])
    ]
    if offending:
        raise Fail("'none' offered in: " + ", ".join(offending))
    return None


@check("signing-rs256-and-ps256-offered", "NL GOV §1.9 (MUST RS256, SHOULD PS256)")
async def rs256_ps256(ctx: Context) -> str | None:
    algs = (await ctx.metadata()).get("id_token_signing_alg_values_supported")
    if not isinstance(algs, list):
        raise Fail("id_token_signing_alg_values_supported is missing")
    missing = [a for a in ("RS256", "PS256") if a not in algs]
    if missing:
        raise Fail(f"id_token_signing_alg_values_supported {algs!r} lacks {', '.join(missing)}")
    return None


async def jwks(ctx: Context) -> list[dict[str, Any]]:
    """The provider's published keys (memoised)."""

    async def load() -> list[dict[str, Any]]:
        doc = await ctx.fetch_json(await ctx.endpoint("jwks_uri"))
        keys = doc.get("keys") if isinstance(doc, dict) else None
        if not isinstance(keys, list) or not keys or not all(isinstance(k, dict) for k in keys):
            raise Fail("the JWKS has no list of keys")
        return keys

    keys: list[dict[str, Any]] = await ctx.memo("jwks", load)
    return keys


@check("jwks-reachable-kids-no-private-members", "RFC 7517 §4.5, §9.3; OIDC Core §10.1.1")
async def jwks_sane(ctx: Context) -> str | None:
    keys = await jwks(ctx)
    problems = []
    kids = [k.get("kid") for k in keys]
    if not all(isinstance(kid, str) and kid for kid in kids):
        problems.append("a key has no kid")
    elif len(set(kids)) != len(kids):
        problems.append("kids are not unique")
    for key in keys:
        private = sorted(PRIVATE_MEMBERS & set(key))
        if private:
            problems.append(f"key {key.get('kid')!r} publishes private members {private}")
    if problems:
        raise Fail("; ".join(problems))
    return f"{len(keys)} key(s)"


@check("tls-required-unless-loopback", "NL GOV §1.2 (HTTPS); RFC 9700 §2.6; OIDC Core §16.17")
async def tls(ctx: Context) -> str | None:
    """Report only: looks at the URLs' schemes, does not probe TLS versions or ciphers."""
    urls = {"issuer": ctx.issuer}
    try:
        doc = await ctx.metadata()
    except Skip:
        doc = {}
    for name in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"):
        if isinstance(doc.get(name), str):
            urls[name] = doc[name]
    plain = [name for name, url in urls.items() if not url.startswith("https://")]
    if not plain:
        return "all endpoints use https (TLS configuration itself not probed)"
    remote = [name for name in plain if not is_loopback(urls[name])]
    if remote:
        raise Fail("plain http on a non-loopback host: " + ", ".join(remote))
    return "plain http on loopback only (allowed for local testing)"
