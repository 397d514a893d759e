"""factory_boy factories for the tests."""

from __future__ import annotations

import factory
from django.contrib.auth.models import Group

from security.models import Department, User
from security.services import user_email_trust


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Department {n}")
    code = factory.Sequence(lambda n: f"dept-{n}")


DEFAULT_PASSWORD = "Correct-horse-42!"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Sequence(lambda n: f"User {n}")
    department = factory.SubFactory(DepartmentFactory)
    password = factory.django.Password(DEFAULT_PASSWORD)

    @factory.post_generation
    def trusted_email(self, create: bool, extracted, **kwargs) -> None:
        """As an administrator's account: the address counts as verified."""
        if create and extracted is not False:
            user_email_trust(user=self)

    @factory.post_generation
    def groups(self, create: bool, extracted, **kwargs) -> None:
        """UserFactory(groups=["Approvers"]) puts the user in those role groups."""
        if create and extracted:
            self.groups.add(*(Group.objects.get(name=name) for name in extracted))


# Tests read the factory's password as UserFactory.PASSWORD (set after the class is made,
# so factory_boy does not take it for a model field).
UserFactory.PASSWORD = DEFAULT_PASSWORD


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "bookings.Provider"
        django_get_or_create = ("name",)

    name = "Jitsi"
    kind = "jitsi"
    base_url = "https://meet.example.com"


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "bookings.Room"

    name = factory.Sequence(lambda n: f"Room {n}")
    provider = factory.SubFactory(ProviderFactory)
    capacity = 20
    preparation_minutes = 0
