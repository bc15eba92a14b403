//! Orthographic normalization for matching, with a map back to the original.
//!
//! The rules (each output character is a fixed point, so normalization is
//! idempotent):
//!
//! | input | output |
//! |---|---|
//! | أ إ آ ٱ ٲ ٳ (alef with hamza/madda/wasla) | ا |
//! | ى (alef maksura), ی (Farsi yeh), ئ | ي |
//! | ة (teh marbuta) | ه |
//! | ؤ | و |
//! | ک (keheh) | ك |
//! | harakat, tanwin, shadda, sukun, superscript alef, Quranic marks | removed |
//! | tatweel ـ | removed |
//! | bidi and zero-width marks (LRM, RLM, ALM, LRE..RLO, LRI..PDI, ZWJ, ZWNJ, BOM) | removed |
//! | Arabic presentation forms A/B, fullwidth forms | NFKC, then the rules above |
//! | Arabic-Indic ٠-٩ and Persian ۰-۹ digits | ASCII 0-9 |
//! | ٫ / ٬ (Arabic decimal / thousands separators) | `.` / `,` |
//! | Latin letters | lower case, accents removed |
//! | ‘ ’ ` ʿ ʾ | `'` |
//! | any whitespace except `\n` | space |
//!
//! Hamza on the line (ء) is kept. Punctuation is kept as is.

use unicode_normalization::char::{compose, decompose_canonical, decompose_compatible};

/// Normalized text plus, for every byte of it, the byte offset in the
/// original text where the character it came from starts.
#[derive(Debug, Clone, Default)]
pub struct Normalized {
    text: String,
    /// Where the offset relation changes: `(normalized, original)` pairs,
    /// sorted. Between anchors, offsets advance together (most characters
    /// normalize to as many bytes as they had), so no per-byte table is kept.
    anchors: Vec<(u32, u32)>,
    original_len: usize,
}

impl Normalized {
    /// The normalized text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Original byte offset of the normalized character boundary `i`
    /// (`i <= len`): where the character it came from starts.
    ///
    /// For an end offset this includes any removed characters (diacritics,
    /// marks) that followed the last kept character, so spans cover whole
    /// written words.
    pub fn original_offset(&self, i: usize) -> usize {
        let i = i.min(self.text.len());
        let k = self.anchors.partition_point(|a| a.0 as usize <= i);
        let o = if k == 0 {
            i
        } else {
            let (n, o) = self.anchors[k - 1];
            o as usize + (i - n as usize)
        };
        if i == self.text.len() {
            return self.original_len;
        }
        o.min(self.original_len)
    }

    /// Maps a normalized byte range to the original byte range.
    pub fn original_range(&self, start: usize, end: usize) -> (usize, usize) {
        (self.original_offset(start), self.original_offset(end))
    }

    /// Length in bytes of the original text.
    pub fn original_len(&self) -> usize {
        self.original_len
    }
}

fn push_anchor(anchors: &mut Vec<(u32, u32)>, n: usize, o: usize) {
    match anchors.last_mut() {
        Some(last) if last.0 as usize == n => last.1 = o as u32,
        _ => anchors.push((n as u32, o as u32)),
    }
}

/// Normalizes `text` (see the module docs for the rules).
pub fn normalize(text: &str) -> Normalized {
    let mut n = Normalized::default();
    normalize_into(text, &mut n);
    n
}

