"""Benchmark harness: `python -m bench [--quick|--smoke] [--out PATH]` (see README, Benchmarks)."""
