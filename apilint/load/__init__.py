"""Reading definition files: YAML and JSON with positions, templates and references."""
