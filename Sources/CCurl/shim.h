#ifndef XFN_CCURL_SHIM_H
#define XFN_CCURL_SHIM_H
#include <curl/curl.h>

/* curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call; these typed
   wrappers are the only way the transport reaches them. */
static inline CURLcode xfn_curl_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode xfn_curl_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode xfn_curl_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode xfn_curl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode xfn_curl_setopt_offset(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }

typedef size_t (*xfn_curl_data_callback)(char *data, size_t size, size_t count, void *context);
static inline CURLcode xfn_curl_setopt_data_callback(CURL *h, CURLoption o, xfn_curl_data_callback v) { return curl_easy_setopt(h, o, v); }

typedef CURLcode (*xfn_curl_ssl_ctx_callback)(CURL *curl, void *ssl_ctx, void *context);
static inline CURLcode xfn_curl_setopt_ssl_ctx_callback(CURL *h, xfn_curl_ssl_ctx_callback v) { return curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, v); }

static inline CURLcode xfn_curl_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode xfn_curl_getinfo_string(CURL *h, CURLINFO i, char **v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode xfn_curl_getinfo_pointer(CURL *h, CURLINFO i, void **v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode xfn_curl_getinfo_offset(CURL *h, CURLINFO i, curl_off_t *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLMcode xfn_curl_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }
#endif
