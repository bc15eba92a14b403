//! Tokenization of normalized text, and Arabic clitic analysis.
//!
//! Tokens are runs of Arabic letters, Latin letters (apostrophes inside a
//! word are kept; a hyphen between letters splits words and is dropped, so
//! `al-Shughur` gives `al` `shughur`), digits (with inner `,`/`.` followed by
//! a digit), or single punctuation characters. Spaces are not tokens.
//!
//! Arabic proclitics are not cut off destructively: [`variants`] lists the
//! readings of a word with the conjunction و/ف, the prepositions ب/ل/ك and,
//! for lexicon lookups, the article ال (or the لل contraction) stripped. The
//! matcher tries the readings longest-first, so a place whose name begins
//! with one of those letters (بنش، كفرنبل) still matches whole.

/// What a token is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Arabic-script letters.
    Arabic,
    /// Latin-script letters (normalized to lower case).
    Latin,
    /// ASCII digits (after normalization), possibly with inner separators.
    Number,
    /// A single punctuation or symbol character.
    Punct,
    /// Letters of another script.
    Other,
}

/// A token: byte range in the *normalized* text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub start: u32,
    pub end: u32,
    pub kind: TokenKind,
}

impl Token {
    pub fn text<'a>(&self, norm: &'a str) -> &'a str {
        &norm[self.start as usize..self.end as usize]
    }
}

pub(crate) fn is_arabic_letter(c: char) -> bool {
    matches!(c, '\u{0620}'..='\u{064A}' | '\u{066E}'..='\u{06D3}' | '\u{06D5}' | '\u{06FA}'..='\u{06FF}' | '\u{0750}'..='\u{077F}')
}

fn is_latin_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || matches!(c, '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}')
}

/// Splits normalized text into tokens.
pub fn tokenize(norm: &str) -> Vec<Token> {
    let mut toks = Vec::with_capacity(norm.len() / 6 + 1);
    tokenize_into(norm, &mut toks);
    toks
}

/// Decodes the character at byte `i` (a char boundary): one- and two-byte
/// sequences inline, the rest through `str::chars`.
#[inline]
fn char_at(norm: &str, i: usize) -> (char, usize) {
    let bytes = norm.as_bytes();
    let b = bytes[i];
    if b < 0x80 {
        return (b as char, 1);
    }
    if b & 0xE0 == 0xC0 && i + 1 < bytes.len() {
        let cp = ((b as u32 & 0x1F) << 6) | (bytes[i + 1] as u32 & 0x3F);
        if let Some(c) = char::from_u32(cp) {
            return (c, 2);
        }
    }
    let c = norm[i..].chars().next().unwrap_or(' ');
    (c, c.len_utf8())
}

/// Like [`tokenize`], reusing a buffer.
pub fn tokenize_into(norm: &str, toks: &mut Vec<Token>) {
    toks.clear();
    let bytes = norm.as_bytes();
    let len = bytes.len();
    let mut i = 0;
    let mut prev = ' ';
    while i < len {
        let (c, cl) = char_at(norm, i);
        let kind = if is_arabic_letter(c) {
            TokenKind::Arabic
        } else if is_latin_letter(c) {
            TokenKind::Latin
        } else if c.is_ascii_digit() {
            TokenKind::Number
        } else if c == ' ' || c == '\n' || c.is_whitespace() {
            prev = c;
            i += cl;
            continue;
        } else if c.is_alphabetic() {
            TokenKind::Other
        } else {
            // A hyphen between two letters joins nothing and is dropped.
            if c == '-' && i + 1 < len {
                let (next, _) = char_at(norm, i + 1);
                if (is_latin_letter(prev) || is_arabic_letter(prev))
                    && (is_latin_letter(next) || is_arabic_letter(next))
                {
                    prev = c;
                    i += cl;
                    continue;
                }
            }
            toks.push(Token {
                start: i as u32,
                end: (i + cl) as u32,
                kind: TokenKind::Punct,
            });
            prev = c;
            i += cl;
            continue;
        };
        let mut j = i + cl;
        let mut last = c;
        while j < len {
            let (d, dl) = char_at(norm, j);
            let same = match kind {
                TokenKind::Arabic => is_arabic_letter(d),
                TokenKind::Latin => {
                    is_latin_letter(d)
                        || (d == '\'' && j + 1 < len && is_latin_letter(char_at(norm, j + 1).0))
                }
                TokenKind::Number => {
                    d.is_ascii_digit()
                        || ((d == ',' || d == '.')
                            && bytes.get(j + 1).is_some_and(|b| b.is_ascii_digit()))
                }
                TokenKind::Other => {
                    d.is_alphabetic() && !is_arabic_letter(d) && !is_latin_letter(d)
                }
                TokenKind::Punct => false,
            };
            if !same {
                break;
            }
            last = d;
            j += dl;
        }
        toks.push(Token {
            start: i as u32,
            end: j as u32,
            kind,
        });
        prev = last;
        i = j;
    }
}

