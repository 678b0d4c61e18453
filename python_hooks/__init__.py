"""Python hooks of dr_ingest: the only Python in the product (tarball extraction)."""
