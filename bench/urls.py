"""The project's URLs plus two floors a write request can reach, each one INSERT into
`bench_insert` (created by bench/bookings.py) through the same middleware:
`bench/insert`, a plain Django view, and `bench/insert-api`, a DRF view with the API's
authentication (a personal token) and JSON answer: what any API write costs before it
does any work of its own."""

from django.db import connection
from django.http import HttpResponse, HttpResponseNotAllowed
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from rest_framework.response import Response
from rest_framework.views import APIView


@csrf_exempt
def insert(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_insert (at) VALUES (now())")
    return HttpResponse(status=201)


class InsertApi(APIView):
    def post(self, request):
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_insert (at) VALUES (now()) RETURNING id")
            (row_id,) = cursor.fetchone()
        return Response({"id": row_id}, status=201)


urlpatterns = [
    path("bench/insert", insert, name="bench-insert"),
    path("bench/insert-api", InsertApi.as_view(), name="bench-insert-api"),
    path("", include("meetingops.urls")),
]
