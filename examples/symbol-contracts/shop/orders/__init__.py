"""Orders: what other packages may use is listed in __all__."""

from .models import Order, OrderLine
from .service import place_order

__all__ = ["Order", "OrderLine", "place_order"]
