from django.core.management import call_command

from apps.organizations.models import Membership
from apps.tags.models import Tag
from apps.topics.models import Topic


def test_demo_setup_loads_the_demo_and_can_run_twice(db, tmp_path, settings, capsys):
    settings.BASE_DIR = tmp_path
    call_command("demo_setup")
    call_command("demo_setup")
    output = capsys.readouterr().out
    assert {(t.name, t.category.name) for t in Topic.objects.select_related("category")} == {
        ("Project Alpha", "Client Work"),
        ("Research", "Internal"),
    }
    assert Tag.objects.count() >= 3
    membership = Membership.objects.get(user__username="admin")
    assert membership.role == "owner" and membership.user.is_superuser
    password = (tmp_path / "var" / "demo-admin-password.txt").read_text().strip()
    # Both runs print the same working login.
    assert output.count(f"password: {password}") == 2
    assert membership.user.check_password(password)


def test_admin_login_page_is_served(client, db):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert b"Django administration" in response.content or b"Log in" in response.content


def test_demo_admin_sees_the_demo_topics_in_the_admin(client, db, tmp_path, settings):
    settings.BASE_DIR = tmp_path
    call_command("demo_setup")
    password = (tmp_path / "var" / "demo-admin-password.txt").read_text().strip()
    assert client.login(username="admin", password=password)
    response = client.get("/admin/topics/topic/")
    assert response.status_code == 200
    assert b"Project Alpha" in response.content
