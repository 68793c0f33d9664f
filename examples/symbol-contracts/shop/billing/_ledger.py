def _post(entry):
    return entry
