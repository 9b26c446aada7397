#ifndef MANRS_CLIBPQ_SHIM_H
#define MANRS_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
