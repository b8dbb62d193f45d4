from django.contrib import admin
from django.urls import path

from tutor import views

urlpatterns = [
    path("", views.index, name="index"),
    path("api/auth/token", views.api_auth_token, name="api-auth-token"),
    path("api/auth/login", views.api_auth_login, name="api-auth-login"),
    path("api/auth/logout", views.api_auth_logout, name="api-auth-logout"),
    path("api/me", views.api_me, name="api-me"),
    path("api/courses/<int:course_id>/conversations", views.api_course_conversations, name="api-conversations"),
    path("admin/", admin.site.urls),
]
