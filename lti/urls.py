from django.urls import path

from lti import views

urlpatterns = [
    path("jwks.json", views.jwks, name="lti-jwks"),
    path("login", views.login_initiation, name="lti-login"),
    path("launch", views.launch, name="lti-launch"),
    path("deep-link", views.deep_link, name="lti-deep-link"),
]
