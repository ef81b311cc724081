"""The benchmark baseline endpoint (only with BENCHMARK_ENDPOINTS)."""
