"""Pages people look at: the associate's view of a customer (``skill.pages.associate``) and the developer's
console (``skill.pages.console``). Server-rendered Flask + Jinja, each a blueprint the app factory registers."""
