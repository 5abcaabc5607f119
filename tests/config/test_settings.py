"""Settings from the environment: embedded default, production hardening, refusals."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "MAJLIS_ENV": "production",
    "SECRET_KEY": "a" * 10 + "-production-secret-key-for-the-deploy-check-0123456789xyz",
    "ALLOWED_HOSTS": "majlis.example.org",
}


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("MAJLIS_ENV", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "DJANGO_DEBUG")}
    clean.update(env)
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean,
                          capture_output=True, text=True, timeout=120)


def test_production_passes_the_deploy_check_without_a_single_warning():
    result = run_python(
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','config.settings');"
        "from django.core.management import execute_from_command_line;"
        "execute_from_command_line(['manage.py','check','--deploy','--fail-level','WARNING'])",
        **PRODUCTION_ENV,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_its_secrets(missing):
    env = dict(PRODUCTION_ENV)
    del env[missing]
    result = run_python("import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; django.setup()", **env)
    assert result.returncode != 0
    assert "requires SECRET_KEY and ALLOWED_HOSTS" in result.stderr


def test_a_wildcard_allowed_host_is_refused():
    result = run_python("import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; django.setup()",
                        ALLOWED_HOSTS="*")
    assert result.returncode != 0 and "'*' is refused" in result.stderr


SHOW = ("import os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; import django; django.setup();"
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.SECRET_KEY, s.ALLOWED_HOSTS, s.DATABASES['default']['ENGINE'],"
        " s.CHANNEL_LAYERS['default']['BACKEND'], s.SESSION_COOKIE_SECURE, sep='|')")


def test_the_embedded_default_needs_no_environment_and_keeps_one_secret_key():
    first, second = run_python(SHOW).stdout.strip().split("|"), run_python(SHOW).stdout.strip().split("|")
    assert first == second  # two processes of one checkout agree on the key
    debug, key, hosts, engine, layer, secure = first
    assert debug == "False" and len(key) >= 50
    assert "'localhost'" in hosts and "'127.0.0.1'" in hosts and "'[::1]'" in hosts
    assert engine == "django.db.backends.sqlite3"
    assert layer == "realtime.layers.FanoutInMemoryChannelLayer"


def test_database_and_redis_urls_switch_the_backends():
    out = run_python(SHOW, DATABASE_URL="postgres://u:p@127.0.0.1:5432/majlis",
                     REDIS_URL="redis://127.0.0.1:6379/0").stdout.strip().split("|")
    assert out[3] == "django.db.backends.postgresql"
    assert out[4] == "channels_redis.core.RedisChannelLayer"


def test_redis_layer_encrypts_with_a_key_derived_from_the_secret():
    code = ("import os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; import django; django.setup();"
            "from django.conf import settings as s; c = s.CHANNEL_LAYERS['default']['CONFIG'];"
            "print(len(c['symmetric_encryption_keys'][0]), s.SECRET_KEY in c['symmetric_encryption_keys'][0])")
    out = run_python(code, REDIS_URL="redis://127.0.0.1:6379/0", SECRET_KEY="x" * 60).stdout.split()
    assert out == ["64", "False"]


def test_production_turns_on_transport_security():
    code = ("import os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; import django; django.setup();"
            "from django.conf import settings as s;"
            "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0, s.DEBUG)")
    assert run_python(code, **PRODUCTION_ENV, DJANGO_DEBUG="1").stdout.split() == ["True"] * 4 + ["False"]


def test_seed_demo_refuses_to_run_in_production():
    code = ("import os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; import django; django.setup();"
            "from django.core.management import call_command; call_command('seed_demo')")
    result = run_python(code, **PRODUCTION_ENV, DATABASE_URL="sqlite:////nonexistent/never.sqlite3")
    assert result.returncode != 0 and "refuses to run" in result.stderr


def test_daphne_never_logs_a_connection_with_its_client_address():
    """daphne's "took too long to shut down" warning prints the connection, address included."""
    import logging

    assert not logging.getLogger("daphne.server").isEnabledFor(logging.WARNING)
    assert logging.getLogger("daphne.server").isEnabledFor(logging.ERROR)
