from dataclasses import dataclass

import requests  # a domain model should not talk HTTP


@dataclass
class Order:
    sku: str
    quantity: int = 1

    def price(self) -> float:
        from shop.services import orders  # violation: the domain reaches up into services

        return 9.99 * self.quantity
