/*
 * cw_errmsg.c -- V8's wording for the errors the engine itself raises.
 *
 * Why: agent code very often catches an error and outputs e.message, and
 * agents read those messages to fix their code.  Duktape words its errors
 * its own way ("cannot read property 'x' of null", "identifier 'x'
 * undefined"), so the same job printed different output here than under
 * Node.  Duktape calls Duktape.errCreate for every error it creates; the
 * sandbox's hook (cw_sandbox.c) passes the message of an error made by the
 * engine's C code -- never one a job constructs, whose traceback starts in
 * script -- through cw_errmsg_v8(), which maps Duktape's fixed message
 * patterns onto V8's templates.  Only failing paths pay: the hook already
 * runs for every error, and a message that matches no pattern is left as
 * it is.
 *
 * Where V8 prints the callee's source text ("obj.method is not a function")
 * the engine reports only the property name or the value, so the rewrite
 * says "method is not a function" / "5 is not a function": the closest form
 * that does not invent text (README, "Error messages").
 */
#include "cw_errmsg.h"

#include <stdio.h>
#include <string.h>

/* If s starts with prefix, the rest; else NULL. */
static const char *cw_errmsg_after(const char *s, const char *prefix) {
    size_t n = strlen(prefix);
    return strncmp(s, prefix, n) == 0 ? s + n : NULL;
}

static int cw_errmsg_put(size_t cap, int n) {
    return n < 0 || (size_t)n >= cap ? -1 : 1;
}

/* "cannot read property 'K' of null" style, rest being what follows
 * "property ": K is between the first quote and the last "' of " (a key
 * may itself contain "' of ").  A key that is
 * not a string (a number, a boolean) comes unquoted: "cannot read property
 * 0 of undefined"; V8 quotes it as text either way.  A Symbol key (which
 * the engine prints in its internal form) is left alone. */
static int cw_errmsg_prop(const char *rest, int set, char *out, size_t cap) {
    int quoted = rest[0] == '\'';
    if (quoted)
        rest++;
    else if (rest[0] == '[')
        return 0;
    const char *sep = quoted ? "' of " : " of ";
    size_t sn = strlen(sep);
    const char *of = NULL;
    for (const char *p = strstr(rest, sep); p; p = strstr(p + 1, sep))
        of = p;
    if (!of)
        return 0;
    const char *base = of + sn;
    if (strcmp(base, "null") != 0 && strcmp(base, "undefined") != 0)
        return 0;
    int k = (int)(of - rest);
    return cw_errmsg_put(cap, set ? snprintf(out, cap, "Cannot set properties of %s (setting '%.*s')", base, k, rest)
                                        : snprintf(out, cap, "Cannot read properties of %s (reading '%.*s')", base, k, rest));
}

int cw_errmsg_v8(const char *name, const char *msg, char *out, size_t cap) {
    const char *r;
    if (!name || !msg || !out || cap == 0)
        return -1;
    static const struct {
        const char *name, *duk, *v8;
    } fixed[] = {
        {"RangeError", "callstack limit", "Maximum call stack size exceeded"},
        {"RangeError", "C stack depth limit", "Maximum call stack size exceeded"},
        {"TypeError", "not object coercible", "Cannot convert undefined or null to object"},
        {"RangeError", "invalid length", "Invalid array length"},
        {"URIError", "invalid input", "URI malformed"},
        {"TypeError", "cyclic input", "Converting circular structure to JSON"},
        {"RangeError", "invalid array length", "Invalid array length"},
        {"TypeError", "cannot string coerce Symbol", "Cannot convert a Symbol value to a string"},
        {"TypeError", "coercion to primitive failed", "Cannot convert object to primitive value"},
        {"TypeError", "invalid instanceof rval", "Right-hand side of 'instanceof' is not callable"},
        {"TypeError", "cannot read property [Symbol wellknown '?Symbol.iterator?'] of undefined",
         "undefined is not iterable"},
        {"TypeError", "cannot read property [Symbol wellknown '?Symbol.iterator?'] of null", "null is not iterable"},
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (strcmp(name, fixed[i].name) == 0 && strcmp(msg, fixed[i].duk) == 0)
            return cw_errmsg_put(cap, snprintf(out, cap, "%s", fixed[i].v8));
    if (strcmp(name, "TypeError") == 0) {
        if ((r = cw_errmsg_after(msg, "cannot read property ")))
            return cw_errmsg_prop(r, 0, out, cap);
        if ((r = cw_errmsg_after(msg, "cannot write property ")))
            return cw_errmsg_prop(r, 1, out, cap);
        size_t n = strlen(msg);
        if (n > 14 && msg[0] == '"' && strcmp(msg + n - 14, "\" is read-only") == 0)
            return cw_errmsg_put(cap, snprintf(out, cap, "Assignment to constant variable."));
        const char *nc = strstr(msg, " not callable");
        if (nc) {
            const char *tail = nc + 13;
            if (*tail == '\0')
                return cw_errmsg_put(cap, snprintf(out, cap, "%.*s is not a function", (int)(nc - msg), msg));
            if ((r = cw_errmsg_after(tail, " (property [Symbol wellknown '?Symbol.iterator?'] of ")) && n > 0 &&
                msg[n - 1] == ')')
                return cw_errmsg_put(cap, snprintf(out, cap, "%.*s is not iterable", (int)(msg + n - 1 - r), r));
            if ((r = cw_errmsg_after(tail, " (property '"))) {
                const char *q = strstr(r, "' of ");
                if (q)
                    return cw_errmsg_put(cap, snprintf(out, cap, "%.*s is not a function", (int)(q - r), r));
            }
        }
    }
    if (strcmp(name, "ReferenceError") == 0 && (r = cw_errmsg_after(msg, "identifier '"))) {
        size_t n = strlen(r);
        if (n > 11 && strcmp(r + n - 11, "' undefined") == 0)
            return cw_errmsg_put(cap, snprintf(out, cap, "%.*s is not defined", (int)(n - 11), r));
    }
    return 0;
}

int cw_errmsg_v8_in(const char *name, const char *msg, const char *fn, char *out, size_t cap) {
    if (!name || !msg || !out || cap == 0)
        return -1;
    /* Duktape's generic message in a given built-in -> V8's for it.  Each
     * of these built-ins raises that message for one reason only (an empty
     * array without an initial value; the radix out of 2..36).  toFixed,
     * toPrecision and toExponential are left alone: Duktape allows 20
     * digits where V8 allows 100, so V8's "must be between 0 and 100" would
     * be untrue of (1).toFixed(50). */
    static const struct {
        const char *name, *fn, *duk, *v8;
    } in_fn[] = {
        {"TypeError", "reduce", "invalid args", "Reduce of empty array with no initial value"},
        {"TypeError", "reduceRight", "invalid args", "Reduce of empty array with no initial value"},
        {"RangeError", "toString", "number outside range", "toString() radix argument must be between 2 and 36"},
    };
    if (fn && *fn)
        for (size_t i = 0; i < sizeof in_fn / sizeof in_fn[0]; i++)
            if (strcmp(name, in_fn[i].name) == 0 && strcmp(fn, in_fn[i].fn) == 0 && strcmp(msg, in_fn[i].duk) == 0)
                return cw_errmsg_put(cap, snprintf(out, cap, "%s", in_fn[i].v8));
    return cw_errmsg_v8(name, msg, out, cap);
}
