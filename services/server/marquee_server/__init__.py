"""What every Marquee gRPC service runs on: settings, the server's life, one release per process."""
