"""OpenID Connect provider toward service providers, following the NL GOV Assurance profile.

The endpoints are written directly against the profile rather than through Authlib's grant
classes: those are synchronous and assume authorization completes within one request, while here
it spans a login-means round trip and an async store. Authlib/joserfc and PyJWT do the JOSE work.
"""
