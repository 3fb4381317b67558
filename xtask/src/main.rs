//! `cargo xtask <command>`: the project's set-up, build, demo and test commands.

mod bench;
mod build;
mod demo;
mod fuzz;
mod layouts;
mod package;
mod record;
mod replay;
mod setup;
mod test;
mod util;

const USAGE: &str = "usage: cargo xtask <command>

  bench [--pairs N] [--soak-minutes N] [--only NAME]
                         vsphere-console against noVNC 1.7.0 in one Chromium page; writes BENCHMARKS.md
  demo [--listen ADDR]   install what is missing, build in release mode, run the app against the lab
  test [--only SUITE]    install what is missing, run every test suite, or one: tidy, native,
                         browser, e2e, fuzz
  build [--dev]          build the app into pkg/
  fuzz --minutes N       every fuzz target for N minutes on a corpus kept outside the repository
  layouts [--check]      generate src/input/layouts.rs from xkb-data (--check: fail if it differs)
  package                the npm package in target/npm/vsphere-console/ (console-only and app entries)
  setup [--test]         install the build tools (and the test packages with --test)
  replay FILE            a websockify recording through the engine: prints WxH sha256=... and the decode time
  record --server xvnc|qemu --encoding NAME --out FILE [--seconds N] [--size WxH] [--scene text|photo]
                         make a recording from a real server (for replay tests and benchmarks)";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("demo") => {
            let listen = flag_value(&args, "--listen").unwrap_or_else(|| "127.0.0.1:8080".into());
            demo::run(&listen)
        }
        Some("test") => test::run_all(flag_value(&args, "--only").as_deref()),
        Some("bench") => bench::run_bench(&bench::Options {
            pairs: flag_value(&args, "--pairs").and_then(|n| n.parse().ok()).unwrap_or(7).max(1),
            soak_minutes: flag_value(&args, "--soak-minutes").and_then(|n| n.parse().ok()).unwrap_or(10),
            only: flag_value(&args, "--only"),
        }),
        Some("build") => {
            let profile = if args.iter().any(|a| a == "--dev") { build::Profile::Dev } else { build::Profile::Release };
            setup::build_tools().and_then(|_| build::app(profile))
        }
        Some("fuzz") => match flag_value(&args, "--minutes").and_then(|m| m.parse().ok()) {
            Some(m) if m > 0 => setup::test_tools().and_then(|_| fuzz::run(m)),
            _ => Err("fuzz needs --minutes N (a whole number above 0)".into()),
        },
        Some("layouts") => layouts::run(args.iter().any(|a| a == "--check")),
        Some("package") => setup::build_tools().and_then(|_| package::run_package()),
        Some("replay") => match args.get(1) {
            Some(f) => replay::run(f),
            None => Err("replay needs a FILE".into()),
        },
        Some("record") => {
            let server = flag_value(&args, "--server").unwrap_or_else(|| "xvnc".into());
            let encoding = flag_value(&args, "--encoding").unwrap_or_else(|| "tight".into());
            let seconds = flag_value(&args, "--seconds").and_then(|s| s.parse().ok()).unwrap_or(4);
            match flag_value(&args, "--out") {
                Some(out) => {
                    let scene = record::Scene {
                        size: flag_value(&args, "--size").unwrap_or_else(|| "640x400".into()),
                        kind: flag_value(&args, "--scene").unwrap_or_else(|| "text".into()),
                    };
                    setup::debian_packages(setup::RECORD_PACKAGES).and_then(|_| record::run(&server, &encoding, &out, seconds, &scene))
                }
                None => Err("record needs --out FILE".into()),
            }
        }
        Some("setup") => {
            if args.iter().any(|a| a == "--test") {
                setup::test_tools()
            } else {
                setup::build_tools()
            }
        }
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    };
    if let Err(e) = result {
        eprintln!("xtask: error: {e}");
        std::process::exit(1);
    }
}

fn flag_value(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}
