"""The protocol-neutral login flow: fronts open transactions, login means complete them."""
