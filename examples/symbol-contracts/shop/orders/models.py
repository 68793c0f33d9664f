from dataclasses import dataclass


@dataclass
class Order:
    id: int
    lines: list


@dataclass
class OrderLine:
    sku: str
    quantity: int


class Draft:
    """Not exported: orders build drafts internally."""


def _total(order):
    return sum(line.quantity for line in order.lines)
