"""What both Lambda functions share: Powertools logging, EMF metrics and optional tracing (``telemetry``), and the
store the init phase opens (``init``)."""
