"""Allowed to reach into the packages (the contract's `allow`), but not to private names."""

from shop.orders.models import Draft, _total
from shop.billing.rates import _rounded
