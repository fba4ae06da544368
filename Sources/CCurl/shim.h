#ifndef XFN_CCURL_SHIM_H
#define XFN_CCURL_SHIM_H
#include <dlfcn.h>
#include <stddef.h>
#include <curl/curl.h>

/* libcurl is opened with dlopen on first use instead of being linked: the distribution's libcurl
   pulls in some thirty libraries (Kerberos, LDAP, GnuTLS, ICU, ...) whose loading cost every xfn
   run several milliseconds, while only registry traffic needs them. The headers still come from
   pkg-config; the functions xfn calls are looked up once into this table. */
struct xfn_curl {
    __typeof__(&curl_global_init) global_init;
    __typeof__(&curl_easy_init) easy_init;
    __typeof__(&curl_easy_cleanup) easy_cleanup;
    __typeof__(&curl_easy_strerror) easy_strerror;
    __typeof__(&curl_slist_append) slist_append;
    __typeof__(&curl_slist_free_all) slist_free_all;
    __typeof__(&curl_multi_init) multi_init;
    __typeof__(&curl_multi_add_handle) multi_add_handle;
    __typeof__(&curl_multi_remove_handle) multi_remove_handle;
    __typeof__(&curl_multi_perform) multi_perform;
    __typeof__(&curl_multi_poll) multi_poll;
    __typeof__(&curl_multi_wakeup) multi_wakeup;
    __typeof__(&curl_multi_info_read) multi_info_read;
    /* Variadic, which Swift cannot call: reached through the typed wrappers below. */
    void *easy_setopt;
    void *easy_getinfo;
    void *multi_setopt;
};

/* Fills `api`; returns NULL, or why libcurl cannot be used. */
static inline const char *xfn_curl_open(struct xfn_curl *api) {
    void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) return dlerror();
#define XFN_CURL_SYMBOL(field, name) \
    if ((*(void **)&api->field = dlsym(library, name)) == NULL) return "libcurl.so.4 lacks " name;
    XFN_CURL_SYMBOL(global_init, "curl_global_init")
    XFN_CURL_SYMBOL(easy_init, "curl_easy_init")
    XFN_CURL_SYMBOL(easy_cleanup, "curl_easy_cleanup")
    XFN_CURL_SYMBOL(easy_strerror, "curl_easy_strerror")
    XFN_CURL_SYMBOL(slist_append, "curl_slist_append")
    XFN_CURL_SYMBOL(slist_free_all, "curl_slist_free_all")
    XFN_CURL_SYMBOL(multi_init, "curl_multi_init")
    XFN_CURL_SYMBOL(multi_add_handle, "curl_multi_add_handle")
    XFN_CURL_SYMBOL(multi_remove_handle, "curl_multi_remove_handle")
    XFN_CURL_SYMBOL(multi_perform, "curl_multi_perform")
    XFN_CURL_SYMBOL(multi_poll, "curl_multi_poll")
    XFN_CURL_SYMBOL(multi_wakeup, "curl_multi_wakeup")
    XFN_CURL_SYMBOL(multi_info_read, "curl_multi_info_read")
    XFN_CURL_SYMBOL(easy_setopt, "curl_easy_setopt")
    XFN_CURL_SYMBOL(easy_getinfo, "curl_easy_getinfo")
    XFN_CURL_SYMBOL(multi_setopt, "curl_multi_setopt")
#undef XFN_CURL_SYMBOL
    return NULL;
}

typedef CURLcode (*xfn_curl_setopt_function)(CURL *, CURLoption, ...);
typedef CURLcode (*xfn_curl_getinfo_function)(CURL *, CURLINFO, ...);
typedef CURLMcode (*xfn_curl_multi_setopt_function)(CURLM *, CURLMoption, ...);

/* Typed calls of the variadic setters and getters, given the table's pointer to the function. */
static inline CURLcode xfn_curl_setopt_long(void *setopt_or_getinfo, CURL *h, CURLoption o, long v) { return ((xfn_curl_setopt_function)setopt_or_getinfo)(h, o, v); }
static inline CURLcode xfn_curl_setopt_string(void *setopt_or_getinfo, CURL *h, CURLoption o, const char *v) { return ((xfn_curl_setopt_function)setopt_or_getinfo)(h, o, v); }
static inline CURLcode xfn_curl_setopt_pointer(void *setopt_or_getinfo, CURL *h, CURLoption o, void *v) { return ((xfn_curl_setopt_function)setopt_or_getinfo)(h, o, v); }
static inline CURLcode xfn_curl_setopt_slist(void *setopt_or_getinfo, CURL *h, CURLoption o, struct curl_slist *v) { return ((xfn_curl_setopt_function)setopt_or_getinfo)(h, o, v); }
static inline CURLcode xfn_curl_setopt_offset(void *setopt_or_getinfo, CURL *h, CURLoption o, curl_off_t v) { return ((xfn_curl_setopt_function)setopt_or_getinfo)(h, o, v); }

typedef size_t (*xfn_curl_data_callback)(char *data, size_t size, size_t count, void *context);
static inline CURLcode xfn_curl_setopt_data_callback(void *setopt_or_getinfo, CURL *h, CURLoption o, xfn_curl_data_callback v) { return ((xfn_curl_setopt_function)setopt_or_getinfo)(h, o, v); }

typedef CURLcode (*xfn_curl_ssl_ctx_callback)(CURL *curl, void *ssl_ctx, void *context);
static inline CURLcode xfn_curl_setopt_ssl_ctx_callback(void *setopt_or_getinfo, CURL *h, xfn_curl_ssl_ctx_callback v) { return ((xfn_curl_setopt_function)setopt_or_getinfo)(h, CURLOPT_SSL_CTX_FUNCTION, v); }

static inline CURLcode xfn_curl_getinfo_long(void *setopt_or_getinfo, CURL *h, CURLINFO i, long *v) { return ((xfn_curl_getinfo_function)setopt_or_getinfo)(h, i, v); }
static inline CURLcode xfn_curl_getinfo_string(void *setopt_or_getinfo, CURL *h, CURLINFO i, char **v) { return ((xfn_curl_getinfo_function)setopt_or_getinfo)(h, i, v); }
static inline CURLcode xfn_curl_getinfo_pointer(void *setopt_or_getinfo, CURL *h, CURLINFO i, void **v) { return ((xfn_curl_getinfo_function)setopt_or_getinfo)(h, i, v); }
static inline CURLcode xfn_curl_getinfo_offset(void *setopt_or_getinfo, CURL *h, CURLINFO i, curl_off_t *v) { return ((xfn_curl_getinfo_function)setopt_or_getinfo)(h, i, v); }
static inline CURLMcode xfn_curl_multi_setopt_long(void *multi_setopt, CURLM *m, CURLMoption o, long v) { return ((xfn_curl_multi_setopt_function)multi_setopt)(m, o, v); }
#endif
