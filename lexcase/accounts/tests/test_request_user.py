"""Past the session timeout middleware `request.user` is the signed-in User itself (or
Django's anonymous user), read once, not the lazy proxy AuthenticationMiddleware set:
the same user, the same answers, without a proxy call on every attribute
(accounts.middleware.signed_in_user)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from lexcase.accounts.models import Role, User
from lexcase.accounts.services import user_set_active
from lexcase.testing import make_user

pytestmark = pytest.mark.django_db


def test_a_signed_in_request_carries_the_user_itself() -> None:
    lawyer = make_user("req_lawyer", Role.LAWYER)
    client = Client()
    client.force_login(lawyer)
    response = client.get("/matters/")
    assert response.status_code == 200
    user = response.wsgi_request.user
    assert type(user) is User
    assert user.pk == lawyer.pk
    assert response.wsgi_request._cached_user is user  # the one Django read, not a second


def test_an_anonymous_request_carries_the_anonymous_user() -> None:
    response = Client().get("/accounts/login/")
    assert response.status_code == 200
    assert type(response.wsgi_request.user) is AnonymousUser


def test_each_request_reads_its_user_again() -> None:
    """Nothing is kept between requests: a renamed user shows renamed on the next page, a
    deactivated one is signed out."""
    admin = make_user("req_admin", Role.ADMIN)
    lawyer = make_user("req_someone", Role.LAWYER)
    client = Client()
    client.force_login(lawyer)
    assert client.get("/matters/").wsgi_request.user.name == "Req_Someone"
    User.objects.filter(pk=lawyer.pk).update(name="改名后")
    assert client.get("/matters/").wsgi_request.user.name == "改名后"
    user_set_active(actor=admin, user=lawyer, active=False)
    response = client.get("/matters/")
    assert response.status_code == 302
    assert type(response.wsgi_request.user) is AnonymousUser
