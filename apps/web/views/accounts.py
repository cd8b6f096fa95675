from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from apps.core.errors import DomainError
from apps.web.access import page
from apps.web.forms import ProfileForm
from apps.web.services import profile_timezone_set
from apps.web.timezones import SESSION_KEY, timezone_names, timezone_of, timezone_valid


class SignInView(LoginView):
    """Django's sign-in, plus the browser's timezone (a hidden field filled by app.js) as the person's
    default zone when they have not picked one."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: object) -> HttpResponse:
        response = super().form_valid(form)
        browser_zone = self.request.POST.get("timezone", "")
        if timezone_valid(browser_zone):
            profile_timezone_set(user=self.request.user, name=browser_zone, only_if_unset=True)
        self.request.session.pop(SESSION_KEY, None)  # read again from the profile on the next page
        return response


@page()
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, initial={"timezone": timezone_of(request)})
    if request.method == "POST" and form.is_valid():
        try:
            profile_timezone_set(user=request.user, name=form.cleaned_data["timezone"])
        except DomainError as exc:
            form.add_error("timezone", exc.message)
        else:
            request.session.pop(SESSION_KEY, None)
            messages.success(request, "Timezone saved.")
            return redirect("web:profile")
    context = {"form": form, "timezones": timezone_names()}
    return render(request, "web/profile.html", context, status=400 if form.errors else 200)
