VAT = 20


def _rounded(amount):
    return round(amount, 2)
