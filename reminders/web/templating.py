"""The jinja2 environment for the web pages (templates under reminders/templates/web)."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, StrictUndefined

# One environment for the web only: email templates will want other autoescape and
# whitespace rules, so they get an environment of their own rather than sharing this one.
# Autoescape is on for every template (not just *.html) because everything rendered here
# ends up in a browser, and StrictUndefined turns a misspelt variable into an error in tests
# instead of a silently blank field on a public body's page.
_ENV = Environment(
    loader=PackageLoader("reminders", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def render(name: str, **context: object) -> str:
    """Render the template `name` (e.g. "web/item.html") with `context`."""
    return _ENV.get_template(name).render(**context)
