def rate(weight: float) -> float:
    return 4.5 + weight
