"""Writing workbooks, generic over experiments: every block with its formula and its
correct cached value, the experiment's own sheets, the manifest, written atomically."""
