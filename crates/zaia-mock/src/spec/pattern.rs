//! A string that matches a schema's `pattern`, for synthesised answers: vendors constrain ids
//! with patterns (`^AC[0-9a-fA-F]{32}$`, `^(0|[1-9][0-9]*)$`), and an answer the mock makes up
//! must validate against the spec like a real one.
//!
//! The common subset of regular expressions: literals and escapes, `.`, classes with ranges
//! (negated ones too), groups with alternatives, and the quantifiers `? * + {n} {n,} {n,m}`.
//! What is outside it gives `None`, and the caller falls back to its plain string.

/// A string matching `pattern`; the seed picks among alternatives and class members.
pub fn sample(pattern: &str, seed: u64) -> Option<String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut parser = Parser { chars: &chars, at: 0 };
    let node = parser.alternatives()?;
    if parser.at != chars.len() {
        return None;
    }
    let mut out = String::new();
    let mut seed = seed;
    node.emit(&mut out, &mut seed);
    Some(out)
}

enum Node {
    Empty,
    Char(char),
    /// A class: ranges, negated or not.
    Class(Vec<(char, char)>, bool),
    Seq(Vec<Node>),
    Alt(Vec<Node>),
    Repeat(Box<Node>, usize),
}

impl Node {
    fn emit(&self, out: &mut String, seed: &mut u64) {
        *seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        match self {
            Node::Empty => {}
            Node::Char(c) => out.push(*c),
            Node::Class(ranges, false) => {
                let total: u64 = ranges.iter().map(|(a, b)| (*b as u64).saturating_sub(*a as u64) + 1).sum();
                let mut pick = (*seed >> 33) % total.max(1);
                for (a, b) in ranges {
                    let size = (*b as u64).saturating_sub(*a as u64) + 1;
                    if pick < size {
                        out.push(char::from_u32(*a as u32 + pick as u32).unwrap_or(*a));
                        return;
                    }
                    pick -= size;
                }
            }
            Node::Class(ranges, true) => {
                let c = ('a'..='z').chain('0'..='9').find(|c| !ranges.iter().any(|(a, b)| a <= c && c <= b)).unwrap_or('_');
                out.push(c);
            }
            Node::Seq(nodes) => nodes.iter().for_each(|n| n.emit(out, seed)),
            Node::Alt(nodes) => nodes[((*seed >> 33) % nodes.len() as u64) as usize].emit(out, seed),
            Node::Repeat(node, n) => (0..*n).for_each(|_| node.emit(out, seed)),
        }
    }
}

struct Parser<'c> {
    chars: &'c [char],
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += 1;
        Some(c)
    }

    fn alternatives(&mut self) -> Option<Node> {
        let mut alternatives = vec![self.sequence()?];
        while self.peek() == Some('|') {
            self.at += 1;
            alternatives.push(self.sequence()?);
        }
        Some(if alternatives.len() == 1 { alternatives.pop()? } else { Node::Alt(alternatives) })
    }

    fn sequence(&mut self) -> Option<Node> {
        let mut nodes = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let atom = self.atom()?;
            nodes.push(self.quantified(atom)?);
        }
        Some(Node::Seq(nodes))
    }

    fn atom(&mut self) -> Option<Node> {
        match self.next()? {
            '^' | '$' => Some(Node::Empty),
            '.' => Some(Node::Char('a')),
            '(' => {
                if self.peek() == Some('?') {
                    // only the non-capturing `(?:`
                    self.at += 1;
                    if self.next()? != ':' {
                        return None;
                    }
                }
                let inner = self.alternatives()?;
                (self.next()? == ')').then_some(inner)
            }
            '[' => self.class(),
            '\\' => self.escape(),
            '*' | '+' | '?' | '{' | ')' => None,
            c => Some(Node::Char(c)),
        }
    }

    fn escape(&mut self) -> Option<Node> {
        Some(match self.next()? {
            'd' => Node::Class(vec![('0', '9')], false),
            'w' => Node::Class(vec![('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')], false),
            's' => Node::Char(' '),
            'D' | 'W' | 'S' => Node::Class(vec![('0', '9'), ('a', 'z'), ('A', 'Z'), ('_', '_'), (' ', ' ')], true),
            'n' => Node::Char('\n'),
            't' => Node::Char('\t'),
            'b' | 'B' | 'A' | 'z' | 'Z' => Node::Empty,
            c if c.is_ascii_alphanumeric() => return None,
            c => Node::Char(c),
        })
    }

    fn class(&mut self) -> Option<Node> {
        let negated = self.peek() == Some('^');
        if negated {
            self.at += 1;
        }
        let mut ranges = Vec::new();
        let mut first = true;
        loop {
            let c = self.next()?;
            if c == ']' && !first {
                break;
            }
            first = false;
            let low = match c {
                '\\' => match self.next()? {
                    'd' => {
                        ranges.push(('0', '9'));
                        continue;
                    }
                    'w' => {
                        ranges.extend([('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')]);
                        continue;
                    }
                    's' => {
                        ranges.push((' ', ' '));
                        continue;
                    }
                    e if e.is_ascii_alphanumeric() => return None,
                    e => e,
                },
                c => c,
            };
            if self.peek() == Some('-') && self.chars.get(self.at + 1).is_some_and(|c| *c != ']') {
                self.at += 1;
                let high = self.next()?;
                ranges.push((low, high));
            } else {
                ranges.push((low, low));
            }
        }
        Some(Node::Class(ranges, negated))
    }

    fn quantified(&mut self, atom: Node) -> Option<Node> {
        let count = match self.peek() {
            Some('?') | Some('*') => {
                self.at += 1;
                0
            }
            Some('+') => {
                self.at += 1;
                1
            }
            Some('{') => {
                self.at += 1;
                let mut digits = String::new();
                while let Some(c) = self.peek().filter(|c| c.is_ascii_digit()) {
                    digits.push(c);
                    self.at += 1;
                }
                while self.peek().is_some_and(|c| c != '}') {
                    self.at += 1;
                }
                self.next()?;
                digits.parse().ok()?
            }
            _ => return Some(atom),
        };
        // lazy and possessive markers change nothing here
        if matches!(self.peek(), Some('?') | Some('+')) {
            self.at += 1;
        }
        Some(Node::Repeat(Box::new(atom), count))
    }
}

#[cfg(test)]
mod tests {
    use super::sample;

    fn matches(pattern: &str, text: &str) -> bool {
        jsonschema::validator_for(&serde_json::json!({"type": "string", "pattern": pattern})).unwrap().is_valid(&serde_json::json!(text))
    }

    #[test]
    fn samples_match_their_patterns() {
        for pattern in [
            "^AC[0-9a-fA-F]{32}$",
            "^(0|[1-9][0-9]*)$",
            "^#(([0-9a-fA-F]{2}){3}|([0-9a-fA-F]){3})$",
            r"^\d{3}-\w+\.(?:png|jpe?g)$",
            "^[^@ ]+@example\\.com$",
        ] {
            for seed in 0..20 {
                let text = sample(pattern, seed).unwrap();
                assert!(matches(pattern, &text), "{pattern}: {text:?}");
            }
        }
    }

    #[test]
    fn what_is_outside_the_subset_gives_none() {
        assert_eq!(sample(r"^(?<name>a)$", 1), None);
        assert_eq!(sample(r"\p{L}+", 1), None);
        assert_eq!(sample("a)", 1), None);
    }
}
