from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from tutor import content_api, views

urlpatterns = [
    path("", views.index, name="index"),
    path("healthz", views.health, name="health"),
    # The student page's words in the request's language (locale/*/LC_MESSAGES/djangojs.po); public, like the page.
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["tutor"]), name="javascript-catalog"),
    path("help/content-format", views.content_format_guide, name="content-format-guide"),
    path("api/auth/token", views.api_auth_token, name="api-auth-token"),
    path("api/auth/login", views.api_auth_login, name="api-auth-login"),
    path("api/auth/logout", views.api_auth_logout, name="api-auth-logout"),
    path("api/auth/tokens", views.api_auth_tokens, name="api-auth-tokens"),
    path("api/auth/tokens/<int:token_id>", views.api_auth_token_revoke, name="api-auth-token-revoke"),
    path("api/me", views.api_me, name="api-me"),
    path("api/courses/<int:course_id>/conversations", views.api_course_conversations, name="api-conversations"),
    path("api/courses/<int:course_id>/content", content_api.api_course_content, name="api-course-content"),
    path("admin/", admin.site.urls),
    # The LTI app sits above tutor: the project's URLconf names it, as settings name every app, without importing it.
    path("lti/", include("lti.urls")),
]

handler500 = "tutor.views.server_error"
