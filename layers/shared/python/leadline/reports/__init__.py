"""Reports: counters kept as things happen, and the reports read from them."""
