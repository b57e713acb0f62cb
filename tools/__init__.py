"""Developer tools: benchmarks, the OpenAPI extractor and the fuzzer (run as `python tools/NAME.py`)."""
