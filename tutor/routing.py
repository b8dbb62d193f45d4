from django.urls import path

from tutor.consumers import TutorConsumer
from tutor.teacher_socket import TeachersConsumer

websocket_urlpatterns = [
    path("ws/tutor/", TutorConsumer.as_asgi()),
    path("ws/teachers/", TeachersConsumer.as_asgi()),  # the admin's drafts page
]
