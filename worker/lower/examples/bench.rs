//! Micro-benchmark: lowers each given file repeatedly and prints the mean
//! time per call, through the guarded entry point and (for comparison) the
//! bare pipeline on the caller's stack.
//! Usage: cargo run --release --example bench -- [-n ITER] FILE...
use std::time::Instant;

use cw_lower::{lower, lower_guarded, Outcome};

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut iters = 200usize;
    if args.first().map(|a| a == "-n").unwrap_or(false) {
        iters = args[1].parse().expect("iterations");
        args.drain(..2);
    }
    for path in &args {
        let src = std::fs::read(path).expect("read");
        let text = std::str::from_utf8(&src).expect("utf8");
        assert!(matches!(lower_guarded(&src, 0), Outcome::Ok(_)), "{path} does not lower");
        let t = Instant::now();
        for _ in 0..iters {
            std::hint::black_box(lower_guarded(&src, 0));
        }
        let guarded = t.elapsed().as_secs_f64() * 1e6 / iters as f64;
        let t = Instant::now();
        for _ in 0..iters {
            let _ = std::hint::black_box(lower(text, 0));
        }
        let bare = t.elapsed().as_secs_f64() * 1e6 / iters as f64;
        println!("{path}: {} bytes, guarded {guarded:.0} us, bare {bare:.0} us", src.len());
    }
}
