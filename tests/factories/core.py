import factory
from django.contrib.auth.models import Group

from core.models import Branch, User
from core.roles import Role


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"BR{n:03d}")
    name = factory.Sequence(lambda n: f"测试支行{n}")
    city = "上海"


class UserFactory(factory.django.DjangoModelFactory):
    """A member of staff; pass ``role=Role.X`` to put them in that role's group."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="zh_CN")
    last_name = factory.Faker("last_name", locale="zh_CN")
    email = factory.LazyAttribute(lambda u: f"{u.username}@bank.example")
    branch = factory.SubFactory(BranchFactory)
    password = factory.django.Password("pw-for-tests-only")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if not create or extracted is None:
            return
        role = Role(extracted)
        if role == Role.ADMINISTRATOR:
            self.is_superuser = self.is_staff = True
            self.save(update_fields=["is_superuser", "is_staff"])
        else:
            group, _ = Group.objects.get_or_create(name=role.value)
            self.groups.add(group)
        self.__dict__.pop("role", None)
