"""Login means adapters: each turns an upstream login into a protocol-neutral Authentication."""
