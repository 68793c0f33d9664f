from shop.plugins.shipping import rates  # violation: plugins must be independent
