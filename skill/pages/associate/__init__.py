"""``/associate``: a store associate's view of one customer, and the two things they do there.

``create_associate_blueprint(backend)`` gives the pages: sign-in with a store-channel API key (the key is checked
and dropped; the session holds the client's id), a customer search by any linked id, the customer page (linked
ids, the shared cart with each line's channel, the usual basket, recent orders, a timeline of every channel newest
first, filterable), a product search through the resolver with an add to the shared cart, and a noted interaction
(a store-channel event). A key sees only its own customers: another customer's page is a 404, as if it did not
exist, so ids cannot be probed.
"""

from skill.pages.associate.views import create_associate_blueprint

__all__ = ["create_associate_blueprint"]
