"""The spreadsheet file format, and nothing about experiments: A1 addresses, the package
read safely, the book as read, and big blocks streamed into a package.

This layer imports nothing else of sheetsim, so the evaluator (which stands on it alone)
cannot share a mistake with the code that builds workbooks.
"""
