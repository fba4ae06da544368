"""Asks for a config map by name, then for the zones its data names: three calls before it settles."""
from crossplane.function import request, resource, response
from crossplane.function.proto.v1 import run_function_pb2_grpc as grpcv1

import testfn


class Runner(grpcv1.FunctionRunnerService):
    async def RunFunction(self, req, context):
        rsp = response.to(req)
        response.require_resources(rsp, "config", "v1", "ConfigMap", match_name="zones-config")
        config = request.get_required_resource(req, "config")
        calls = int(req.context["calls"]) + 1 if "calls" in req.context.fields else 1
        rsp.context["calls"] = calls
        if config is None:
            return rsp
        region = config["data"]["region"]
        response.require_resources(rsp, "zones", "example.org/v1", "Zone", match_labels={"region": region})
        zones = request.get_required_resources(req, "zones")
        for zone in zones:
            name = zone["metadata"]["name"]
            resource.update(rsp.desired.resources[f"subnet-{name}"], {
                "apiVersion": "example.org/v1",
                "kind": "Subnet",
                "spec": {"zone": name, "cidr": zone["spec"]["cidr"]},
            })
        missing = request.get_required_resources(req, "absent")
        resource.update(rsp.desired.composite, {"status": {"zones": len(zones), "calls": calls, "absent": len(missing)}})
        response.require_resources(rsp, "absent", "example.org/v1", "Zone", match_name="does-not-exist")
        return rsp


testfn.serve(Runner())
