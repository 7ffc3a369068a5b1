{
  "targets": [
    {
      "target_name": "nfevents",
      "sources": ["native/nfevents.c", "native/nfdump.c", "native/nfnetns.c", "native/nfbatch.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    }
  ]
}
