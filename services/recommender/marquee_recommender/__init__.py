"""Marquee's recommender service: similar films by id, title or free text, over gRPC."""
