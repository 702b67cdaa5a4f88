"""Small pure code shared by the pipeline, the services and the gateway."""
