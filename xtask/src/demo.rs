//! `cargo xtask demo`: set up, build in release mode, and run the app against the lab.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::build::{self, Profile};
use crate::setup;
use crate::util::{root, Result};

pub fn run(listen: &str) -> Result {
    setup::build_tools()?;
    build::app(Profile::Release)?;
    build::lab()?;
    // The lab exits when its stdin closes: when this process ends, however it ends
    // (Ctrl+C, a signal, even SIGKILL), the pipe closes and the lab goes with it.
    let mut child = Command::new(build::lab_binary())
        .args(["--listen", listen, "--exit-with-stdin", "--app-dir"])
        .arg(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start the lab: {e}"))?;
    let stdout = child.stdout.take().ok_or("the lab has no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let url = lines.next().and_then(|l| l.ok()).ok_or("the lab did not print its address")?;
    println!();
    println!("  vsphere-console demo is running at {url}");
    println!("  log in as demo@vsphere.local with password demo");
    println!("  (viewer@vsphere.local / viewer lacks the console privilege; Ctrl+C stops the demo)");
    println!();
    for line in lines.map_while(|l| l.ok()) {
        println!("{line}");
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the lab stopped: {status}"))
    }
}
