//! Any bytes given to the vcard reader end in rows or a clean error, never a panic or a hang.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    banyan_read::read::fuzz_one(data, banyan_read::Format::Vcard);
});
