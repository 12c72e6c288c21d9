//! Finds the line of each element of a request body's top-level `data` list without a second parse.

/// The 1-based line where each element of the top-level object's `data` array starts.
/// Works on any bytes; on malformed JSON it returns what it found before the damage.
pub fn data_element_lines(bytes: &[u8]) -> Vec<usize> {
    let mut lines = Vec::new();
    let mut line = 1usize;
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut string_start = 0usize;
    let mut last_key: Option<(usize, usize)> = None;
    let mut pending_key: Option<(usize, usize)> = None;
    let mut data_depth: Option<usize> = None;
    let mut expect_value = false;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' {
            line += 1;
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
                if depth == 1 && data_depth.is_none() {
                    pending_key = Some((string_start, i));
                }
            }
            continue;
        }
        let in_data = data_depth == Some(depth);
        if in_data && expect_value && !b.is_ascii_whitespace() && b != b']' {
            lines.push(line);
            expect_value = false;
        }
        match b {
            b'"' => {
                in_string = true;
                string_start = i + 1;
            }
            b':' if depth == 1 => last_key = pending_key.take(),
            b'{' | b'[' => {
                depth += 1;
                if b == b'['
                    && depth == 2
                    && data_depth.is_none()
                    && let Some((s, e)) = last_key
                    && &bytes[s..e] == b"data"
                {
                    data_depth = Some(2);
                    expect_value = true;
                }
            }
            b'}' | b']' => {
                if data_depth == Some(depth) {
                    return lines;
                }
                depth = depth.saturating_sub(1);
            }
            b',' if in_data => expect_value = true,
            b',' if depth == 1 => last_key = None,
            _ => {}
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_element_line() {
        let body = br#"{
  "test_event_code": "TEST1",
  "nested": {"data": [1, 2]},
  "data": [
    {"event_name": "Purchase",
     "custom_data": {"content_ids": ["a", "b]"]}},
    {"event_name": "Lead"}, "x",
    [1]
  ]
}"#;
        assert_eq!(data_element_lines(body), vec![5, 7, 7, 8]);
    }

    #[test]
    fn empty_and_broken_input() {
        assert!(data_element_lines(b"").is_empty());
        assert!(data_element_lines(br#"{"data": []}"#).is_empty());
        assert_eq!(
            data_element_lines(b"{\"data\": [{\"a\": \"\\\"\"}, {"),
            vec![1, 1]
        );
    }
}