/// One reading of an Arabic word with some proclitics removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Variant<'a> {
    /// Bytes of proclitics removed from the front of the token.
    pub prefix: u8,
    /// The remaining stem. When `lil` is set the written form was لل+X and
    /// the reading is ال+X: the stem then holds `لX`, prepend `ا`.
    pub stem: &'a str,
    pub lil: bool,
    /// The article ال was removed as well (lexicon lookups only).
    pub definite: bool,
    /// A conjunction و/ف was removed.
    pub conj: bool,
}

impl Variant<'_> {
    /// Writes the lookup key into `buf` and returns it.
    pub fn key<'b>(&self, buf: &'b mut String) -> &'b str {
        buf.clear();
        if self.lil {
            buf.push('ا');
        }
        buf.push_str(self.stem);
        buf.as_str()
    }
}

const ALEF_LAM: &str = "ال";

/// Letters in an Arabic word: every Arabic letter is two bytes in UTF-8.
fn char_count(s: &str) -> usize {
    s.len() / 2
}

/// Readings of an Arabic word, longest first. Stripped readings keep at
/// least two letters. With `article`, readings without ال are added.
pub fn variants<'a>(word: &'a str, article: bool, out: &mut Vec<Variant<'a>>) {
    fn push<'a>(out: &mut Vec<Variant<'a>>, v: Variant<'a>, article: bool) {
        out.push(v);
        if article {
            let (body, pre) = if v.lil {
                // ال + X with X = stem[2..]
                (&v.stem[2..], 2u8)
            } else if let Some(rest) = v.stem.strip_prefix(ALEF_LAM) {
                (rest, 4u8)
            } else {
                return;
            };
            if char_count(body) >= 2 {
                out.push(Variant {
                    prefix: v.prefix + pre,
                    stem: body,
                    lil: false,
                    definite: true,
                    conj: v.conj,
                });
            }
        }
    }
    out.clear();
    let whole = Variant {
        prefix: 0,
        stem: word,
        lil: false,
        definite: false,
        conj: false,
    };
    push(out, whole, article);
    let n = char_count(word);
    if n < 3 {
        return;
    }
    let mut bases = [Some(whole), None];
    if let Some(rest) = word.strip_prefix('و').or_else(|| word.strip_prefix('ف')) {
        let v = Variant {
            prefix: 2,
            stem: rest,
            lil: false,
            definite: false,
            conj: true,
        };
        push(out, v, article);
        bases[1] = Some(v);
    }
    for b in bases.into_iter().flatten() {
        let s = b.stem;
        if char_count(s) < 3 {
            continue;
        }
        let first = s.chars().next().unwrap_or(' ');
        if matches!(first, 'ب' | 'ك' | 'ل') {
            let rest = &s[2..];
            if first == 'ل' && rest.starts_with('ل') {
                push(
                    out,
                    Variant {
                        prefix: b.prefix + 2,
                        stem: rest,
                        lil: true,
                        definite: false,
                        conj: b.conj,
                    },
                    article,
                );
            } else {
                push(
                    out,
                    Variant {
                        prefix: b.prefix + 2,
                        stem: rest,
                        lil: false,
                        definite: false,
                        conj: b.conj,
                    },
                    article,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize_str;

    fn words(s: &str) -> Vec<String> {
        let n = normalize_str(s);
        tokenize(&n)
            .iter()
            .map(|t| t.text(&n).to_string())
            .collect()
    }

    fn readings(word: &str) -> Vec<String> {
        let w = normalize_str(word);
        let mut v = Vec::new();
        variants(&w, true, &mut v);
        let mut buf = String::new();
        v.iter().map(|x| x.key(&mut buf).to_string()).collect()
    }

    #[test]
    fn splits_scripts_and_punct() {
        assert_eq!(
            words("قصف، على Jisr al-Shughur 1,200!"),
            vec!["قصف", "،", "علي", "jisr", "al", "shughur", "1,200", "!"]
        );
        assert_eq!(words("أرض- أرض"), vec!["ارض", "-", "ارض"]);
        assert_eq!(words("٤ أيار/ مايو"), vec!["4", "ايار", "/", "مايو"]);
    }

    #[test]
    fn clitics() {
        let r = readings("وبمدينة");
        assert!(r.contains(&"مدينه".to_string()), "{r:?}");
        let r = readings("للميادين");
        assert!(r.contains(&"الميادين".to_string()), "{r:?}");
        assert!(r.contains(&"ميادين".to_string()), "{r:?}");
        let r = readings("والقصف");
        assert!(
            r.contains(&"القصف".to_string()) && r.contains(&"قصف".to_string()),
            "{r:?}"
        );
        // Whole reading first: a name starting with ب stays whole.
        assert_eq!(readings("بنش")[0], "بنش");
        // Too short to strip.
        assert_eq!(readings("بل"), vec!["بل"]);
    }
}
