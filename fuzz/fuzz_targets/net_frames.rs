//! Any bytes a peer sends, read as sync frames (the length-checked reader, and the body decoder),
//! end in a frame or a clean error: never a panic, a hang or an allocation the length did not
//! allow.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut stream = data;
    while banyan_net::frame::read(&mut stream).is_ok() {}
    let _ = banyan_net::frame::decode(data);
});
