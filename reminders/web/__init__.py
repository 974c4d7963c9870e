"""The ASGI application: health now; feeds, dashboard, report links and the API later."""
