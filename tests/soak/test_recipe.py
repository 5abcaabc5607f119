"""The soak test reads the README's production recipe as a shell would, and runs it as written."""

import pytest

from tests.soak.recipe import SECTION, _on_port, read_recipe

README = f"""# Majlis

{SECTION}

Install from the lock:

```sh
pip install --require-hashes -r requirements.txt  # the tested set
python -m pip install --require-hashes \\
    -r requirements.txt
export MAJLIS_ENV=production SECRET_KEY='two words' ALLOWED_HOSTS=majlis.example.org
python manage.py migrate && python manage.py collectstatic --noinput
daphne --proxy-headers -b 127.0.0.1 -p 8001 config.asgi:application &
```

```sh
echo "another block, not the recipe"
```
"""


def test_the_recipe_is_read_as_a_shell_reads_it_skipping_only_what_installs(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(README)
    recipe = read_recipe(readme)
    assert recipe.env == {"MAJLIS_ENV": "production", "SECRET_KEY": "two words", "ALLOWED_HOSTS": "majlis.example.org"}
    assert recipe.commands == [
        ["python", "manage.py", "migrate"], ["python", "manage.py", "collectstatic", "--noinput"]]
    assert recipe.servers == [["daphne", "--proxy-headers", "-b", "127.0.0.1", "-p", "8001", "config.asgi:application"]]
    assert len(recipe.skipped) == 2


def test_a_server_keeps_its_flags_and_listens_on_the_port_it_is_given():
    assert _on_port(["daphne", "--proxy-headers", "-p", "8001", "x:app"], 5000) == [
        "daphne", "--proxy-headers", "-p", "5000", "x:app"]
    with pytest.raises(AssertionError):
        _on_port(["daphne", "x:app"], 5000)


def test_the_readme_of_this_checkout_has_a_production_recipe_of_two_processes():
    recipe = read_recipe()
    assert recipe.env["MAJLIS_ENV"] == "production"
    assert [words[:3] for words in recipe.commands] == [
        ["python", "manage.py", "migrate"], ["python", "manage.py", "collectstatic"]]
    assert len(recipe.servers) == 2
    for server in recipe.servers:
        # As DESIGN.md asks: behind the proxy's forwarded scheme, and no access log of addresses.
        assert "--proxy-headers" in server and server[server.index("--access-log") + 1] == "/dev/null"
