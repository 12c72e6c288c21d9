//! Source files and byte spans: turns a byte offset into a 1-based line and column.
//!
//! Owns nothing but text; it never reads the file system (the CLI hands it the text).

use std::sync::Arc;

/// A byte range inside one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub start: usize,
    pub len: usize,
}

impl Span {
    pub const fn new(start: usize, len: usize) -> Self {
        Self { start, len }
    }

    pub const fn end(&self) -> usize {
        self.start + self.len
    }
}

/// A 1-based line and column (the column counts characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

/// One file as read: its display name, its text and an index of line starts.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user should see it (relative to where they ran the command).
    pub name: String,
    pub text: String,
    line_starts: Vec<usize>,
    /// Whether a `\r` ends a line on its own (old Mac line ends): lines here split on `\n`.
    pub lone_cr: bool,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Arc<Self> {
        let text = text.into();
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1));
        let lone_cr = memchr::memchr_iter(b'\r', bytes).any(|i| bytes.get(i + 1) != Some(&b'\n'));
        Arc::new(Self {
            name: name.into(),
            text,
            line_starts,
            lone_cr,
        })
    }

    /// The line and column of a byte offset; offsets past the end clamp to the end.
    pub fn location(&self, offset: usize) -> Location {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts[line - 1];
        let column = self.text[start..offset].chars().count() + 1;
        Location { line, column }
    }

    /// The 0-based index of the line holding a byte offset.
    pub fn line_index(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= offset).max(1) - 1
    }

    /// Where the 0-based line `index` starts; the end of the text past the last line.
    pub fn line_start(&self, index: usize) -> usize {
        self.line_starts
            .get(index)
            .copied()
            .unwrap_or(self.text.len())
    }

    /// Clamp a span so that it lies inside the text on character boundaries.
    pub fn clamp(&self, span: Span) -> Span {
        let len = self.text.len();
        let mut start = span.start.min(len);
        while !self.text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = span.end().min(len).max(start);
        while !self.text.is_char_boundary(end) {
            end += 1;
        }
        Span::new(start, end - start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let f = SourceFile::new("x.yaml", "a: 1\nbé: 2\n");
        assert_eq!(f.location(0), Location { line: 1, column: 1 });
        assert_eq!(f.location(5), Location { line: 2, column: 1 });
        // 'é' is two bytes: the ':' after it is column 3.
        assert_eq!(f.location(8), Location { line: 2, column: 3 });
        assert_eq!(f.location(10_000), Location { line: 3, column: 1 });
    }

    #[test]
    fn clamp_stays_on_char_boundaries() {
        let f = SourceFile::new("x", "é");
        assert_eq!(f.clamp(Span::new(1, 5)), Span::new(0, 2));
    }
}
