#ifndef NEWSREC_COPENBLAS_SHIM_H
#define NEWSREC_COPENBLAS_SHIM_H
#include <cblas.h>
#endif
