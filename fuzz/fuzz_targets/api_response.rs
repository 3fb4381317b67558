#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| vsphere_console::fuzzing::api_response(data));
