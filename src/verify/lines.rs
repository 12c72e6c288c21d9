//! Bounded line reading over any `BufRead`: a line longer than the limit is skipped, never held whole.

use std::io::{self, BufRead};

/// What one call of [`read_bounded`] read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineInfo {
    /// The length of the line in bytes, without its line break.
    pub len: u64,
    /// The line was longer than the limit: the buffer is empty and the line was skipped.
    pub too_long: bool,
}

/// Read one line (up to `\n`, a trailing `\r` dropped) into `buf`, holding at most `max` bytes.
/// A longer line is consumed to its end without being kept. `None` at the end of the input.
pub fn read_bounded<R: BufRead + ?Sized>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    max: usize,
) -> io::Result<Option<LineInfo>> {
    buf.clear();
    let mut len: u64 = 0;
    let mut too_long = false;
    let mut any = false;
    loop {
        let chunk = match reader.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            break;
        }
        any = true;
        let (part, used, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (&chunk[..i], i + 1, true),
            None => (chunk, chunk.len(), false),
        };
        len += part.len() as u64;
        if !too_long {
            if buf.len() + part.len() > max {
                too_long = true;
                buf.clear();
                buf.shrink_to(max.min(64 * 1024));
            } else {
                buf.extend_from_slice(part);
            }
        }
        reader.consume(used);
        if done {
            break;
        }
    }
    if !any {
        return Ok(None);
    }
    if !too_long && buf.last() == Some(&b'\r') {
        buf.pop();
        len -= 1;
    }
    Ok(Some(LineInfo { len, too_long }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(input: &[u8], max: usize) -> Vec<(String, LineInfo)> {
        let mut r = io::BufReader::with_capacity(4, input);
        let mut buf = Vec::new();
        let mut out = Vec::new();
        while let Some(info) = read_bounded(&mut r, &mut buf, max).unwrap() {
            out.push((String::from_utf8_lossy(&buf).into_owned(), info));
        }
        out
    }

    #[test]
    fn splits_lines_across_small_buffers() {
        let got = all(b"abc\r\ndefgh\n\nlast", 100);
        let texts: Vec<&str> = got.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(texts, ["abc", "defgh", "", "last"]);
        assert!(got.iter().all(|(_, i)| !i.too_long));
        assert_eq!(got[1].1.len, 5);
    }

    #[test]
    fn a_long_line_is_skipped_and_measured() {
        let mut input = vec![b'x'; 50];
        input.extend_from_slice(b"\nok\n");
        let got = all(&input, 10);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].0, "");
        assert_eq!(
            got[0].1,
            LineInfo {
                len: 50,
                too_long: true
            }
        );
        assert_eq!(got[1].0, "ok");
    }

    #[test]
    fn empty_input_has_no_lines() {
        assert!(all(b"", 10).is_empty());
    }
}
