"""Sets XR conditions (one of them a type Crossplane reserves), adds to the context, marks the XR not ready."""
from crossplane.function import resource, response
from crossplane.function.proto.v1 import run_function_pb2 as fnv1
from crossplane.function.proto.v1 import run_function_pb2_grpc as grpcv1

import testfn


class Runner(grpcv1.FunctionRunnerService):
    async def RunFunction(self, req, context):
        rsp = response.to(req)
        environment = resource.struct_to_dict(req.context).get("apiextensions.crossplane.io/environment", {})
        rsp.context["example.org/seen"] = {"steps": 1, "tier": environment.get("tier", "none")}
        rsp.conditions.append(fnv1.Condition(type="DatabaseReady", status=fnv1.STATUS_CONDITION_TRUE,
                                             reason="Provisioned", message="the database answers"))
        rsp.conditions.append(fnv1.Condition(type="Synced", status=fnv1.STATUS_CONDITION_FALSE, reason="Ignored"))
        rsp.conditions.append(fnv1.Condition(type="Quota", status=fnv1.STATUS_CONDITION_UNSPECIFIED, reason="Unchecked"))
        rsp.desired.composite.ready = fnv1.READY_FALSE
        response.warning(rsp, "the XR stays unready")
        return rsp


testfn.serve(Runner())
