"""Benchmarks of the resolver: eval sets, baselines, measurements and the ``bench`` command."""
