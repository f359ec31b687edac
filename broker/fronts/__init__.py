"""Routes and pages toward service providers and people."""