/// Like [`normalize`], reusing the buffers of `into`.
pub fn normalize_into(text: &str, into: &mut Normalized) {
    let bytes = text.as_bytes();
    let len = bytes.len();
    let mut out = std::mem::take(&mut into.text);
    out.clear();
    out.reserve(len);
    let mut anchors = std::mem::take(&mut into.anchors);
    anchors.clear();
    // Start of the pending run of characters that stay as they are.
    let mut run = 0;
    let mut i = 0;
    while i < len {
        let b = bytes[i];
        if b < 0x80 {
            let m = match b {
                b'A'..=b'Z' => b + 32,
                b'\t' | b'\r' | 0x0b | 0x0c => b' ',
                b'`' => b'\'',
                _ => {
                    i += 1;
                    continue;
                }
            };
            out.push_str(&text[run..i]);
            out.push(m as char);
            i += 1;
            run = i;
            continue;
        }
        // Fast path: an Arabic letter that the rules keep as is.
        if (b == 0xD8 || b == 0xD9) && i + 1 < len {
            let cp = ((b as u32 & 0x1F) << 6) | (bytes[i + 1] as u32 & 0x3F);
            if is_plain_arabic(cp) {
                i += 2;
                continue;
            }
            // Common same-length replacements, no offset anchor needed.
            let rep = match cp {
                0x0629 => Some("\u{0647}"),
                0x0622 | 0x0623 | 0x0625 => Some("\u{0627}"),
                0x0649 | 0x0626 => Some("\u{064A}"),
                0x0624 => Some("\u{0648}"),
                _ => None,
            };
            if let Some(r) = rep {
                out.push_str(&text[run..i]);
                out.push_str(r);
                i += 2;
                run = i;
                continue;
            }
        }
        out.push_str(&text[run..i]);
        let c = text[i..].chars().next().unwrap_or('\u{FFFD}');
        let l = c.len_utf8();
        let p = out.len();
        emit(c, &mut out, 0);
        let k = out.len() - p;
        if k != l || (k > 0 && out[p..].chars().nth(1).is_some()) {
            let starts: Vec<usize> = out[p..].char_indices().map(|(q, _)| p + q).collect();
            for q in starts {
                push_anchor(&mut anchors, q, i);
            }
            push_anchor(&mut anchors, p + k, i + l);
        }
        i += l;
        run = i;
    }
    out.push_str(&text[run..len]);
    *into = Normalized {
        text: out,
        anchors,
        original_len: len,
    };
}

/// Arabic letters that normalization keeps unchanged.
#[inline]
fn is_plain_arabic(cp: u32) -> bool {
    matches!(cp, 0x0621 | 0x0627 | 0x0628 | 0x062A..=0x063A | 0x0641..=0x0648 | 0x064A)
}

/// Normalizes to a plain `String` (for lexicon entries and queries).
pub fn normalize_str(text: &str) -> String {
    normalize(text).text
}

fn emit(c: char, out: &mut String, depth: u8) {
    let cp = c as u32;
    match c {
        // Harakat, tanwin, shadda, sukun, maddah/hamza marks, superscript alef.
        '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{0610}'..='\u{061A}'
        | '\u{06D6}'..='\u{06ED}' => {}
        '\u{0640}' => {}
        '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2069}'
        | '\u{061C}'
        | '\u{FEFF}'
        | '\u{00AD}' => {}
        '\u{0300}'..='\u{036F}' => {}
        '\u{0622}' | '\u{0623}' | '\u{0625}' | '\u{0671}' | '\u{0672}' | '\u{0673}' => {
            out.push('\u{0627}')
        }
        '\u{0649}' | '\u{06CC}' | '\u{0626}' => out.push('\u{064A}'),
        '\u{0629}' => out.push('\u{0647}'),
        '\u{0624}' => out.push('\u{0648}'),
        '\u{06A9}' => out.push('\u{0643}'),
        '\u{0660}'..='\u{0669}' => out.push(char::from(b'0' + (cp - 0x0660) as u8)),
        '\u{06F0}'..='\u{06F9}' => out.push(char::from(b'0' + (cp - 0x06F0) as u8)),
        '\u{066B}' => out.push('.'),
        '\u{066C}' => out.push(','),
        '\u{2018}' | '\u{2019}' | '\u{02BF}' | '\u{02BE}' | '\u{02BB}' | '\u{02BC}' => {
            out.push('\'')
        }
        '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFE}' | '\u{FF01}'..='\u{FF5E}' => {
            if depth > 2 {
                return;
            }
            let mut parts: Vec<char> = Vec::with_capacity(4);
            decompose_compatible(c, |d| parts.push(d));
            // Recompose hamza/madda sequences (e.g. ﺃ → ا + ٔ) so the
            // per-letter rules above apply to the composed letter.
            let mut i = 0;
            while i < parts.len() {
                if i + 1 < parts.len() {
                    if let Some(k) = compose(parts[i], parts[i + 1]) {
                        emit(k, out, depth + 1);
                        i += 2;
                        continue;
                    }
                }
                emit(parts[i], out, depth + 1);
                i += 1;
            }
        }
        // Plain Arabic letters (the common case) before the Unicode-table guards below.
        '\u{0621}'..='\u{063A}' | '\u{0641}'..='\u{064A}' => out.push(c),
        _ if c.is_whitespace() => out.push(if c == '\n' || c == '\u{2029}' || c == '\u{2028}' {
            '\n'
        } else {
            ' '
        }),
        '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}' => {
            if depth > 2 {
                return;
            }
            let mut parts: Vec<char> = Vec::with_capacity(3);
            decompose_canonical(c, |d| parts.push(d));
            for d in parts {
                for l in d.to_lowercase() {
                    if l.is_ascii() || ('\u{00C0}'..='\u{024F}').contains(&l) {
                        if !('\u{0300}'..='\u{036F}').contains(&l) {
                            if l.is_ascii() {
                                out.push(l)
                            } else {
                                // Letters without a decomposition (ø, ł, ß...).
                                out.push(l)
                            }
                        }
                    } else {
                        emit(l, out, depth + 1)
                    }
                }
            }
        }
        _ if c.is_uppercase() => {
            if depth > 2 {
                return;
            }
            for l in c.to_lowercase() {
                if l.is_uppercase() {
                    out.push(l)
                } else {
                    emit_plain(l, out, depth + 1)
                }
            }
        }
        _ => out.push(c),
    }
}

