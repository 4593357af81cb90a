/*
 * cw_node_builtins.h -- the host modules of Node.js 24, as require() knows them.
 *
 * A job may never load a host module: the sandbox blocks every name below and
 * every "node:" name (Node keeps some modules, such as node:sqlite and
 * node:test, only under the prefix, and adds new ones in minor releases).
 * The list is Node 24's own require("module").builtinModules, recorded with
 *
 *   node -p "JSON.stringify(require('module').builtinModules)"
 *
 * (v24.22.3, 72 names) and kept here so that neither the build nor the
 * tests need Node.  Refresh it when the Node version agents write for moves.
 */
#ifndef CW_NODE_BUILTINS_H
#define CW_NODE_BUILTINS_H

static const char *const cw_node_builtins[] = {
    "_http_agent", "_http_client", "_http_common", "_http_incoming", "_http_outgoing",
    "_http_server", "_stream_duplex", "_stream_passthrough", "_stream_readable",
    "_stream_transform", "_stream_wrap", "_stream_writable", "_tls_common", "_tls_wrap", "assert",
    "assert/strict", "async_hooks", "buffer", "child_process", "cluster", "console", "constants",
    "crypto", "dgram", "diagnostics_channel", "dns", "dns/promises", "domain", "events", "fs",
    "fs/promises", "http", "http2", "https", "inspector", "inspector/promises", "module", "net",
    "os", "path", "path/posix", "path/win32", "perf_hooks", "process", "punycode", "querystring",
    "readline", "readline/promises", "repl", "stream", "stream/consumers", "stream/promises",
    "stream/web", "string_decoder", "sys", "timers", "timers/promises", "tls", "trace_events",
    "tty", "url", "util", "util/types", "v8", "vm", "wasi", "worker_threads", "zlib", "node:sea",
    "node:sqlite", "node:test", "node:test/reporters",
    NULL};

#endif /* CW_NODE_BUILTINS_H */
