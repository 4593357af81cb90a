/*
 * cw_sort.h -- Array.prototype.sort as a native stable merge sort (see
 * cw_sort.c).
 */
#ifndef CW_SORT_H
#define CW_SORT_H

#include "duktape.h"

/* Replace Array.prototype.sort of the heap being prepared.  Call once, at
 * heap preparation, after cw_runtime_install(), inside a safe call. */
void cw_sort_install(duk_context *ctx);

#endif /* CW_SORT_H */
