"""The product's URLs plus the baseline views SPEC section 11 compares the pages with (benchmark
only, served by benchmarks/pages_settings.py):

- ``/bench/hello/``: a minimal view, no query ("about 3,900 requests/s" in the SPEC);
- ``/bench/clients/``: a minimal one-query view listing 50 clients, no login, no session ("a view
  listing 50 clients ... about 1,200 requests/s with persistent database connections").

Both go through the product's middleware, like every page they are compared with.
"""

from django.http import HttpResponse
from django.template import engines
from django.urls import path

from clients.models import Client
from vipservice.urls import handler404, handler500
from vipservice.urls import urlpatterns as product_urlpatterns

CLIENTS = engines["django"].from_string(
    "<!doctype html><html><head><title>clients</title></head><body><table>"
    "{% for c in clients %}<tr><td>{{ c.client_no }}</td><td>{{ c.name }}</td>"
    "<td>{{ c.status }}</td></tr>{% endfor %}</table></body></html>"
)


def hello(request):
    return HttpResponse("hello")


def clients_50(request):
    clients = Client.objects.order_by("client_no")[:50]
    return HttpResponse(CLIENTS.render({"clients": clients}))


urlpatterns = [
    path("bench/hello/", hello),
    path("bench/clients/", clients_50),
    *product_urlpatterns,
]

__all__ = ["handler404", "handler500", "urlpatterns"]
