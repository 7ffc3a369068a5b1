#pragma once
#include <node_api.h>

#ifndef NETLINK_NETFILTER
#define NETLINK_NETFILTER 12
#endif

napi_value nfnetns_count(napi_env env, napi_callback_info info);
