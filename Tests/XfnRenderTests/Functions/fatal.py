"""Fails the pipeline with a fatal result after a normal one."""
from crossplane.function import response
from crossplane.function.proto.v1 import run_function_pb2_grpc as grpcv1

import testfn


class Runner(grpcv1.FunctionRunnerService):
    async def RunFunction(self, req, context):
        rsp = response.to(req)
        response.normal(rsp, "looked at the XR")
        response.fatal(rsp, "spec.size must be small, medium or large")
        return rsp


testfn.serve(Runner())
