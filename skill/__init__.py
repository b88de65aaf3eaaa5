"""voicecart's Alexa edge: web endpoint, Lambda entry, request verification, ASK SDK handlers and speech."""
