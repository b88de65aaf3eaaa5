"""``/console``: the developer's console over the same in-process simulator as ``voicecart dialog``.

On by default only on the embedded store (a development machine); ``VOICECART_CONSOLE=1`` turns it on elsewhere and
``VOICECART_CONSOLE=0`` off. Never in a Lambda: the Lambda entries build no Flask app, and a process that sees
Lambda's environment keeps the console off whatever the setting says. Off, the blueprint has no routes: a 404.
"""

from skill.pages.console.views import console_enabled, create_console_blueprint

__all__ = ["console_enabled", "create_console_blueprint"]
