# apps.core holds shared plumbing (ids, errors, the API envelope); it has no models of its own.
