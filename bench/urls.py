"""The project's URLs plus `bench/insert`: the floor a write request can reach, one
INSERT into `bench_insert` (created by bench/bookings.py) through the same middleware."""

from django.db import connection
from django.http import HttpResponse, HttpResponseNotAllowed
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def insert(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_insert (at) VALUES (now())")
    return HttpResponse(status=201)


urlpatterns = [
    path("bench/insert", insert, name="bench-insert"),
    path("", include("meetingops.urls")),
]
