"""Billing: no __all__, so its public names are what this file binds."""

from .invoice import Invoice, issue
from . import rates
