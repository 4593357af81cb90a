/*
 * cw_json.h -- JSON.stringify with ES2019's well-formed output (lone
 * surrogates escaped as \udXXX); the engine's own function does the rest.
 * See cw_json.c.
 */
#ifndef CW_JSON_H
#define CW_JSON_H

#include "duktape.h"

/* Replace the global JSON.stringify of the heap being prepared.  Call once,
 * at heap preparation, inside a safe call (it allocates). */
void cw_json_install(duk_context *ctx);

#endif /* CW_JSON_H */
