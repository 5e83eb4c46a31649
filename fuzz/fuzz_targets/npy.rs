//! Fuzzes the `.npy` reader (`[data] source = "npy"`): any header, dtype, order, shape and
//! payload. Any panic, abort or huge allocation is a bug; errors are expected.
#![no_main]

use downhill::data::npy::read_npy;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = read_npy("fuzz.npy", data);
});
