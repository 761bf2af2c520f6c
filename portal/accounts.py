"""Login, logout and passwords for county staff and editors, in the portal's own look."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.shortcuts import redirect
from django.urls import path, reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _

app_name = "accounts"
FORM_TEMPLATE = "registration/simple_form.html"


def admin_login(request):
    """The admin's own login page is replaced by the portal's."""
    query = request.GET.urlencode()
    return redirect(f"{reverse('accounts:login')}{'?' + query if query else ''}")


class LoginForm(AuthenticationForm):
    """Django's login form only tells the browser the longest user name; this one refuses a
    longer one before authenticate(), where django-axes would record it in a column of
    255 characters (an error on PostgreSQL). No account has such a name anyway."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_redirect_url(self):
        """A "next" back to the login page itself would send a logged-in user round in a
        circle (Django raises an error); the default page after login is meant instead."""
        url = super().get_redirect_url()
        return "" if urlsplit(url).path == self.request.path else url


def _form_page(view, *, title, submit_label, intro="", **kwargs):
    context = {"title": title, "submit_label": submit_label, "intro": intro}
    return view.as_view(template_name=FORM_TEMPLATE, extra_context=context, **kwargs)


def _message_page(view, *, title, intro, next_link="", next_label=""):
    context = {"title": title, "intro": intro, "next_link": next_link, "next_label": next_label}
    return view.as_view(template_name=FORM_TEMPLATE, extra_context=context)


urlpatterns = [
    path(
        "anmelden/",
        LoginView.as_view(),
        name="login",
    ),
    path("abmelden/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "passwort/aendern/",
        _form_page(
            auth_views.PasswordChangeView,
            title=_("Change password"),
            submit_label=_("Change password"),
            success_url=reverse_lazy("accounts:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "passwort/geaendert/",
        _message_page(
            auth_views.PasswordChangeDoneView,
            title=_("Password changed"),
            intro=_("Your new password is in use."),
            next_link=reverse_lazy("admin:index"),
            next_label=_("Back to the administration"),
        ),
        name="password_change_done",
    ),
    path(
        "passwort/vergessen/",
        _form_page(
            auth_views.PasswordResetView,
            title=_("Reset password"),
            submit_label=_("Send link"),
            intro=_(
                "Enter the e-mail address of your account. We will send you a link to "
                "choose a new password."
            ),
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "passwort/vergessen/gesendet/",
        _message_page(
            auth_views.PasswordResetDoneView,
            title=_("Please check your e-mail"),
            intro=_(
                "If an account belongs to this address, we have sent a link to it. "
                "The link is valid for three days."
            ),
        ),
        name="password_reset_done",
    ),
    path(
        "passwort/neu/<uidb64>/<token>/",
        _form_page(
            auth_views.PasswordResetConfirmView,
            title=_("Choose a new password"),
            submit_label=_("Save password"),
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "passwort/neu/fertig/",
        _message_page(
            auth_views.PasswordResetCompleteView,
            title=_("Password saved"),
            intro=_("You can now log in with your new password."),
            next_link=reverse_lazy("accounts:login"),
            next_label=_("Log in"),
        ),
        name="password_reset_complete",
    ),
]


def client_ip(request):
    """The visitor's address. Directly reached: REMOTE_ADDR. Behind TRUSTED_PROXY_COUNT
    proxies that each append the address they were reached from to X-Forwarded-For: the
    entry that many places from the right, the one the outermost proxy saw. What a visitor
    writes into the header themselves stays left of it and counts for nothing. (django-ipware
    counts proxies differently and answers None for a single load balancer.)"""
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR")
