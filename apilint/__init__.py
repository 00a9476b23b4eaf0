"""apilint: lint Amazon API Gateway OpenAPI definitions and templates, and price them."""

__version__ = "0.1.0"
