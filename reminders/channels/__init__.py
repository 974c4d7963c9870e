"""Ways a message leaves the service: email, Zalo and webhook, behind one interface (base.py)."""
