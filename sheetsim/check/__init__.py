"""Checking workbooks, generic over experiments: the manifest read back and checked, the
evaluator compared with the cached values and with the reference model, the report."""
