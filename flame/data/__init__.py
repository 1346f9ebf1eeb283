"""flame.data: source adapters, mirror/download with checksums, collection build, mixtures."""
