//! The answers-file reader on any bytes: no panic, bounded time and memory.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let mut provided = aichor::generate::answers::ProvidedAnswers::default();
        let _ = provided.add_file(std::path::Path::new("answers.yaml"), text);
    }
});
