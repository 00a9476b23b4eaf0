"""``apilint cost``: what an API costs per month as a REST, HTTP or WebSocket API.

Data flows one way: usage (flags or a usage file) and prices (bundled data or an AWS Price List
offer file) go into :mod:`apilint.cost.estimate`, whose result the reporters in
:mod:`apilint.cost.report` render. Money is exact :class:`decimal.Decimal` throughout; it is
rounded to cents only when shown.
"""
