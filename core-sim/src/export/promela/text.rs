//! A small indenting writer for generated Promela text.

/// Lines of Promela, indented by nesting.
#[derive(Default)]
pub struct Text {
    out: String,
    depth: usize,
}

impl Text {
    /// One line at the current depth.
    pub fn line(&mut self, s: impl AsRef<str>) {
        for l in s.as_ref().lines() {
            if !l.is_empty() {
                self.out.push_str(&"  ".repeat(self.depth));
                self.out.push_str(l);
            }
            self.out.push('\n');
        }
    }

    /// A line that opens a block (`if`, `do`, `{`), and everything after it one level deeper.
    pub fn open(&mut self, s: impl AsRef<str>) {
        self.line(s);
        self.depth += 1;
    }

    /// A line that closes a block, one level shallower.
    pub fn close(&mut self, s: impl AsRef<str>) {
        self.depth = self.depth.saturating_sub(1);
        self.line(s);
    }

    /// A line between two branches (`:: else ->`): one level shallower, then deeper again.
    pub fn branch(&mut self, s: impl AsRef<str>) {
        self.depth = self.depth.saturating_sub(1);
        self.line(s);
        self.depth += 1;
    }

    /// The `fi;` that ends an `if` opened with [`Text::open`] and a branch opened the same way.
    pub fn fi(&mut self) {
        self.depth = self.depth.saturating_sub(2);
        self.line("fi;");
    }

    /// `if :: cond -> <body> :: else fi`, with the body written by `body`.
    pub fn when(&mut self, cond: &str, body: impl FnOnce(&mut Text)) {
        self.open("if");
        self.open(format!(":: ({cond}) ->"));
        body(self);
        self.branch(":: else -> skip");
        self.fi();
    }

    /// The text so far.
    pub fn finish(self) -> String {
        self.out
    }
}

/// A Promela literal for a 32-bit pattern (Promela has no hex literals; `int` is signed).
pub fn lit(bits: u32) -> String {
    (bits as i32).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_indent_and_literals_are_signed_decimal() {
        let mut t = Text::default();
        t.when("x > 0", |t| t.line("x = 0;"));
        assert_eq!(
            t.finish(),
            "if\n  :: (x > 0) ->\n    x = 0;\n  :: else -> skip\nfi;\n"
        );
        assert_eq!(lit(1 << 31), "-2147483648");
        assert_eq!(lit(1 << 30), "1073741824");
    }
}
