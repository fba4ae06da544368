import Foundation
@testable import XfnValidate

/// A small repository: an XRD and its Composition (with a pipeline input whose CRD is local), an
/// example XR, and an unrelated XRD with its own example.
enum ProjectFixture {
    static let config = """
        schemas:
          - apis/
          - crds/
        examples:
          paths: [examples/]
        ignore:
          - "*.values.yaml"

        """

    static func xrd(group: String = "storage.example.org", kind: String = "XBucket", plural: String = "xbuckets",
                    required: String = "region") -> String {
        """
        apiVersion: apiextensions.crossplane.io/v2
        kind: CompositeResourceDefinition
        metadata:
          name: \(plural).\(group)
        spec:
          group: \(group)
          names: {kind: \(kind), plural: \(plural)}
          scope: Namespaced
          versions:
            - name: v1alpha1
              served: true
              referenceable: true
              schema:
                openAPIV3Schema:
                  type: object
                  properties:
                    spec:
                      type: object
                      required: [\(required)]
                      properties:
                        region: {type: string}
                        size: {type: integer}

        """
    }

    static let inputCRD = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: resources.pt.fn.example.org
        spec:
          group: pt.fn.example.org
          names: {kind: Resources, plural: resources}
          scope: Namespaced
          versions:
            - name: v1beta1
              served: true
              storage: true
              schema:
                openAPIV3Schema:
                  type: object
                  properties:
                    resources:
                      type: array
                      items:
                        type: object
                        required: [name]
                        properties:
                          name: {type: string}

        """

    static func composition(resourceName: String = "name: bucket") -> String {
        """
        apiVersion: apiextensions.crossplane.io/v1
        kind: Composition
        metadata:
          name: xbuckets.example
        spec:
          compositeTypeRef: {apiVersion: storage.example.org/v1alpha1, kind: XBucket}
          mode: Pipeline
          pipeline:
            - step: resources
              functionRef: {name: function-resources}
              input:
                apiVersion: pt.fn.example.org/v1beta1
                kind: Resources
                resources:
                  - \(resourceName)

        """
    }

    static func bucket(region: String = "region: eu-west-1") -> String {
        """
        apiVersion: storage.example.org/v1alpha1
        kind: XBucket
        metadata: {name: example, namespace: default}
        spec:
          \(region)

        """
    }

    static let queue = """
        apiVersion: queue.example.org/v1alpha1
        kind: XQueue
        metadata: {name: example, namespace: default}
        spec: {region: eu-west-1}

        """

    /// Writes the repository into `workspace` and returns its config.
    @discardableResult
    static func write(into workspace: Workspace, config: String = ProjectFixture.config) throws -> ProjectConfig {
        try workspace.write(".xfn.yaml", config)
        try workspace.write("apis/bucket/definition.yaml", xrd())
        try workspace.write("apis/bucket/composition.yaml", composition())
        try workspace.write("apis/queue/definition.yaml", xrd(group: "queue.example.org", kind: "XQueue", plural: "xqueues"))
        try workspace.write("crds/resources.yaml", inputCRD)
        try workspace.write("examples/bucket.yaml", bucket())
        try workspace.write("examples/queue.yaml", queue)
        try workspace.write("examples/chart.values.yaml", "replicas: 3\n")
        return try ProjectConfig.load(workspace.path(".xfn.yaml"))
    }
}
