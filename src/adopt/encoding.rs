//! A requirements file's bytes as text, decoded as pip decodes them: a byte-order mark names
//! the encoding (UTF-8, UTF-16 LE or BE: Windows PowerShell's `pip freeze > requirements.txt`
//! writes UTF-16 LE with a mark), and without one the text must be UTF-8. What cannot be
//! decoded is refused with its line, never guessed at.

/// The text of `bytes`, without its byte-order mark; `Err` says why not, with the line.
pub(super) fn decode(bytes: &[u8]) -> Result<String, String> {
    let text = if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        utf16(rest, u16::from_le_bytes, "UTF-16 LE")?
    } else if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        utf16(rest, u16::from_be_bytes, "UTF-16 BE")?
    } else {
        let rest = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        match std::str::from_utf8(rest) {
            Ok(text) => text.to_string(),
            Err(e) => {
                let at = e.valid_up_to();
                // Counted once, for one message.
                #[allow(clippy::naive_bytecount)]
                let line = rest[..at].iter().filter(|b| **b == b'\n').count() + 1;
                return Err(format!(
                    "line {line}: not UTF-8 text (byte 0x{:02x}, and no byte-order mark naming another encoding): save it as UTF-8",
                    rest[at]
                ));
            }
        }
    };
    // UTF-16 without its mark (or UTF-32) reads as UTF-8 full of NULs: never a requirement.
    if let Some(at) = text.find('\0') {
        let line = text[..at].matches('\n').count() + 1;
        return Err(format!(
            "line {line}: holds NUL characters (UTF-16 without a byte-order mark, or UTF-32?): save it as UTF-8"
        ));
    }
    Ok(text)
}

/// UTF-16 code units read with `unit` (the byte order), decoded; a lone surrogate or an odd
/// byte at the end is refused with its line.
fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16, name: &str) -> Result<String, String> {
    let pairs = bytes.chunks_exact(2);
    let odd = !pairs.remainder().is_empty();
    let mut text = String::with_capacity(bytes.len() / 2);
    for c in char::decode_utf16(pairs.map(|p| unit([p[0], p[1]]))) {
        match c {
            Ok(c) => text.push(c),
            Err(e) => {
                let line = text.matches('\n').count() + 1;
                return Err(format!(
                    "line {line}: not {name} text (a lone surrogate 0x{:04x}): save it as UTF-8",
                    e.unpaired_surrogate()
                ));
            }
        }
    }
    if odd {
        let line = text.matches('\n').count() + 1;
        return Err(format!(
            "line {line}: not {name} text (it ends in half a character): save it as UTF-8"
        ));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::decode;

    fn utf16le(text: &str) -> Vec<u8> {
        let mut out = vec![0xFF, 0xFE];
        out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        out
    }

    #[test]
    fn every_mark_pip_reads_is_read() {
        let text = "torch==2.1.0\r\nnumpy==1.26 # café\r\n";
        let mut be = vec![0xFE, 0xFF];
        be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        let bom8 = [&b"\xEF\xBB\xBF"[..], text.as_bytes()].concat();
        for bytes in [utf16le(text), be, bom8, text.as_bytes().to_vec()] {
            assert_eq!(decode(&bytes).as_deref(), Ok(text));
        }
    }

    #[test]
    fn what_cannot_be_decoded_is_refused_with_its_line() {
        let mut lone = utf16le("a\nb\n");
        lone.extend([0x00, 0xD8]);
        let mut odd = utf16le("a\n");
        odd.push(b'x');
        let no_mark: Vec<u8> = "a\n".encode_utf16().flat_map(u16::to_le_bytes).collect();
        for (bytes, wanted) in [
            (&b"a\nb\ncaf\xe9\n"[..], "line 3: not UTF-8 text (byte 0xe9"),
            (
                &lone,
                "line 3: not UTF-16 LE text (a lone surrogate 0xd800)",
            ),
            (
                &odd,
                "line 2: not UTF-16 LE text (it ends in half a character)",
            ),
            (&no_mark, "line 1: holds NUL characters"),
        ] {
            let why = decode(bytes).unwrap_err();
            assert!(why.starts_with(wanted), "{why}");
        }
    }
}
