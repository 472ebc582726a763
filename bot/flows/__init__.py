"""Use cases: what happens when a person does something, one module per part of the product.

Listeners, the CLI and the background rounds call these; a flow reads and writes the store,
asks the domain, and makes the Web API calls that follow. Screens are built by bot/screens;
what must follow a stored action is stored with it and delivered by bot/flows/outbox.py.
"""
