"""Composes one resource per entry of its input's `resources` list and counts them in the XR status."""
from crossplane.function import resource, response
from crossplane.function.proto.v1 import run_function_pb2 as fnv1
from crossplane.function.proto.v1 import run_function_pb2_grpc as grpcv1

import testfn


class Runner(grpcv1.FunctionRunnerService):
    async def RunFunction(self, req, context):
        rsp = response.to(req)
        entries = resource.struct_to_dict(req.input).get("resources", [])
        for entry in entries:
            body = dict(entry["base"])
            resource.update(rsp.desired.resources[entry["name"]], body)
            if entry.get("ready", False):
                rsp.desired.resources[entry["name"]].ready = fnv1.READY_TRUE
        region = req.observed.composite.resource["spec"]["region"]
        resource.update(rsp.desired.composite, {"status": {"composed": len(entries), "region": region}})
        response.normal(rsp, f"composed {len(entries)} resources")
        if len(entries) > 2:
            response.warning(rsp, "more than two resources")
        return rsp


testfn.serve(Runner())
