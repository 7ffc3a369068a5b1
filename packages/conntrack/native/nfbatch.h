#pragma once
#include <node_api.h>

napi_value nfbatch_encode_repeats(napi_env env, napi_callback_info info);
napi_value nfbatch_number_messages(napi_env env, napi_callback_info info);
