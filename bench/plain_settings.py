"""Settings of the plain Channels baseline: nothing but a channel layer."""

SECRET_KEY = "plain-channels-benchmark"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS = ["channels"]
DATABASES = {}
ROOT_URLCONF = None
CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
USE_TZ = True
