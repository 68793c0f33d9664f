from shop.services import orders
from shop.domain import models  # violation of the protected contract: api is not allowed


def create_order(payload):
    return orders.place(models.Order(**payload))
