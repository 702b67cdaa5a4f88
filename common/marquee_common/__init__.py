"""Small pure code shared by the pipeline, the services and the gateway.

The modules that need a third-party package sit behind an extra of `marquee-common` (logs:
`[logs]`; fuzzy, titles: `[fuzzy]`; analyzer: `[stemming]`; release: `[release]`), so that a part
installs only what the modules it imports use.
"""
