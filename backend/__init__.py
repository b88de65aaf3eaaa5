"""voicecart's domain and storage: catalog, resolver, cart, orders, profile store, cross-channel API.

Nothing here imports the Alexa SDK or the ``skill`` package: the skill depends on the backend, never the reverse.
"""
