//! Debugging aid: lowers a JavaScript file and prints the ES5 result (or the
//! syntax error) to stdout. Usage: cargo run --release --example lower_file -- FILE [--inline]
use cw_lower::{lower_guarded, lower_guarded_with_stack, Outcome, FLAG_INLINE_HELPERS};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).expect("usage: lower_file FILE [--inline]");
    let mut flags = if args.iter().any(|a| a == "--inline") { FLAG_INLINE_HELPERS } else { 0 };
    // CW_LOWER_TRACE prints the time and bytes of each stage to stderr.
    if std::env::var_os("CW_LOWER_TRACE").is_some() {
        flags |= cw_lower::FLAG_TRACE;
    }
    let src = std::fs::read(path).expect("read source");
    // CW_LOWER_STACK overrides the private stack size (bytes), for measuring.
    let result = match std::env::var("CW_LOWER_STACK").ok().and_then(|v| v.parse().ok()) {
        Some(stack) => lower_guarded_with_stack(&src, flags, stack, &cw_lower::Budget::unlimited()),
        None => lower_guarded(&src, flags),
    };
    match result {
        Outcome::Ok(l) => {
            print!("{}", l.code);
            eprintln!("needs=0x{:x} helpers={:?} map_entries={}", l.needs, l.helpers, l.map.len());
        }
        Outcome::Syntax(e) => {
            println!("SyntaxError: {} ({}:{})", e.msg, e.line, e.col);
            std::process::exit(1);
        }
        Outcome::Limit(l) => {
            println!("limit: {l:?}");
            std::process::exit(3);
        }
        Outcome::Internal(m) => {
            println!("{m}");
            std::process::exit(2);
        }
    }
}
