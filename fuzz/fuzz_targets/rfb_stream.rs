#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| vsphere_console::fuzzing::rfb_stream(data));
