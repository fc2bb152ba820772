"""KwikPaisa's resources: one small class per resource, one short method per operation.

Each operation is an :class:`~kwikpaisa._operation.Operation` (data for the one
request path) plus a few lines that validate the arguments and hand them over.
"""
