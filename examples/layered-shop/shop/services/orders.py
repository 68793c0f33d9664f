from typing import TYPE_CHECKING

from shop.domain import models
from shop.infra import repository

if TYPE_CHECKING:
    from shop.api import views


def place(order: models.Order) -> models.Order:
    repository.save(order)
    return order
