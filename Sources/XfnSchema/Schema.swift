/// Kubernetes structural schemas: compile, default, validate, prune.
