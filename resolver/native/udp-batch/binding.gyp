{
  "targets": [
    {
      "target_name": "udp_batch",
      "sources": ["udp-batch.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "conditions": [["OS!='linux'", {"type": "none", "sources!": ["udp-batch.c"]}]]
    }
  ]
}
