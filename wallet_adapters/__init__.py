"""wallet_adapters package."""
