"""The unit registry and name resolution (contracts/units.md)."""

from reminders.units.registry import Registry, load_registry, parse_registry
from reminders.units.resolve import Resolution, Resolver, Suggestion

__all__ = [
    "Registry",
    "Resolution",
    "Resolver",
    "Suggestion",
    "load_registry",
    "parse_registry",
]
