"""Test helpers shared across areas (request fixtures, builders)."""
