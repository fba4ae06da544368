"""Asks for a different resource on every call, so its requirements never settle."""
from crossplane.function import response
from crossplane.function.proto.v1 import run_function_pb2_grpc as grpcv1

import testfn


class Runner(grpcv1.FunctionRunnerService):
    def __init__(self):
        self.calls = 0

    async def RunFunction(self, req, context):
        self.calls += 1
        rsp = response.to(req)
        response.require_resources(rsp, "moving", "v1", "ConfigMap", match_name=f"config-{self.calls}")
        return rsp


testfn.serve(Runner())
