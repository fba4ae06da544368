#ifndef XFN_CARCHIVE_SHIM_H
#define XFN_CARCHIVE_SHIM_H
#include <archive.h>
#include <archive_entry.h>
#endif
