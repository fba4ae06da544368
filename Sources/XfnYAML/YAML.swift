/// YAML reading and writing over libyaml, with Kubernetes scalar resolution and source positions.
