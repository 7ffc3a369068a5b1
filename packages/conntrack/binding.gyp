{
  "targets": [
    {
      "target_name": "nfevents",
      "sources": ["native/nfevents.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    }
  ]
}
