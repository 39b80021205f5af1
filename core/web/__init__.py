"""The HTTP side every page shares: request and response middleware, error pages that say
what is wrong, /healthz, hashed and precompressed static files, and streamed downloads."""
