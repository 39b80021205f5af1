"""Static files under content-hashed names, precompressed (gzip and Brotli), cached for a year.

The ES modules import each other by relative path: Django rewrites those imports to the
hashed names too (an opt-in of its manifest storage), so a page never loads a stale module.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class HashedCompressedStorage(CompressedManifestStaticFilesStorage):
    support_js_module_import_aggregation = True
