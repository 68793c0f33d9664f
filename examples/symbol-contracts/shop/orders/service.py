from .models import Draft, Order, _total


def place_order(lines):
    draft = Draft()
    order = Order(id=1, lines=lines)
    return order if _total(order) else draft
