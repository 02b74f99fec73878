"""Open311 GeoReport v2 on the gateway (``/open311/v2/``): ``routes`` (the blueprint), ``mapping``
(between Open311's fields and our applications and public status), ``formats`` (JSON and XML)."""
