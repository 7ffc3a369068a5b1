#pragma once
#include <node_api.h>

// In a function N-API calls: a failed call throws a JavaScript error and returns NULL.
#define CHECK(call)                                                         \
  do {                                                                      \
    if ((call) != napi_ok) {                                                \
      napi_throw_error(env, NULL, "nfevents addon: N-API call failed");    \
      return NULL;                                                          \
    }                                                                       \
  } while (0)
