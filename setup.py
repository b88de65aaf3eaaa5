"""The one piece of layout pyproject.toml cannot state: the built interaction models stay in interaction_models/
(where the ASK CLI reads them, see ask-resources.json) and are installed as the package ``skill.interaction_models``,
so an installed voicecart reads them through importlib.resources. Everything else is in pyproject.toml."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["skill", "skill.*", "backend", "backend.*"]), "skill.interaction_models"],
    package_dir={"skill.interaction_models": "interaction_models"},
)
