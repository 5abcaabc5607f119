"""Static files in production: content-hashed names, pre-compressed (gzip and Brotli), and
ES module imports rewritten to the hashed names.

Without the rewrite, `main.js` would import `./outbox.js` by its plain name, which can
change without its address changing: the browser could not cache it for ever, and a
phone on a slow link would ask for every module again on each visit.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    support_js_module_import_aggregation = True
