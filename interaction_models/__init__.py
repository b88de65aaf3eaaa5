"""Package data only: installed as ``skill.interaction_models`` (see setup.py); read with importlib.resources."""
