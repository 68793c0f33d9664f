import sqlalchemy

from shop.domain import models


def save(order: "models.Order") -> None:
    sqlalchemy.text("INSERT ...")
