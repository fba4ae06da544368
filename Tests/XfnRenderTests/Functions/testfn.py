"""Shared start-up for the test functions: the flags real functions take, served on loopback."""
import argparse

from crossplane.function import runtime


def serve(runner):
    parser = argparse.ArgumentParser()
    parser.add_argument("--insecure", action="store_true")
    parser.add_argument("--address", default="127.0.0.1:9443")
    args = parser.parse_args()
    runtime.serve(runner, args.address, creds=None, insecure=args.insecure)
