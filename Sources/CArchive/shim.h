#ifndef XFN_CARCHIVE_SHIM_H
#define XFN_CARCHIVE_SHIM_H
#include <dlfcn.h>
#include <stddef.h>
#include <archive.h>
#include <archive_entry.h>

/* libarchive is opened with dlopen when the first layer is unpacked instead of being linked: the
   distribution's build links XML and ICU libraries whose loading cost every xfn run, while only
   unpacking needs it. The functions xfn calls are looked up once into this table. */
struct xfn_archive {
    __typeof__(&archive_read_new) read_new;
    __typeof__(&archive_read_support_format_tar) read_support_format_tar;
    __typeof__(&archive_read_support_filter_gzip) read_support_filter_gzip;
    __typeof__(&archive_read_support_filter_zstd) read_support_filter_zstd;
    __typeof__(&archive_read_open_fd) read_open_fd;
    __typeof__(&archive_read_free) read_free;
    __typeof__(&archive_read_next_header) read_next_header;
    __typeof__(&archive_read_data_block) read_data_block;
    __typeof__(&archive_filter_bytes) filter_bytes;
    __typeof__(&archive_filter_count) filter_count;
    __typeof__(&archive_filter_name) filter_name;
    __typeof__(&archive_error_string) error_string;
    __typeof__(&archive_entry_pathname_utf8) entry_pathname_utf8;
    __typeof__(&archive_entry_pathname) entry_pathname;
    __typeof__(&archive_entry_hardlink_utf8) entry_hardlink_utf8;
    __typeof__(&archive_entry_hardlink) entry_hardlink;
    __typeof__(&archive_entry_symlink_utf8) entry_symlink_utf8;
    __typeof__(&archive_entry_symlink) entry_symlink;
    __typeof__(&archive_entry_filetype) entry_filetype;
    __typeof__(&archive_entry_perm) entry_perm;
    __typeof__(&archive_entry_size_is_set) entry_size_is_set;
    __typeof__(&archive_entry_size) entry_size;
    __typeof__(&archive_entry_uid) entry_uid;
    __typeof__(&archive_entry_gid) entry_gid;
    __typeof__(&archive_entry_mtime_is_set) entry_mtime_is_set;
    __typeof__(&archive_entry_mtime) entry_mtime;
    __typeof__(&archive_entry_mtime_nsec) entry_mtime_nsec;
};

/* Fills `api`; returns NULL, or why libarchive cannot be used. */
static inline const char *xfn_archive_open(struct xfn_archive *api) {
    void *library = dlopen("libarchive.so.13", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) return dlerror();
#define XFN_ARCHIVE_SYMBOL(field) \
    if ((*(void **)&api->field = dlsym(library, "archive_" #field)) == NULL) return "libarchive.so.13 lacks archive_" #field;
    XFN_ARCHIVE_SYMBOL(read_new)
    XFN_ARCHIVE_SYMBOL(read_support_format_tar)
    XFN_ARCHIVE_SYMBOL(read_support_filter_gzip)
    XFN_ARCHIVE_SYMBOL(read_support_filter_zstd)
    XFN_ARCHIVE_SYMBOL(read_open_fd)
    XFN_ARCHIVE_SYMBOL(read_free)
    XFN_ARCHIVE_SYMBOL(read_next_header)
    XFN_ARCHIVE_SYMBOL(read_data_block)
    XFN_ARCHIVE_SYMBOL(filter_bytes)
    XFN_ARCHIVE_SYMBOL(filter_count)
    XFN_ARCHIVE_SYMBOL(filter_name)
    XFN_ARCHIVE_SYMBOL(error_string)
    XFN_ARCHIVE_SYMBOL(entry_pathname_utf8)
    XFN_ARCHIVE_SYMBOL(entry_pathname)
    XFN_ARCHIVE_SYMBOL(entry_hardlink_utf8)
    XFN_ARCHIVE_SYMBOL(entry_hardlink)
    XFN_ARCHIVE_SYMBOL(entry_symlink_utf8)
    XFN_ARCHIVE_SYMBOL(entry_symlink)
    XFN_ARCHIVE_SYMBOL(entry_filetype)
    XFN_ARCHIVE_SYMBOL(entry_perm)
    XFN_ARCHIVE_SYMBOL(entry_size_is_set)
    XFN_ARCHIVE_SYMBOL(entry_size)
    XFN_ARCHIVE_SYMBOL(entry_uid)
    XFN_ARCHIVE_SYMBOL(entry_gid)
    XFN_ARCHIVE_SYMBOL(entry_mtime_is_set)
    XFN_ARCHIVE_SYMBOL(entry_mtime)
    XFN_ARCHIVE_SYMBOL(entry_mtime_nsec)
#undef XFN_ARCHIVE_SYMBOL
    return NULL;
}
#endif
