"""Check functions: small, pure, one concern each. They read the model and yield violations."""
