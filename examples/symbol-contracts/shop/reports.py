from shop.billing import Invoice, rates
from shop.billing.rates import VAT
import shop.billing.rates
import shop.billing.invoice


def summary(invoice: Invoice):
    return rates.VAT, VAT, shop.billing.rates._rounded(1.0)
