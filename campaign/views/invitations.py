"""Accepting an invitation (campaign.domain.invitations), from the link of its e-mail.

Anyone holding the link sees what it offers; a signed-in person accepts with their
account, someone without an account creates one with the invited address. A link
that is unknown, expired, cancelled or already used says so (404 / 410) and grants
nothing."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View

from campaign.domain import invitations
from campaign.forms import AcceptInvitationForm, NewAccountForm
from campaign.models import Invitation
from common.views import DomainFormMixin


class InvitationView(DomainFormMixin, View):
    conflicts_on_form = True

    def dispatch(self, request, *args, **kwargs):
        self.invitation = invitations.find_invitation(kwargs["token"])
        return super().dispatch(request, *args, **kwargs)

    def empty_form(self):
        if self.request.user.is_authenticated:
            return AcceptInvitationForm()
        return NewAccountForm()

    def get(self, request, token):
        return self.render_page(self.empty_form())

    def post(self, request, token):
        if self.invitation is None or not self.invitation.is_pending:
            return self.render_page(self.empty_form())
        if request.user.is_authenticated:
            self.domain_form = AcceptInvitationForm(request.POST)
            invitation = invitations.accept(token, request.user)
            user = request.user
        else:
            form = self.domain_form = NewAccountForm(request.POST)
            if not form.is_valid():
                return self.form_invalid(form)
            data = form.cleaned_data
            invitation, user = invitations.accept_with_new_account(
                token, data["first_name"], data["last_name"], data["password1"]
            )
            login(request, user, backend="accounts.backends.ThrottledModelBackend")
            messages.info(
                request,
                _("Votre compte est créé. Votre identifiant de connexion : %(username)s.")
                % {"username": user.username},
            )
        messages.success(
            request,
            _("Invitation acceptée : vous pouvez désormais %(offer)s.")
            % {"offer": invitations.describe(invitation)},
        )
        return redirect("home")

    def form_invalid(self, form, status=400):
        return self.render_page(form, status=status)

    def render_page(self, form, status=200):
        invitation = self.invitation
        usable = invitation is not None and invitation.is_pending
        if invitation is None:
            status = 404
        elif not usable and status == 200:
            status = 410
        login_url = reverse("accounts:login") + "?" + urlencode({"next": self.request.path})
        return render(
            self.request,
            "campaign/invitation.html",
            {
                "title": _("Invitation"),
                "invitation": invitation if usable else None,
                "status_label": invitation.get_status_display() if invitation else None,
                "offer": invitations.describe(invitation) if usable else "",
                "inviter": invitations.inviter_label(invitation) if usable else "",
                "expired": invitation is not None
                and invitation.status == Invitation.Status.EXPIRED,
                "form": form,
                "login_url": login_url,
            },
            status=status,
        )