fn emit_plain(c: char, out: &mut String, depth: u8) {
    if c.is_ascii() {
        out.push(c)
    } else {
        emit(c, out, depth)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expect: &str) {
        let n = normalize(input);
        assert_eq!(n.as_str(), expect, "normalizing {input:?}");
        assert_eq!(
            normalize_str(expect),
            expect,
            "not idempotent on {expect:?}"
        );
    }

    #[test]
    fn alef_hamza_teh_yeh() {
        check("أريحا", "اريحا");
        check("إدلب", "ادلب");
        check("آذار", "اذار");
        check("مدينة", "مدينه");
        check("مستشفى", "مستشفي");
        check("هيئة", "هييه");
        check("مؤتمر", "موتمر");
    }

    #[test]
    fn diacritics_tatweel_marks() {
        check("مُبْدَئِيًّا", "مبدييا");
        check("قــصــف", "قصف");
        check("\u{200F}حلب\u{200E}", "حلب");
    }

    #[test]
    fn digits_and_latin() {
        check("٣ آذار", "3 اذار");
        check("۱۲", "12");
        check("Jisr al-Shughūr", "jisr al-shughur");
        check("İdlib", "idlib");
        check("Ma‘arrat", "ma'arrat");
    }

    #[test]
    fn presentation_forms() {
        // ﻟﺎ is the lam-alef ligature, ﺃ an isolated alef with hamza above.
        check("\u{FEFB}", "لا");
        check("\u{FE83}", "ا");
        check("\u{FEE3}\u{FEAA}\u{FEF3}\u{FEE8}\u{FE94}", "مدينه");
    }

    #[test]
    fn offsets_map_back() {
        let text = "قَصفٌ على إدلب";
        let n = normalize(text);
        let s = n.as_str();
        let i = s.find("ادلب").unwrap();
        let (a, b) = n.original_range(i, i + "ادلب".len());
        assert_eq!(&text[a..b], "إدلب");
        let (a, b) = n.original_range(0, "قصف".len());
        assert_eq!(&text[a..b], "قَصفٌ");
        assert_eq!(n.original_len(), text.len());
    }
}

#[cfg(test)]
mod props {
    use super::*;

    proptest::proptest! {
        #[test]
        fn idempotent(s in "\\PC{0,60}") {
            let once = normalize_str(&s);
            proptest::prop_assert_eq!(normalize_str(&once), once);
        }

        #[test]
        fn idempotent_arabic(s in "[\\u{0600}-\\u{06FF}\\u{FB50}-\\u{FDFF}\\u{FE70}-\\u{FEFF}\\u{200B}-\\u{200F} ]{0,60}") {
            let once = normalize_str(&s);
            proptest::prop_assert_eq!(normalize_str(&once), once);
        }

        #[test]
        fn offsets_are_monotonic_boundaries(s in "\\PC{0,60}") {
            let n = normalize(&s);
            let mut last = 0;
            let norm = n.as_str();
            for i in (0..=norm.len()).filter(|&i| norm.is_char_boundary(i)) {
                let o = n.original_offset(i);
                proptest::prop_assert!(o >= last && s.is_char_boundary(o));
                last = o;
            }
            proptest::prop_assert_eq!(n.original_len(), s.len());
        }
    }
}
