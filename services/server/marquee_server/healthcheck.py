"""`python -m marquee_server.healthcheck PORT [SERVICE]`: exit 0 when the gRPC server on
127.0.0.1:PORT reports SERVING. The container healthcheck; no downloaded probe binary."""

from __future__ import annotations

import sys

import grpc
from grpc_health.v1 import health_pb2


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args:
        sys.stderr.write("usage: python -m marquee_server.healthcheck PORT [SERVICE]\n")
        return 2
    target = f"127.0.0.1:{args[0]}"
    service = args[1] if len(args) > 1 else ""
    try:
        with grpc.insecure_channel(target) as channel:
            check = channel.unary_unary(  # the generated HealthStub's Check, which typeshed's stub does not declare
                "/grpc.health.v1.Health/Check",
                request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
                response_deserializer=health_pb2.HealthCheckResponse.FromString,
            )
            reply = check(health_pb2.HealthCheckRequest(service=service), timeout=2)
    except grpc.RpcError as exc:
        sys.stderr.write(f"{target}: {exc.code().name}\n")
        return 1
    status = health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)
    sys.stderr.write(f"{target} {service or '<server>'}: {status}\n")
    return 0 if reply.status == health_pb2.HealthCheckResponse.SERVING else 1


if __name__ == "__main__":
    raise SystemExit(main())
