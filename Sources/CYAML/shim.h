#ifndef XFN_CYAML_SHIM_H
#define XFN_CYAML_SHIM_H
#include <yaml.h>
#endif
