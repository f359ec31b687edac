"""User-facing HTML pages: NL Design System layout, Dutch/English texts, security headers.

Everything a person sees in the browser goes through ``Renderer`` so every page shares one
skeleton (skip link, language switch, footer) and one set of headers.
"""
