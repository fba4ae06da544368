/// Common Expression Language for Kubernetes validation rules.
